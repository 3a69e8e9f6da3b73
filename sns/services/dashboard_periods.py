"""The dashboard's periods: months and weeks in the site's time zone, as UTC boundaries, and the SQL that puts
a timestamp into its period (`bucket_sql`), the same text on SQLite and PostgreSQL.

A month or week starts at local midnight, so a request made at 00:30 on 1 December in Tokyo (15:30 UTC on
30 November) counts in December, and a week keeps its seven days across a daylight-saving change."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sns.policies.sql import Params

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
DEFAULT_MONTHS = 6
MAX_MONTHS = 24


@dataclass(frozen=True)
class Periods:
    """Consecutive periods: `labels[i]` runs from `starts[i]` (UTC) to `starts[i + 1]`."""

    labels: tuple[str, ...]
    starts: tuple[datetime, ...]  # one more than labels: the last is the end
    days: tuple[date, ...]  # each period's first local day

    @property
    def begin(self) -> datetime:
        return self.starts[0]

    @property
    def end(self) -> datetime:
        return self.starts[-1]


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def parse_month(raw: str | None) -> date | None:
    match = MONTH_RE.match(raw or "")
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        return None
    return date(int(match[1]), int(match[2]), 1)


def months(first: date, last: date, tz: ZoneInfo) -> Periods:
    """The months from `first` to `last` (both the first day of a month), inclusive."""
    days = [first]
    while _next_month(days[-1]) <= last:
        days.append(_next_month(days[-1]))
    ends = [*days, _next_month(days[-1])]
    return Periods(tuple(d.strftime("%Y-%m") for d in days), tuple(local_midnight(d, tz) for d in ends), tuple(days))


def month_range(raw_from: str | None, raw_to: str | None, now: datetime, tz: ZoneInfo) -> tuple[Periods, bool]:
    """The months asked for (`YYYY-MM`), else the last six up to this one; False when what was asked was
    not understood (the default is used then). At most MAX_MONTHS months, ending with the last asked."""
    this = now.astimezone(tz).date().replace(day=1)
    first, last = parse_month(raw_from), parse_month(raw_to)
    understood = (not raw_from or first is not None) and (not raw_to or last is not None)
    last = last or this
    if first is None or first > last:
        understood = understood and first is None
        first = last
        for _ in range(DEFAULT_MONTHS - 1):
            first = (first - timedelta(days=1)).replace(day=1)
    while (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
        first = _next_month(first)
    return months(first, last, tz), understood


def weeks_of(span: Periods, tz: ZoneInfo) -> Periods:
    """The weeks (Monday to Sunday, local time) that overlap the span, labelled by their Monday."""
    monday = span.days[0] - timedelta(days=span.days[0].weekday())
    last = span.end.astimezone(tz).date() - timedelta(days=1)
    days = [monday]
    while days[-1] + timedelta(days=7) <= last:
        days.append(days[-1] + timedelta(days=7))
    ends = [*days, days[-1] + timedelta(days=7)]
    return Periods(tuple(d.isoformat() for d in days), tuple(local_midnight(d, tz) for d in ends), tuple(days))


def week_of(moment: datetime, tz: ZoneInfo) -> date:
    """The Monday (local) of the week `moment` falls in."""
    day = moment.astimezone(tz).date()
    return day - timedelta(days=day.weekday())


def within_sql(column: str, periods: Periods, p: Params) -> str:
    return f"{column} >= {p.time(periods.begin)} AND {column} < {p.time(periods.end)}"


def bucket_sql(column: str, periods: Periods, p: Params) -> str:
    """A CASE giving the index of the period `column` falls in (use with `within_sql`, which keeps the rest
    out). Boundaries are bound values in UTC, so both databases group by the site's local months."""
    if len(periods.labels) == 1:
        return "0"
    whens = " ".join(f"WHEN {column} < {p.time(start)} THEN {i}" for i, start in enumerate(periods.starts[1:-1]))
    return f"(CASE {whens} ELSE {len(periods.labels) - 1} END)"


def as_time(value) -> datetime | None:
    """A timestamp read by raw SQL: PostgreSQL gives a datetime, SQLite the text the ORM stored."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
