"""A resident's appointments at the city's counters: book a free time, move it, cancel it (with a reason),
and add another service right after it (one visit, several counters back to back).

A place is taken with one conditional UPDATE (sns/services/slots.py `take_place`) in the transaction that
writes the appointment, so a full slot refuses at once ("This time was just taken") and capacity holds
under concurrent bookings on both databases. A form's one-time token makes a double submission book once.
Moving takes the new place and frees the old one in one transaction. The confirmation mail, with an
iCalendar file, is queued in the same transaction (sns/services/appointment_mail.py).
"""

from __future__ import annotations

from datetime import datetime, timezone

from tortoise.exceptions import IntegrityError

from sns import view_versions
from sns.context import Ctx
from sns.errors import Conflict, Invalid, NotFound
from sns.i18n import N_
from sns.ids import is_id, uuid7
from sns.models import User
from sns.models.base import utcnow
from sns.models.counters import Appointment, Counter
from sns.policies.appointments import can_book, can_change_appointment, can_see_appointment, can_staff_counter
from sns.services import appointment_mail, slots
from sns.services.base import clean_text, idempotency_key, rate_limit_post, require, transaction
from sns.services.counters import get_counter

MAX_COMING = 10  # coming appointments one resident may hold at once
JUST_TAKEN = N_("This time was just taken; please choose another.")


def appointment_url(appointment_id: str) -> str:
    return f"/appointments/{appointment_id}"


def parse_start(value) -> datetime:
    """A slot's start as the forms and the API send it (ISO 8601 with an offset)."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or len(value) > 40:
        raise Invalid(N_("Choose a time from the list."), field="start")
    return moment.astimezone(timezone.utc)


async def get_appointment(ctx: Ctx, appointment_id) -> tuple[Appointment, Counter]:
    """An appointment its resident or the counter's staff may see (404 for anyone else)."""
    row = await Appointment.get_or_none(id=appointment_id) if isinstance(appointment_id, str) and \
        is_id(appointment_id) else None
    counter = await Counter.get_or_none(id=row.counter_id) if row else None
    if row is None or counter is None or not can_see_appointment(ctx.viewer, row, counter):
        raise NotFound(N_("There is no such appointment."))
    return row, counter


async def my_appointments(ctx: Ctx, *, coming: bool = True) -> list[Appointment]:
    """The viewer's booked appointments still to come (or all of theirs, newest first)."""
    if ctx.user is None:
        return []
    query = Appointment.filter(resident_id=ctx.user.id)
    if coming:
        return await query.filter(state="booked", end__gt=utcnow()).order_by("start").select_related("counter")
    return await query.order_by("-start").limit(200).select_related("counter")


async def visit_of(row: Appointment) -> list[Appointment]:
    """The appointments of one visit (back to back), in order; just `row` when it is alone."""
    if not row.visit_id:
        return [row]
    return await Appointment.filter(visit_id=row.visit_id, state__in=("booked", "arrived")) \
        .order_by("start").select_related("counter")


async def _checked_slot(ctx: Ctx, counter: Counter, start, *, staff: bool) -> tuple[datetime, datetime]:
    start = parse_start(start) if not isinstance(start, datetime) else start.astimezone(timezone.utc)
    end = await slots.is_bookable(ctx.settings, counter, start, horizon=not staff)
    if end is None:
        raise Invalid(N_("This time cannot be booked; please choose one from the list."), field="start")
    return start, end


async def book(ctx: Ctx, counter_id, start, *, note="", client_token=None, resident: User | None = None,
               name: str = "", phone: str = "", visit_id: str | None = None, remind_email: bool = True,
               remind_push: bool = False) -> Appointment:
    """Book a place: for the viewer, or (counter staff, `resident` or `name` + `phone`) for someone who
    phoned. Refused with JUST_TAKEN (409) when the slot filled meanwhile."""
    counter = await get_counter(counter_id)
    staff = resident is not None or bool(name)
    require(can_staff_counter(ctx.viewer, counter) if staff else can_book(ctx.viewer))
    note = clean_text(note, field="note", max_chars=500, required=False)
    for_user = resident if staff else ctx.user
    token = idempotency_key(client_token)
    owner = {"resident_id": for_user.id} if for_user else {"resident_id": None, "booked_by_id": ctx.user.id}
    if token:
        earlier = await Appointment.filter(client_token=token, **owner).first()
        if earlier is not None:
            return earlier
    if not staff:
        await rate_limit_post(ctx)
        if await Appointment.filter(resident_id=ctx.user.id, state="booked", start__gt=utcnow()).count() >= MAX_COMING:
            raise Conflict(N_("You have %(max)d coming appointments already; cancel one first."), max=MAX_COMING)
    start, end = await _checked_slot(ctx, counter, start, staff=staff)
    row = Appointment(id=uuid7(), counter_id=counter.id, resident_id=for_user.id if for_user else None,
                      booked_by_id=ctx.user.id, name=name, phone=phone, start=start, end=end, note=note,
                      visit_id=visit_id, client_token=token, remind_email=bool(remind_email),
                      remind_push=bool(remind_push))
    try:
        async with transaction() as tx:
            if not await slots.take_place(tx, counter, start):
                raise Conflict(JUST_TAKEN, field="start")
            await row.save(using_db=tx, force_create=True)
            await _mine_changed(tx, row)
            await appointment_mail.confirm(tx, ctx.settings, row, counter, for_user)
    except IntegrityError:  # the same form a second time, at the same moment: the first one booked
        earlier = await Appointment.filter(client_token=token, **owner).first() if token else None
        if earlier is None:
            raise
        return earlier
    return row


