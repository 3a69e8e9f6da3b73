"""What the city pages list: a resident's own inquiries, and the departments' shared inbox.

Each list runs a fixed number of queries; the inbox shows only the departments the viewer works
for (administrators: all), newest activity first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sns.context import Ctx
from sns.errors import Forbidden, Invalid
from sns.i18n import N_
from sns.models import INQUIRY_STATUSES, Department, Inquiry
from sns.policies import can_use_city_inbox, is_admin
from sns.services import answer_targets

PAGE = 30
OVERDUE_SCAN = 2000  # open inquiries looked at for the overdue ones (oldest first)
WHO = ("", "unassigned", "mine")


@dataclass
class InboxFilter:
    department: str = ""
    status: str = ""
    who: str = ""
    overdue: bool = False  # only those past their department's answer time, the most overdue first


def is_new_for_resident(inquiry: Inquiry) -> bool:
    if inquiry.last_activity_at is None or inquiry.resident_read_at is None:
        return False
    return inquiry.resident_read_at < inquiry.last_activity_at


async def mine(ctx: Ctx, limit: int = 100) -> list[Inquiry]:
    """My inquiries, newest first, with their department and status."""
    if ctx.user is None:
        raise Forbidden(N_("Please sign in."))
    return await Inquiry.filter(resident_id=ctx.user.id, deleted_at=None).order_by("-id").limit(limit).select_related(
        "department")


async def inbox_departments(ctx: Ctx) -> list[Department]:
    """The departments whose inbox the viewer shares."""
    if not can_use_city_inbox(ctx.viewer):
        raise Forbidden(N_("Only the city's department staff can open this inbox."))
    q = Department.filter(deleted_at=None)
    if not is_admin(ctx.viewer):
        q = q.filter(id__in=list(ctx.viewer.department_ids))
    return await q.order_by("position", "name")


def check_filter(f: InboxFilter, departments: list[Department]) -> InboxFilter:
    if f.department and f.department not in {d.id for d in departments}:
        raise Invalid(N_("Choose one of your departments."), field="department")
    if f.status and f.status not in INQUIRY_STATUSES:
        raise Invalid(N_("Choose one of the statuses in the list."), field="status")
    if f.who not in WHO:
        raise Invalid(N_("Choose whose inquiries to show."), field="who")
    return f


async def inbox(ctx: Ctx, f: InboxFilter, page: int = 1) -> tuple[list[Inquiry], bool, list[Department]]:
    """(inquiries, whether there is a next page, the viewer's departments)."""
    departments = await inbox_departments(ctx)
    f = check_filter(f, departments)
    ids = [d.id for d in departments]
    q = Inquiry.filter(department_id__in=[f.department] if f.department else ids, deleted_at=None,
                       last_activity_at__isnull=False)
    if f.status:
        q = q.filter(status=f.status)
    if f.who == "unassigned":
        q = q.filter(assignee_id=None)
    elif f.who == "mine":
        q = q.filter(assignee_id=ctx.user.id)
    page = max(1, min(page, 1000))
    if f.overdue:
        rows = await _overdue(ctx, q)
        return rows[(page - 1) * PAGE:page * PAGE], len(rows) > page * PAGE, departments
    rows = await q.order_by("-last_activity_at").offset((page - 1) * PAGE).limit(PAGE + 1).select_related(
        "department", "resident", "assignee")
    return rows[:PAGE], len(rows) > PAGE, departments


async def _overdue(ctx: Ctx, q) -> list[Inquiry]:
    """The open inquiries of `q` past their first-answer or closing time, the one due longest ago first."""
    rows = await q.filter(closed_at=None).exclude(status="closed").order_by("created_at").limit(
        OVERDUE_SCAN).select_related("department", "resident", "assignee")
    targets = await answer_targets.for_inquiries(rows, ctx.settings.timezone)
    late = [i for i in rows if targets[i.id].overdue]

    def due(i: Inquiry):
        t = targets[i.id]
        return t.first_answer_due if t.late_first else t.close_due
    return sorted(late, key=due)
