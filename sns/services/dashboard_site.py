"""The staff dashboard's site figures, per week (Monday to Sunday in the site's time zone): residents active
(the job "weekly_activity", sns/services/weekly_activity.py, counts them in aggregate), posts (diaries, topics,
replies written here), new members, and the moderation queue's times (from a flag to its decision).

Counted in SQL with GROUP BY, one query per figure, the same text on SQLite and PostgreSQL. Figures that count
residents by district are shown as "fewer than 5" below SMALLEST (`suppress`): no figure lets anyone single
out a person. Every member of staff reads these (`policies.dashboard.can_view_dashboard`)."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from sns.context import Ctx
from sns.models import District, WeeklyActivity
from sns.policies.sql import database, fetch
from sns.services.dashboard_periods import Periods, as_time, bucket_sql, within_sql

SMALLEST = 5  # a count of people below this is shown as "fewer than 5"
POST_KINDS = ("diaries", "topics", "replies")
HOUR = 3600.0


def suppress(count: int) -> int | None:
    """A count of people as it may be shown: None ("fewer than 5") for 1 to 4."""
    return None if 0 < count < SMALLEST else count


@dataclass
class SiteFigures:
    weeks: Periods
    districts: list[tuple[str, str]]  # (id or "" for none, name)
    active: dict[tuple[int, str], int]  # (week, district) -> residents (raw; shown through `suppress`)
    members: dict[tuple[int, str], int]  # (week, district) -> new members (raw)
    posts: dict[tuple[int, str], int]  # (week, kind) -> posts
    moderation: dict[int, tuple[int, float | None]]  # week -> (decisions, median hours from flag to decision)


async def _active(weeks: Periods) -> dict[tuple[int, str], int]:
    rows = await WeeklyActivity.filter(week__gte=weeks.days[0], week__lte=weeks.days[-1]).values(
        "week", "district_id", "residents")
    index = {day: i for i, day in enumerate(weeks.days)}
    return {(index[r["week"]], r["district_id"]): r["residents"] for r in rows if r["week"] in index}


async def _members(ctx: Ctx, weeks: Periods) -> dict[tuple[int, str], int]:
    conn, p = database()
    rows = await fetch(conn, (
        f"SELECT {bucket_sql('created_at', weeks, p)} AS w, COALESCE(district_id, '') AS d, COUNT(*) AS n "
        f"FROM users WHERE deleted_at IS NULL AND role = 'resident' AND state = 'active' AND origin = "
        f"{p(ctx.origin)} AND {within_sql('created_at', weeks, p)} GROUP BY 1, 2"), p)
    return {(int(r["w"]), r["d"]): int(r["n"]) for r in rows}


async def _posts(ctx: Ctx, weeks: Periods) -> dict[tuple[int, str], int]:
    conn, p = database()
    parts = " UNION ALL ".join(
        f"SELECT '{table}' AS k, {bucket_sql('created_at', weeks, p)} AS w FROM {table} WHERE deleted_at IS NULL "
        f"AND state = 'published' AND origin = {p(ctx.origin)} AND {within_sql('created_at', weeks, p)}"
        for table in POST_KINDS)
    rows = await fetch(conn, f"SELECT k, w, COUNT(*) AS n FROM ({parts}) AS posts GROUP BY k, w", p)
    return {(int(r["w"]), r["k"]): int(r["n"]) for r in rows}


async def _moderation(weeks: Periods) -> dict[int, tuple[int, float | None]]:
    """Per week of the decision: how many flags were decided, and the median hours each waited."""
    conn, p = database()
    rows = await fetch(conn, (
        f"SELECT {bucket_sql('resolved_at', weeks, p)} AS w, created_at AS t0, resolved_at AS t1 "
        f"FROM moderation_flags WHERE resolved_at IS NOT NULL AND {within_sql('resolved_at', weeks, p)}"), p)
    waits: dict[int, list[float]] = {}
    for r in rows:
        waits.setdefault(int(r["w"]), []).append((as_time(r["t1"]) - as_time(r["t0"])).total_seconds() / HOUR)
    return {w: (len(v), round(median(v), 1)) for w, v in waits.items()}


async def site_figures(ctx: Ctx, weeks: Periods) -> SiteFigures:
    districts = [("", "")] + [(d.id, d.name) for d in await District.filter(deleted_at=None).order_by(
        "position", "name")]
    return SiteFigures(weeks, districts, await _active(weeks), await _members(ctx, weeks), await _posts(ctx, weeks),
                       await _moderation(weeks))
