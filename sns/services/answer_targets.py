"""The answer times a department promises, applied to a request: when its first answer and its closing are
due, and whether either is overdue.

Administrators set each department's `first_answer_days` and `close_days` (working days, 0 = no promise) on
/admin/departments. An inquiry is answered once staff first answered (`first_answered_at`) and closed once
`closed_at` is set (sns/services/inquiries.py stamps both); a street report is answered once its status
left "received" and closed once it is resolved or closed. The same marks are shown to the resident (My
requests, the request's own page) and to staff (the inbox, the report queue).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sns.models.base import utcnow
from sns.services.working_days import due_at, holidays_for

REPORT_DONE = ("resolved", "closed")
_LAST_DAY = timedelta(minutes=1)


@dataclass(frozen=True)
class Target:
    first_answer_days: int = 0
    close_days: int = 0
    first_answer_due: datetime | None = None
    close_due: datetime | None = None
    late_first: bool = False  # no first answer, and its due time has passed
    late_close: bool = False  # not closed, and its due time has passed

    @property
    def overdue(self) -> bool:
        return self.late_first or self.late_close

    @property
    def promised(self) -> bool:
        return bool(self.first_answer_due or self.close_due)

    @property
    def first_answer_by(self) -> datetime | None:
        """A moment on the last day of the first-answer target (to show that day)."""
        return self.first_answer_due - _LAST_DAY if self.first_answer_due else None

    @property
    def close_by(self) -> datetime | None:
        return self.close_due - _LAST_DAY if self.close_due else None


NONE = Target()


def target_of(start: datetime, department, *, answered: bool, closed: bool, holidays: frozenset[date], tz: str,
              now: datetime | None = None) -> Target:
    if department is None:
        return NONE
    now = now or utcnow()
    first = due_at(start, department.first_answer_days, holidays, tz)
    close = due_at(start, department.close_days, holidays, tz)
    return Target(department.first_answer_days, department.close_days, first, close,
                  late_first=first is not None and not answered and not closed and now >= first,
                  late_close=close is not None and not closed and now >= close)


def _longest(departments) -> int:
    return max([max(d.first_answer_days, d.close_days) for d in departments if d is not None] or [0])


async def for_inquiries(inquiries, tz: str, now: datetime | None = None) -> dict[str, Target]:
    """id -> Target for inquiries loaded with their department (at most one query, for the holidays)."""
    holidays = await holidays_for([i.created_at for i in inquiries], _longest(i.department for i in inquiries), tz)
    return {i.id: target_of(i.created_at, i.department, answered=i.first_answered_at is not None,
                            closed=i.closed_at is not None or i.status == "closed", holidays=holidays, tz=tz, now=now)
            for i in inquiries}


async def for_reports(reports, tz: str, now: datetime | None = None) -> dict[str, Target]:
    """id -> Target for street reports loaded with their department (at most one query)."""
    holidays = await holidays_for([r.created_at for r in reports], _longest(r.department for r in reports), tz)
    return {r.id: target_of(r.created_at, r.department, answered=r.status != "received",
                            closed=r.status in REPORT_DONE, holidays=holidays, tz=tz, now=now)
            for r in reports}


async def for_report(report, department, tz: str) -> Target:
    """One street report's target, its department given (a report's page loads it on its own)."""
    if department is None:
        return NONE
    holidays = await holidays_for([report.created_at], _longest([department]), tz)
    return target_of(report.created_at, department, answered=report.status != "received",
                     closed=report.status in REPORT_DONE, holidays=holidays, tz=tz)
