"""The city's counters and the days they are closed, kept by administrators (/admin/counters,
/admin/holidays); what residents and staff read of them.

A counter belongs to a department and says when it is open: per weekday, periods in the site's time
zone written "08:30-12:00, 13:00-17:00". Closed days are the city's holiday list (no counter: every
counter is closed, and the day is not a working day for the departments' answer times) or one counter's
own. Every change is written to the staff audit log.
"""

from __future__ import annotations

import re
from datetime import date

from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.i18n import N_
from sns.ids import is_id
from sns.models import Department
from sns.models.base import utcnow
from sns.models.counters import WEEKDAYS, Appointment, ClosedDay, Counter
from sns.policies.appointments import can_manage_counters, can_staff_counter
from sns.services import audit
from sns.services.base import clean_text, require, transaction
from sns.services.departments import get_department

PERIOD = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)$")
DAY_LINE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:\s+(.*))?$")
MAX_HOLIDAY_LINES = 400


def counter_name(counter: Counter, locale: str) -> str:
    """The name in the reader's language (Japanese when given, else the English one)."""
    return counter.name_ja if locale == "ja" and counter.name_ja else counter.name


def hours_text(periods: list) -> str:
    """One weekday's periods as administrators type them: "08:30-12:00, 13:00-17:00"."""
    return ", ".join(f"{a}-{b}" for a, b in periods or [])


def parse_hours(text: str, *, field: str) -> list[list[str]]:
    """"08:30-12:00, 13:00-17:00" -> [["08:30", "12:00"], ["13:00", "17:00"]]; empty: closed that day."""
    periods = []
    for piece in (p.strip() for p in (text or "").replace("、", ",").replace("，", ",").split(",")):
        if not piece:
            continue
        match = PERIOD.match(piece.replace("–", "-").replace("〜", "-").replace("~", "-"))
        if match is None:
            raise Invalid(N_("Write the opening hours as periods like 08:30-12:00, 13:00-17:00."), field=field)
        opens, closes = f"{match[1]}:{match[2]}", f"{match[3]}:{match[4]}"
        if closes <= opens:
            raise Invalid(N_("A period must end after it starts."), field=field)
        periods.append([opens, closes])
    periods.sort()
    for (_, end), (start, _) in zip(periods, periods[1:]):
        if start < end:
            raise Invalid(N_("The periods overlap."), field=field)
    return periods


def _number(value, *, field: str, low: int, high: int) -> int:
    raw = value.strip() if isinstance(value, str) else value
    if isinstance(raw, int) and not isinstance(raw, bool):
        number = raw
    elif isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 4:
        number = int(raw)
    else:
        raise Invalid(N_("Give a whole number from %(low)d to %(high)d."), field=field, low=low, high=high)
    if not low <= number <= high:
        raise Invalid(N_("Give a whole number from %(low)d to %(high)d."), field=field, low=low, high=high)
    return number


async def get_counter(counter_id, *, active_only: bool = True) -> Counter:
    known = isinstance(counter_id, str) and is_id(counter_id)
    counter = await Counter.get_or_none(id=counter_id) if known else None
    if counter is None or (active_only and not counter.active):
        raise NotFound(N_("There is no such counter."))
    return counter


async def active_counters() -> list[Counter]:
    """What residents choose from: the open counters of open departments."""
    departments = await Department.filter(active=True, deleted_at=None).values_list("id", flat=True)
    return await Counter.filter(active=True, department_id__in=list(departments)).order_by("position", "name")


async def all_counters(ctx: Ctx) -> list[Counter]:
    """Administrators: every counter; department staff: their departments' counters."""
    counters = await Counter.all().order_by("position", "name")
    return [c for c in counters if can_manage_counters(ctx.viewer) or can_staff_counter(ctx.viewer, c)]


async def save_counter(ctx: Ctx, counter_id: str | None = None, *, department_id, name, name_ja="", place="",
                       what_to_bring="", hours: dict[str, str], slot_minutes, capacity, book_days_ahead,
                       position="0", active=True) -> Counter:
    """Add a counter (no id) or change one. `hours` maps a weekday (WEEKDAYS) to its periods' text."""
    require(can_manage_counters(ctx.viewer))
    department = await get_department(department_id, active_only=False) if department_id else None
    if department is None:
        raise Invalid(N_("Choose a department."), field="department_id")
    values = dict(
        department_id=department.id,
        name=clean_text(name, field="name", max_chars=100, single_line=True),
        name_ja=clean_text(name_ja, field="name_ja", max_chars=100, single_line=True, required=False),
        place=clean_text(place, field="place", max_chars=200, single_line=True, required=False),
        what_to_bring=clean_text(what_to_bring, field="what_to_bring", max_chars=2000, required=False),
        hours={day: p for day in WEEKDAYS if (p := parse_hours((hours or {}).get(day, ""), field=f"hours_{day}"))},
        slot_minutes=_number(slot_minutes, field="slot_minutes", low=5, high=240),
        capacity=_number(capacity, field="capacity", low=1, high=100),
        book_days_ahead=_number(book_days_ahead, field="book_days_ahead", low=1, high=365),
        position=_number(position or "0", field="position", low=0, high=9999),
        active=bool(active),
    )
    async with transaction() as tx:
        if counter_id is None:
            counter = await Counter.create(using_db=tx, **values)
            await audit.record(tx, ctx, "counter.add", "counter", counter.id, counter.name)
        else:
            counter = await get_counter(counter_id, active_only=False)
            if counter.slot_minutes != values["slot_minutes"] and await counter_has_coming(counter.id):
                raise Invalid(N_("The slot length cannot change while appointments are booked; close the "
                                 "counter to new bookings first and change it when they are over."),
                              field="slot_minutes")
            for name_, value in values.items():
                setattr(counter, name_, value)
            counter.updated_at = utcnow()
            await counter.save(using_db=tx)
            await audit.record(tx, ctx, "counter.change", "counter", counter.id, counter.name)
    return counter


