"""What a counter's staff do: the day's list, marking who came (arrived / no-show), and booking for a
resident who phoned (by username, or a name and phone number for someone without an account).
The staff of the counter's department and administrators only (sns/policies/appointments.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_
from sns.models import User
from sns.models.base import utcnow
from sns.models.counters import Appointment, Counter
from sns.policies.appointments import can_staff_counter
from sns.services import appointments, slots
from sns.services.accounts import USERNAME_RE
from sns.services.base import clean_text, require
from sns.services.counters import get_counter

MARKS = ("arrived", "no_show")
PHONE_CHARS = set("0123456789+-() ")


@dataclass
class DayList:
    counter: Counter
    day: date
    appointments: list[Appointment]
    residents: dict[str, User]
    slots: list[slots.Slot]  # the day's slots with their free places, full ones too


async def staffed_counter(ctx: Ctx, counter_id) -> Counter:
    counter = await get_counter(counter_id, active_only=False)
    require(can_staff_counter(ctx.viewer, counter))
    return counter


async def day_list(ctx: Ctx, counter_id, day: date) -> DayList:
    counter = await staffed_counter(ctx, counter_id)
    zone = slots.zone_of(ctx.settings)
    begin = datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(timezone.utc)
    rows = await Appointment.filter(counter_id=counter.id, start__gte=begin, start__lt=end).order_by("start", "id")
    ids = {r.resident_id for r in rows if r.resident_id}
    people = {u.id: u for u in await User.filter(id__in=list(ids))} if ids else {}
    [one] = await slots.days(ctx.settings, counter, day, 1, horizon=False)
    return DayList(counter, day, rows, people, [s for s in one.slots if s.start > utcnow()])


async def mark(ctx: Ctx, appointment_id, state: str) -> Appointment:
    """Arrived or no-show (either may be corrected; a cancelled appointment stays cancelled)."""
    row, counter = await appointments.get_appointment(ctx, appointment_id)
    require(can_staff_counter(ctx.viewer, counter))
    if state not in MARKS:
        raise Invalid(N_("Choose arrived or no-show."), field="state")
    if row.state == "cancelled":
        raise Invalid(N_("This appointment was cancelled."))
    await Appointment.filter(id=row.id).exclude(state="cancelled").update(state=state, updated_at=utcnow())
    row.state = state
    return row


async def book_for_caller(ctx: Ctx, counter_id, start, *, username="", name="", phone="", note="",
                          client_token=None) -> Appointment:
    """Book for someone who phoned: a resident by username, else a name and a phone number."""
    counter = await staffed_counter(ctx, counter_id)
    username = username.strip().lower().lstrip("@") if isinstance(username, str) else ""
    if username:
        resident = await User.get_or_none(username=username, deleted_at=None) if USERNAME_RE.match(username) else None
        if resident is None or resident.state != "active":
            raise Invalid(N_("There is no resident called %(name)s."), field="username",
                          name="".join(ch for ch in username[:32] if ch.isprintable()) or "-")
        return await appointments.book(ctx, counter.id, start, note=note, client_token=client_token,
                                       resident=resident)
    name = clean_text(name, field="name", max_chars=100, single_line=True)
    phone = clean_text(phone, field="phone", max_chars=40, single_line=True)
    if not set(phone) <= PHONE_CHARS or sum(ch.isdigit() for ch in phone) < 4:
        raise Invalid(N_("Give a phone number (digits, spaces, + - and brackets)."), field="phone")
    return await appointments.book(ctx, counter.id, start, note=note, client_token=client_token, name=name,
                                   phone=phone)
