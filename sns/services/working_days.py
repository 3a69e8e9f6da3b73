"""Working days: when an answer the city promises "within N working days" is due.

A working day is Monday to Friday in the site's time zone (setting `timezone`), except the city's holidays:
`ClosedDay` rows without a counter (the list administrators keep for the counters). A department promising a
first answer "within 3 working days" owes it by the end of the third working day after the day the request
came in (a request made on a Saturday or a holiday counts from the next working day). The same rule serves
My requests, the staff's inbox and the dashboard ("answered on time").
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable
from zoneinfo import ZoneInfo

from sns.models import ClosedDay

MAX_DAYS = 365  # the longest target a department may set, in working days


def is_working_day(day: date, holidays: set[date] | frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def due_at(start: datetime, days: int, holidays: set[date] | frozenset[date], tz: str | ZoneInfo) -> datetime | None:
    """The moment (UTC) an answer promised within `days` working days of `start` is due: the end of the
    `days`-th working day after the local day of `start` (midnight after it, in `tz`). None when `days` is 0
    (the department promises nothing). `holidays` are local dates (see `holidays_between`)."""
    if days <= 0:
        return None
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone.utc)
    day, left = start.astimezone(zone).date(), min(days, MAX_DAYS)
    while left:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            left -= 1
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(timezone.utc)


def window(starts: Iterable[datetime], days: int, tz: str | ZoneInfo) -> tuple[date, date] | None:
    """The local dates whose holidays can matter for targets of up to `days` working days from `starts`
    (a generous bound: weeks of holidays in a row are still covered); None when there is nothing to count."""
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    dates = [(s if s.tzinfo else s.replace(tzinfo=timezone.utc)).astimezone(zone).date() for s in starts]
    if not dates or days <= 0:
        return None
    days = min(days, MAX_DAYS)
    return min(dates), max(dates) + timedelta(days=days * 2 + 60)


async def holidays_between(first: date, last: date) -> frozenset[date]:
    """The city's holidays from `first` to `last` (inclusive), in one query."""
    days = await ClosedDay.filter(counter_id=None, day__gte=first, day__lte=last).values_list("day", flat=True)
    return frozenset(d if isinstance(d, date) else date.fromisoformat(str(d)[:10]) for d in days)


async def holidays_for(starts: Iterable[datetime], days: int, tz: str | ZoneInfo) -> frozenset[date]:
    """The holidays needed to compute targets of up to `days` working days from `starts` (one query, or none)."""
    span = window(list(starts), days, tz)
    return await holidays_between(*span) if span else frozenset()