async def counter_has_coming(counter_id: str) -> bool:
    return await Appointment.filter(counter_id=counter_id, state="booked", start__gt=utcnow()).exists()


def _day(value, field: str) -> date:
    try:
        return date.fromisoformat(value.strip()) if isinstance(value, str) else None
    except ValueError:
        raise Invalid(N_("Give a date as YYYY-MM-DD."), field=field) from None


async def closed_days_of(counter_id: str | None, *, since: date | None = None) -> list[ClosedDay]:
    """The city's holidays (counter None) or one counter's own closed days, by date."""
    query = ClosedDay.filter(counter_id=counter_id)
    if since is not None:
        query = query.filter(day__gte=since)
    return await query.order_by("day")


async def add_closed_day(ctx: Ctx, day, name="", *, counter_id: str | None = None) -> ClosedDay:
    """A city holiday (no counter) or a counter's own closed day; adding a day twice keeps one."""
    require(can_manage_counters(ctx.viewer))
    when = _day(day, "day")
    if when is None:
        raise Invalid(N_("Give a date as YYYY-MM-DD."), field="day")
    name = clean_text(name, field="name", max_chars=100, single_line=True, required=False)
    if counter_id is not None:
        await get_counter(counter_id, active_only=False)
    existing = await ClosedDay.get_or_none(day=when, counter_id=counter_id)
    if existing is not None:
        return existing
    async with transaction() as tx:
        row = await ClosedDay.create(using_db=tx, day=when, name=name, counter_id=counter_id)
        await audit.record(tx, ctx, "counter.closed_day", "counter" if counter_id else "holiday",
                           counter_id or "", f"+{when.isoformat()} {name}".strip())
    return row


async def remove_closed_day(ctx: Ctx, closed_day_id: str) -> None:
    require(can_manage_counters(ctx.viewer))
    row = await ClosedDay.get_or_none(id=closed_day_id) if is_id(closed_day_id or "") else None
    if row is None:
        raise NotFound(N_("There is no such closed day."))
    async with transaction() as tx:
        await ClosedDay.filter(id=row.id).using_db(tx).delete()
        await audit.record(tx, ctx, "counter.closed_day", "counter" if row.counter_id else "holiday",
                           row.counter_id or "", f"-{row.day.isoformat()} {row.name}".strip())


def parse_holiday_list(text: str) -> list[tuple[date, str]]:
    """"YYYY-MM-DD name" one per line (blank lines and lines starting with # skipped); every bad line is
    named in one refusal."""
    if not isinstance(text, str):
        raise Invalid(N_("This field must be text."), field="lines")
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line and not line.startswith("#")]
    if len(lines) > MAX_HOLIDAY_LINES:
        raise Invalid(N_("At most %(max)d days at once."), field="lines", max=MAX_HOLIDAY_LINES)
    out, bad = [], []
    for number, line in enumerate(lines, 1):
        match = DAY_LINE.match(line.replace("\u3000", " "))
        try:
            when = date(int(match[1]), int(match[2]), int(match[3])) if match else None
        except ValueError:
            when = None
        if when is None:
            bad.append(str(number))
            continue
        out.append((when, (match[4] or "").strip()[:100]))
    if bad:
        raise Invalid(N_("These lines are not \"YYYY-MM-DD name\": %(lines)s."), field="lines",
                      lines=", ".join(bad[:20]))
    if not out:
        raise Invalid(N_("Please fill in this field."), field="lines")
    return out


async def import_holidays(ctx: Ctx, text: str) -> int:
    """Add the city holidays of a pasted list; returns how many were new."""
    require(can_manage_counters(ctx.viewer))
    days = parse_holiday_list(text)
    known = set(await ClosedDay.filter(counter_id=None, day__in=[d for d, _ in days]).values_list("day", flat=True))
    added = 0
    async with transaction() as tx:
        for when, name in days:
            if when in known:
                continue
            known.add(when)
            name = clean_text(name, field="lines", max_chars=100, single_line=True, required=False)
            await ClosedDay.create(using_db=tx, day=when, name=name, counter_id=None)
            added += 1
        await audit.record(tx, ctx, "counter.holidays", "holiday", "", f"{added} added")
    return added
