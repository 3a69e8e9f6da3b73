"""Working days: when an answer target of N working days falls due (the departments' `first_answer_days` and
`close_days`). A working day is Monday to Friday, not a city holiday (a `ClosedDay` without a counter).

Written small for the staff dashboard (sns/services/dashboard.py); the answer targets residents see use the
same rule."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Collection
from zoneinfo import ZoneInfo

from sns.models import ClosedDay


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def due_at(start: datetime, days: int, holidays: Collection[date], tz: ZoneInfo) -> datetime | None:
    """The end (midnight, local time) of the `days`-th working day after the local day of `start`, in UTC;
    None when there is no target (`days` 0). A request made on Friday evening with a target of 1 working day
    is due at the end of Monday (of Tuesday when Monday is a holiday)."""
    if days <= 0:
        return None
    day, counted = start.astimezone(tz).date(), 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            counted += 1
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(timezone.utc)


async def city_holidays(first: date, last: date) -> frozenset[date]:
    """The city's holidays (closed days of every counter) between two days, inclusive."""
    rows = await ClosedDay.filter(counter_id=None, day__gte=first, day__lte=last).values_list("day", flat=True)
    return frozenset(rows)
