"""The job "weekly_activity": how many residents were active this week, per district, for the staff dashboard
(sns/services/dashboard_site.py). Aggregate only: it counts residents whose session (or My page) was seen
during the week and writes one number per (week, district) in `WeeklyActivity`; no table or log names who was
active.

Sessions end (signing out, expiry), so a count made later can be lower than one made earlier: each round
keeps the higher of the stored and the new count, for this week and the last (whose last hours a round on
Monday morning still sees). The figure is therefore a lower bound of the week's active residents."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from sns import tasks
from sns.models import WeeklyActivity
from sns.models.base import utcnow
from sns.policies.sql import database, fetch
from sns.services.base import transaction
from sns.services.dashboard_periods import local_midnight, week_of

log = logging.getLogger(__name__)
EVERY = 3600.0  # one round an hour


async def count_week(monday, tz: ZoneInfo) -> dict[str, int]:
    """Residents seen in the week starting `monday` (local), per district id ("" for none): one query."""
    conn, p = database()
    start = p.time(local_midnight(monday, tz))
    end = p.time(local_midnight(monday + timedelta(days=7), tz))
    rows = await fetch(conn, (
        "SELECT COALESCE(u.district_id, '') AS d, COUNT(*) AS n FROM users u WHERE u.deleted_at IS NULL "
        "AND u.role = 'resident' AND u.state = 'active' AND ("
        f"EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = u.id AND s.stage = 'signed_in' "
        f"AND s.last_seen_at >= {start} AND s.last_seen_at < {end}) "
        f"OR (u.last_seen_home_at >= {start} AND u.last_seen_home_at < {end})) GROUP BY 1"), p)
    return {r["d"]: int(r["n"]) for r in rows}


async def _keep_higher(week, counts: dict[str, int]) -> None:
    """Store each district's count for `week`, never lowering one already stored (safe to repeat; a round
    runs on one machine at a time, under the job's lease)."""
    async with transaction() as tx:
        for district_id, residents in counts.items():
            row = await WeeklyActivity.get_or_none(week=week, district_id=district_id).using_db(tx)
            if row is None:
                await WeeklyActivity(week=week, district_id=district_id, residents=residents).save(using_db=tx)
            elif row.residents < residents:
                await WeeklyActivity.filter(id=row.id, residents__lt=residents).using_db(tx).update(
                    residents=residents)


async def run_round(settings, site=None) -> None:
    tz = ZoneInfo(settings.timezone)
    this = week_of(utcnow(), tz)
    for week in (this - timedelta(days=7), this):
        await _keep_higher(week, await count_week(week, tz))
    log.debug("weekly_activity: counted the weeks of %s and %s", this - timedelta(days=7), this)


JOB = tasks.Job("weekly_activity", run_round, lambda s: EVERY)  # (sns/areas.py)
