"""My requests: every inquiry, street report and appointment I made, in one list, newest activity first.

Each row says its kind, status, department and the answer time the department promises (sns/services/
answer_targets.py), marked overdue when that time passed. Only the signed-in resident's own rows are read
(`sns.policies.requests.can_list_my_requests`); a page reads one query per kind and one for the city's holidays.
Appointments are listed read-only (booking, moving and cancelling are the appointments' own pages).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import RawSQL

from sns.context import Ctx
from sns.errors import Forbidden
from sns.i18n import N_
from sns.models import Appointment, Inquiry, StreetReport
from sns.models.base import utcnow
from sns.policies.requests import can_list_my_requests
from sns.services import answer_targets
from sns.services.answer_targets import NONE, REPORT_DONE, Target

PAGE = 20
MAX_PAGE = 50
KINDS = ("inquiry", "report", "appointment")


@dataclass(frozen=True)
class Request:
    kind: str  # KINDS
    id: str
    subject: str
    status: str
    department: object | None  # a Department (its name in the reader's language: departments.department_name)
    created_at: datetime
    last_activity_at: datetime
    url: str
    target: Target = NONE
    channel: str = "web"  # how an inquiry reached the city (INQUIRY_CHANNELS)
    logged_by: object | None = None  # the staff member who logged a phone call or a visit
    starts_at: datetime | None = None  # an appointment's time
    is_open: bool = True

    @property
    def overdue(self) -> bool:
        return self.target.overdue


def _me(ctx: Ctx):
    if not can_list_my_requests(ctx.viewer):
        raise Forbidden(N_("Please sign in."))
    return ctx.user


def _inquiry(i, target: Target) -> Request:
    return Request("inquiry", i.id, i.subject, i.status, i.department, i.created_at,
                   i.last_activity_at or i.created_at, f"/city/{i.id}", target, channel=i.channel,
                   logged_by=i.logged_by, is_open=i.status != "closed")


def _report(r, target: Target) -> Request:
    return Request("report", r.id, r.title, r.status, r.department, r.created_at,
                   r.last_activity_at or r.created_at, f"/reports/{r.id}", target, is_open=r.status not in REPORT_DONE)


def _appointment(a, now: datetime) -> Request:
    return Request("appointment", a.id, a.counter.name, a.state, a.counter.department, a.created_at,
                   a.updated_at or a.created_at, f"/appointments/{a.id}", starts_at=a.start,
                   is_open=a.state == "booked" and a.start > now)


def _activity(table: str) -> RawSQL:
    """Newest activity, or when it was made (a first message held for a moderator has no activity yet)."""
    return RawSQL(f'COALESCE("{table}"."last_activity_at", "{table}"."created_at")')


async def _read(ctx: Ctx, limit: int, *, open_only: bool) -> list[Request]:
    me, now, tz = _me(ctx), utcnow(), ctx.settings.timezone
    inquiries = Inquiry.filter(resident_id=me.id, deleted_at=None)
    reports = StreetReport.filter(author_id=me.id, deleted_at=None)
    appointments = Appointment.filter(resident_id=me.id)
    if open_only:
        inquiries = inquiries.exclude(status="closed")
        reports = reports.exclude(status__in=REPORT_DONE)
        appointments = appointments.filter(state="booked", start__gt=now)
    inquiry_rows = await inquiries.annotate(activity=_activity("inquiries")).order_by(
        "-activity", "-id").limit(limit).select_related("department", "logged_by")
    report_rows = await reports.annotate(activity=_activity("street_reports")).order_by(
        "-activity", "-id").limit(limit).select_related("department")
    appointment_rows = await appointments.order_by("-updated_at", "-id").limit(limit).select_related(
        "counter__department")
    targets = await answer_targets.for_inquiries(inquiry_rows, tz, now)
    targets.update(await answer_targets.for_reports(report_rows, tz, now))
    rows = [_inquiry(i, targets[i.id]) for i in inquiry_rows] + [_report(r, targets[r.id]) for r in report_rows]
    rows += [_appointment(a, now) for a in appointment_rows]
    return sorted(rows, key=lambda r: (r.last_activity_at, r.id), reverse=True)


async def my_requests(ctx: Ctx, page: int = 1) -> tuple[list[Request], bool]:
    """(my requests on page `page`, newest activity first; whether there is a next page). Pages past
    MAX_PAGE are empty (a thousand requests are more than anyone pages through)."""
    _me(ctx)
    if page > MAX_PAGE:
        return [], False
    page = max(1, page)
    rows = await _read(ctx, page * PAGE + 1, open_only=False)
    return rows[(page - 1) * PAGE:page * PAGE], len(rows) > page * PAGE and page < MAX_PAGE


async def my_open_requests(ctx: Ctx, limit: int = 5) -> list[Request]:
    """What is still open (My page's section): inquiries not closed, reports not resolved, coming appointments."""
    return (await _read(ctx, limit, open_only=True))[:limit]
