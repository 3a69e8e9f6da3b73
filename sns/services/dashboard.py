"""The staff dashboard's department figures: how fast the city answers (/city/dashboard, sns/web/dashboard.py).

Per department and per month (the site's local months, sns/services/dashboard_periods.py): requests received
(inquiries by channel, street reports routed to the department), the median time to the first answer and to
closing, the share answered on time against the department's targets (working days, sns/services/working_days.py),
appointments booked and no-shows, and the oldest requests still open. Counts are made in SQL with GROUP BY, one
query per figure on both databases; the answer times read one row per request of the period (one query each
for inquiries and reports), because a target in working days around the city's holidays is not SQL.

Only the departments `policies.dashboard.can_view_department_figures` allows are read; nothing names a
resident (the oldest open ones show their subject and age, linked for staff who may open them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from sns.context import Ctx
from sns.models import Department
from sns.models.base import utcnow
from sns.policies.dashboard import can_view_department_figures
from sns.policies.sql import database, fetch
from sns.services.dashboard_periods import Periods, as_time, bucket_sql, within_sql
from sns.services.working_days import holidays_between, due_at

CHANNELS = ("web", "mail", "phone", "counter")
OLDEST = 5  # open requests listed per department
DAY = timedelta(days=1).total_seconds()


@dataclass
class Timing:
    """The answer times of one department's requests received in one month: days to the first answer (of
    those answered) and to closing (of those closed), and [on time, late] against each target, where late
    is answered late or not yet answered and past due."""

    first: list[float] = field(default_factory=list)
    closed: list[float] = field(default_factory=list)
    first_judged: list[int] = field(default_factory=lambda: [0, 0])
    close_judged: list[int] = field(default_factory=lambda: [0, 0])


@dataclass
class DepartmentFigures:
    department: Department
    received: dict[tuple[int, str], int]  # (month, channel or "reports") -> count
    timing: dict[int, Timing]
    appointments: dict[int, tuple[int, int]]  # month -> (booked, no-shows)
    oldest: list[dict]  # {"kind", "id", "subject", "created_at", "url"}


def _ids_sql(ids, p) -> str:
    return ", ".join(p(i) for i in ids)


async def departments_shown(ctx: Ctx) -> list[Department]:
    rows = await Department.filter(deleted_at=None).order_by("position", "name")
    return [d for d in rows if can_view_department_figures(ctx.viewer, d.id)]


async def _received(ids, months: Periods) -> dict[str, dict]:
    conn, p = database()
    inquiries = await fetch(conn, (
        f"SELECT department_id AS d, {bucket_sql('created_at', months, p)} AS m, channel AS c, COUNT(*) AS n "
        f"FROM inquiries WHERE deleted_at IS NULL AND last_activity_at IS NOT NULL AND department_id IN "
        f"({_ids_sql(ids, p)}) AND {within_sql('created_at', months, p)} GROUP BY 1, 2, 3"), p)
    conn, p = database()
    reports = await fetch(conn, (
        f"SELECT department_id AS d, {bucket_sql('created_at', months, p)} AS m, 'reports' AS c, COUNT(*) AS n "
        f"FROM street_reports WHERE deleted_at IS NULL AND state = 'published' AND department_id IN "
        f"({_ids_sql(ids, p)}) AND {within_sql('created_at', months, p)} GROUP BY 1, 2"), p)
    out: dict[str, dict] = {i: {} for i in ids}
    for row in (*inquiries, *reports):
        out[row["d"]][(int(row["m"]), row["c"])] = int(row["n"])
    return out


async def _answer_rows(ids, months: Periods) -> list[dict]:
    """One row per request received in the period: (department, month, received, first answer, closed)."""
    conn, p = database()
    inquiries = await fetch(conn, (
        f"SELECT department_id AS d, {bucket_sql('created_at', months, p)} AS m, created_at AS t0, "
        f"first_answered_at AS t1, closed_at AS t2 FROM inquiries WHERE deleted_at IS NULL "
        f"AND last_activity_at IS NOT NULL AND department_id IN ({_ids_sql(ids, p)}) "
        f"AND {within_sql('created_at', months, p)}"), p)
    conn, p = database()
    # a report's first answer is the department's first public update; it is closed by its last update to
    # "resolved" or "closed" while it still has that status
    reports = await fetch(conn, (
        f"SELECT r.department_id AS d, {bucket_sql('r.created_at', months, p)} AS m, r.created_at AS t0, "
        f"MIN(u.created_at) AS t1, CASE WHEN r.status IN ('resolved', 'closed') THEN MAX(CASE WHEN u.status IN "
        f"('resolved', 'closed') THEN u.created_at END) END AS t2 FROM street_reports r "
        f"LEFT JOIN report_updates u ON u.report_id = r.id AND u.deleted_at IS NULL "
        f"WHERE r.deleted_at IS NULL AND r.state = 'published' AND r.department_id IN ({_ids_sql(ids, p)}) "
        f"AND {within_sql('r.created_at', months, p)} GROUP BY r.id, r.department_id, r.created_at, r.status"), p)
    return [*inquiries, *reports]


def _judge(days: list[float], judged: list[int], start: datetime, done: datetime | None,
           due: datetime | None, now: datetime) -> None:
    if done is not None:
        days.append((done - start).total_seconds() / DAY)
    if due is not None and done is not None:
        judged[0 if done <= due else 1] += 1
    elif due is not None and now > due:
        judged[1] += 1


async def _timings(departments, months: Periods, tz: ZoneInfo, now: datetime) -> dict[str, dict[int, Timing]]:
    rows = await _answer_rows([d.id for d in departments], months)
    holidays = await holidays_between(months.days[0], (now + timedelta(days=400)).astimezone(tz).date())
    targets = {d.id: d for d in departments}
    out: dict[str, dict[int, Timing]] = {d.id: {} for d in departments}
    for row in rows:
        department, start = targets[row["d"]], as_time(row["t0"])
        timing = out[department.id].setdefault(int(row["m"]), Timing())
        _judge(timing.first, timing.first_judged, start, as_time(row["t1"]),
               due_at(start, department.first_answer_days, holidays, tz), now)
        _judge(timing.closed, timing.close_judged, start, as_time(row["t2"]),
               due_at(start, department.close_days, holidays, tz), now)
    return out


async def _appointments(ids, months: Periods) -> dict[str, dict[int, tuple[int, int]]]:
    conn, p = database()
    rows = await fetch(conn, (
        f"SELECT c.department_id AS d, {bucket_sql('a.start', months, p)} AS m, COUNT(*) AS booked, "
        f"SUM(CASE WHEN a.state = 'no_show' THEN 1 ELSE 0 END) AS no_shows FROM appointments a "
        f"JOIN counters c ON c.id = a.counter_id WHERE a.state <> 'cancelled' AND c.department_id IN "
        f"({_ids_sql(ids, p)}) AND {within_sql('a.start', months, p)} GROUP BY 1, 2"), p)
    out: dict[str, dict] = {i: {} for i in ids}
    for row in rows:
        out[row["d"]][int(row["m"])] = (int(row["booked"]), int(row["no_shows"] or 0))
    return out


async def _oldest_open(ids) -> dict[str, list[dict]]:
    """The OLDEST open requests of each department (inquiries not closed, reports not resolved or closed)."""
    conn, p = database()
    rows = await fetch(conn, (
        "SELECT kind, id, d, subject, created_at FROM ("
        "SELECT kind, id, d, subject, created_at, ROW_NUMBER() OVER (PARTITION BY d ORDER BY created_at) AS n "
        "FROM (SELECT 'inquiry' AS kind, id, department_id AS d, subject, created_at FROM inquiries "
        f"WHERE deleted_at IS NULL AND last_activity_at IS NOT NULL AND status <> 'closed' "
        f"AND department_id IN ({_ids_sql(ids, p)}) "
        "UNION ALL SELECT 'report' AS kind, id, department_id AS d, title AS subject, created_at "
        "FROM street_reports WHERE deleted_at IS NULL AND state = 'published' "
        f"AND status NOT IN ('resolved', 'closed') AND department_id IN ({_ids_sql(ids, p)})) AS open_requests"
        f") AS numbered WHERE n <= {OLDEST} ORDER BY d, created_at"), p)
    out: dict[str, list[dict]] = {i: [] for i in ids}
    for row in rows:
        url = f"/city/{row['id']}" if row["kind"] == "inquiry" else f"/reports/{row['id']}"
        out[row["d"]].append({"kind": row["kind"], "id": row["id"], "subject": row["subject"],
                              "created_at": as_time(row["created_at"]), "url": url})
    return out


async def department_figures(ctx: Ctx, months: Periods, now: datetime | None = None) -> list[DepartmentFigures]:
    """The figures of every department the viewer may read, for the months given."""
    departments = await departments_shown(ctx)
    if not departments:
        return []
    now, tz, ids = now or utcnow(), ZoneInfo(ctx.settings.timezone), [d.id for d in departments]
    received, timings = await _received(ids, months), await _timings(departments, months, tz, now)
    appointments, oldest = await _appointments(ids, months), await _oldest_open(ids)
    return [DepartmentFigures(d, received[d.id], timings[d.id], appointments[d.id], oldest[d.id])
            for d in departments]


def median_days(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def share(judged: list[int]) -> int | None:
    """Percent answered on time, of those answered or past due (None when there is nothing to judge)."""
    on_time, late = judged
    return round(100 * on_time / (on_time + late)) if on_time + late else None