async def _mine_changed(tx, row: Appointment) -> None:
    """The resident's My page shows their coming appointments (sns/view_versions.py: `u:<id>`)."""
    if row.resident_id:
        await view_versions.bump(tx, [f"u:{row.resident_id}"])


async def move(ctx: Ctx, appointment_id, start) -> Appointment:
    """Another time at the same counter: the new place is taken and the old one freed together."""
    row, counter = await get_appointment(ctx, appointment_id)
    require(can_change_appointment(ctx.viewer, row, counter))
    if row.state != "booked" or row.start <= utcnow():
        raise Conflict(N_("Only a coming appointment can be moved."))
    staff = row.resident_id is None or row.resident_id != ctx.viewer.id
    new_start, new_end = await _checked_slot(ctx, counter, start, staff=staff)
    if new_start == row.start:
        return row
    old_start = row.start
    async with transaction() as tx:
        if not await slots.take_place(tx, counter, new_start):
            raise Conflict(JUST_TAKEN, field="start")
        await slots.free_place(tx, counter.id, old_start)
        changed = await Appointment.filter(id=row.id, state="booked", start=old_start).using_db(tx) \
            .update(start=new_start, end=new_end, updated_at=utcnow())
        if not changed:  # moved or cancelled meanwhile (another tab): nothing of this round stays
            raise Conflict(N_("This appointment was changed meanwhile; please look at it again."))
        row.start, row.end = new_start, new_end
        await _mine_changed(tx, row)
        resident = await User.get_or_none(id=row.resident_id) if row.resident_id else None
        await appointment_mail.confirm(tx, ctx.settings, row, counter, resident, moved=True)
    return row


async def cancel(ctx: Ctx, appointment_id, reason="") -> Appointment:
    """Cancel with a reason (optional); a coming appointment's place is freed for others."""
    row, counter = await get_appointment(ctx, appointment_id)
    require(can_change_appointment(ctx.viewer, row, counter))
    reason = clean_text(reason, field="reason", max_chars=500, required=False)
    if row.state != "booked":
        if row.state == "cancelled":
            return row  # cancelled already (a second click)
        raise Conflict(N_("Only a booked appointment can be cancelled."))
    async with transaction() as tx:
        changed = await Appointment.filter(id=row.id, state="booked").using_db(tx) \
            .update(state="cancelled", cancel_reason=reason, updated_at=utcnow())
        if changed and row.start > utcnow():
            await slots.free_place(tx, counter.id, row.start)
            if row.resident_id and row.resident_id != ctx.viewer.id:  # the city cancelled it: tell them
                resident = await User.get_or_none(id=row.resident_id)
                if resident is not None:
                    await appointment_mail.tell_cancelled(tx, ctx.settings, row, counter, resident, reason)
        await _mine_changed(tx, row)
    row.state, row.cancel_reason = "cancelled", reason
    return row


async def next_free_after(ctx: Ctx, counter: Counter, after: datetime) -> datetime | None:
    """The first free slot of `counter` starting at or after `after`, on the same local day."""
    zone = slots.zone_of(ctx.settings)
    day = after.astimezone(zone).date()
    [today] = await slots.days(ctx.settings, counter, day, 1)
    return next((s.start for s in today.free if s.start >= after), None)


async def book_after(ctx: Ctx, appointment_id, counter_id, *, client_token=None) -> Appointment:
    """Another service in the same visit: the next free time of another counter at or after this one's end."""
    first, first_counter = await get_appointment(ctx, appointment_id)
    require(can_change_appointment(ctx.viewer, first, first_counter))
    if first.state != "booked" or first.start <= utcnow():
        raise Conflict(N_("Only a coming appointment can have another service added."))
    try:
        counter = await get_counter(counter_id)
    except NotFound:
        raise Invalid(N_("Choose a counter from the list."), field="counter_id") from None
    if counter.id == first.counter_id:
        raise Invalid(N_("Choose another counter."), field="counter_id")
    last = (await visit_of(first))[-1]
    start = await next_free_after(ctx, counter, last.end)
    if start is None:
        raise Invalid(N_("This counter has no free time after yours that day; book it on its own page."),
                      field="counter_id")
    visit = first.visit_id or first.id
    if not first.visit_id:
        await Appointment.filter(id=first.id).update(visit_id=visit)
    resident = await User.get_or_none(id=first.resident_id) if first.resident_id else None
    if resident is not None and resident.id == ctx.viewer.id:
        return await book(ctx, counter.id, start, client_token=client_token, visit_id=visit)
    return await book(ctx, counter.id, start, client_token=client_token, resident=resident, name=first.name or "-",
                      phone=first.phone, visit_id=visit)

