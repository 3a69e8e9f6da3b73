"""The free times of a counter: from its opening hours, slot length, closed days and the places taken.

Opening hours are wall-clock times in the site's time zone (`settings.timezone`); slots are counted in
that wall clock (08:30, 08:45, ...) and stored in UTC, so a slot is at 08:30 local time on both sides of
a daylight-saving change. A wall-clock time that does not exist that day (the hour skipped in spring) is
not offered; one that happens twice (autumn) is the first.

`take_place` / `free_place` are the only writes: one conditional UPDATE each (`taken < capacity`), after
an INSERT that ignores a conflict, so concurrent bookings never overfill a slot on either database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from tortoise.expressions import F

from sns.ids import uuid7
from sns.models.base import utcnow
from sns.models.counters import WEEKDAYS, ClosedDay, Counter, SlotTaken

MAX_DAYS = 31  # the most days one list asks for


@dataclass(frozen=True)
class Slot:
    start: datetime  # UTC
    end: datetime
    free: int  # places left (0: full)


@dataclass(frozen=True)
class Day:
    day: date
    closed: str | None  # the holiday's name ("" when unnamed) when the counter is closed that day
    slots: tuple[Slot, ...]  # bookable ones: not past, not full

    @property
    def free(self) -> tuple[Slot, ...]:
        return tuple(s for s in self.slots if s.free > 0)


def zone_of(settings) -> ZoneInfo:
    return ZoneInfo(settings.timezone)


def local_today(settings, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(zone_of(settings)).date()


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes)) if hours != "24" else time(23, 59, 59)


def _exists(local: datetime, zone: ZoneInfo) -> bool:
    """False for a wall-clock time skipped by a daylight-saving change (it does not survive a round trip)."""
    back = local.astimezone(timezone.utc).astimezone(zone)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def slot_times(counter: Counter, day: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """Every slot of the counter's hours on `day` (closed days not considered), as (start, end) in UTC."""
    out: list[tuple[datetime, datetime]] = []
    step = timedelta(minutes=max(1, counter.slot_minutes))
    for opens, closes in (counter.hours or {}).get(WEEKDAYS[day.weekday()], []):
        wall, last = datetime.combine(day, _clock(opens)), datetime.combine(day, _clock(closes))
        while wall + step <= last:
            local = wall.replace(tzinfo=zone, fold=0)
            if _exists(local, zone):
                start = local.astimezone(timezone.utc)
                out.append((start, (wall + step).replace(tzinfo=zone).astimezone(timezone.utc)))
            wall += step
    return sorted(set(out))


async def closed_days(counter_id: str, first: date, last: date) -> dict[date, str]:
    """The city's holidays and the counter's own closed days between `first` and `last` (names by day)."""
    rows = await ClosedDay.filter(day__gte=first, day__lte=last).values_list("day", "name", "counter_id")
    return {day: name for day, name, owner in rows if owner in (None, counter_id)}


async def taken_between(counter_id: str, start: datetime, end: datetime) -> dict[datetime, int]:
    rows = await SlotTaken.filter(counter_id=counter_id, start__gte=start, start__lt=end).values_list("start",
                                                                                                       "taken")
    return {moment.astimezone(timezone.utc): taken for moment, taken in rows}


def last_bookable_day(settings, counter: Counter, now: datetime | None = None) -> date:
    return local_today(settings, now) + timedelta(days=max(0, counter.book_days_ahead))


async def days(settings, counter: Counter, first: date, count: int, *, now: datetime | None = None,
               horizon: bool = True, full: bool = False) -> list[Day]:
    """`count` days from `first`, each with its slots: with `horizon` (the residents' view) not past, not
    beyond how far ahead one may book, and not full unless `full`; staff see every slot (`horizon` False)."""
    now = now or utcnow()
    zone = zone_of(settings)
    count = max(1, min(count, MAX_DAYS))
    last = first + timedelta(days=count - 1)
    closed = await closed_days(counter.id, first, last)
    begin = datetime.combine(first, time(0), tzinfo=zone).astimezone(timezone.utc)
    finish = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(timezone.utc)
    taken = await taken_between(counter.id, begin, finish)
    limit = last_bookable_day(settings, counter, now)
    out = []
    for offset in range(count):
        day = first + timedelta(days=offset)
        if day in closed:
            out.append(Day(day, closed[day] or "", ()))
            continue
        slots = []
        if not horizon or day <= limit:
            for start, end in slot_times(counter, day, zone):
                free = max(0, counter.capacity - taken.get(start, 0))
                if horizon and (start <= now or (free == 0 and not full)):
                    continue
                slots.append(Slot(start, end, free))
        out.append(Day(day, None, tuple(slots)))
    return out


async def is_bookable(settings, counter: Counter, start: datetime, *, now: datetime | None = None,
                      horizon: bool = True) -> datetime | None:
    """The slot's end when `start` is one of the counter's slots on an open day (in the future and, for a
    resident, within how far ahead one may book); None otherwise. Whether a place is free is not asked:
    `take_place` answers that."""
    now = now or utcnow()
    zone = zone_of(settings)
    start = start.astimezone(timezone.utc)
    day = start.astimezone(zone).date()
    if start <= now or (horizon and day > last_bookable_day(settings, counter, now)):
        return None
    if (await closed_days(counter.id, day, day)):
        return None
    return dict(slot_times(counter, day, zone)).get(start)


async def take_place(conn, counter: Counter, start: datetime) -> bool:
    """Take one place of the slot in `conn`'s transaction; False when the slot is full."""
    row = SlotTaken(id=uuid7(), counter_id=counter.id, start=start, taken=0)
    await SlotTaken.bulk_create([row], ignore_conflicts=True, using_db=conn)
    changed = await SlotTaken.filter(counter_id=counter.id, start=start, taken__lt=counter.capacity) \
        .using_db(conn).update(taken=F("taken") + 1)
    return bool(changed)


async def free_place(conn, counter_id: str, start: datetime) -> None:
    """Give one place of the slot back (a cancelled or moved appointment)."""
    await SlotTaken.filter(counter_id=counter_id, start=start, taken__gt=0).using_db(conn) \
        .update(taken=F("taken") - 1)
