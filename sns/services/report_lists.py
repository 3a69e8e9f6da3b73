"""What the street-report pages list: the public list, the departments' queue, the city's categories,
and the "reports" map layer. Each list runs a fixed number of queries whatever the data size, and
filters through `policies.report_scope`, so a list never shows what the report page refuses.
"""

from __future__ import annotations

from dataclasses import dataclass

from sns.context import Ctx
from sns.errors import Forbidden, Invalid, NotFound
from sns.i18n import N_, current_locale
from sns.ids import is_id
from sns.models import REPORT_STATUSES, Department, ReportCategory, StreetReport
from sns.policies import can_manage_categories, can_use_report_queue, is_admin, public_report_scope, report_scope
from sns.services import maps
from sns.services.base import clean_text, require, save_change, save_new, transaction
from sns.services.reports import status_label
from sns.services.timelines import Page, _before
from sns.services.departments import _position

QUEUE_PAGE = 30
OPEN = ("received", "in_progress")


def category_name(category, locale: str | None = None) -> str:
    """The name in the reader's language (Japanese when given, else the English one)."""
    if (locale or current_locale()) == "ja" and category.name_ja:
        return category.name_ja
    return category.name


# --- the public list ---------------------------------------------------------------------------

@dataclass
class ReportFilter:
    category: str = ""
    status: str = ""
    mine: bool = False


def check_filter(f: ReportFilter) -> ReportFilter:
    if f.category and not is_id(f.category):
        raise Invalid(N_("Choose one of the categories in the list."), field="category")
    if f.status and f.status not in REPORT_STATUSES:
        raise Invalid(N_("Choose one of the statuses in the list."), field="status")
    return f


async def list_reports(ctx: Ctx, f: ReportFilter, *, before: str | None = None,
                       limit: int | None = None) -> Page:
    """Reports the viewer may see, newest first (one query; `photos_of` adds one for thumbnails)."""
    f = check_filter(f)
    limit = limit or ctx.settings.page_size
    q = StreetReport.filter(report_scope(ctx.viewer) & _before(before))
    if f.category:
        q = q.filter(category_id=f.category)
    if f.status:
        q = q.filter(status=f.status)
    if f.mine:
        if ctx.user is None:
            raise Forbidden(N_("Please sign in."))
        q = q.filter(author_id=ctx.user.id)
    rows = await q.order_by("-id").limit(limit + 1).select_related("category")
    return Page(rows[:limit], rows[limit - 1].id if len(rows) > limit else None)


async def public_reports(category_id: str | None = None, limit: int = 50) -> list[StreetReport]:
    """What a visitor may see, newest activity first: for feeds."""
    q = StreetReport.filter(public_report_scope())
    if category_id:
        q = q.filter(category_id=category_id)
    return await q.order_by("-last_activity_at", "-id").limit(limit).select_related("category")


# --- the departments' queue ----------------------------------------------------------------------

async def queue_departments(ctx: Ctx) -> list[Department]:
    if not can_use_report_queue(ctx.viewer):
        raise Forbidden(N_("Only the city's department staff can open the reports queue."))
    q = Department.filter(deleted_at=None)
    if not is_admin(ctx.viewer):
        q = q.filter(id__in=list(ctx.viewer.department_ids))
    return await q.order_by("position", "name")


async def queue(ctx: Ctx, status: str = "", page: int = 1) -> tuple[list[StreetReport], bool]:
    """My departments' published reports (administrators: all), oldest waiting first. `status` empty:
    the open ones (received and in progress)."""
    departments = await queue_departments(ctx)
    if status and status not in REPORT_STATUSES:
        raise Invalid(N_("Choose one of the statuses in the list."), field="status")
    q = StreetReport.filter(public_report_scope(), status__in=[status] if status else list(OPEN))
    if not is_admin(ctx.viewer):
        q = q.filter(department_id__in=[d.id for d in departments])
    page = max(1, min(page, 1000))
    rows = await q.order_by("last_activity_at", "id").offset((page - 1) * QUEUE_PAGE).limit(
        QUEUE_PAGE + 1).select_related("category", "author")
    return rows[:QUEUE_PAGE], len(rows) > QUEUE_PAGE


# --- the city's categories ------------------------------------------------------------------------

async def categories(*, include_inactive: bool = False) -> list[ReportCategory]:
    q = ReportCategory.filter(deleted_at=None)
    if not include_inactive:
        q = q.filter(active=True)
    return await q.order_by("position", "name")


async def get_category(category_id) -> ReportCategory:
    found = await ReportCategory.get_or_none(id=category_id, deleted_at=None) \
        if isinstance(category_id, str) and is_id(category_id) else None
    if found is None:
        raise NotFound(N_("There is no such category."))
    return found


async def all_categories(ctx: Ctx) -> list[ReportCategory]:
    require(can_manage_categories(ctx.viewer))
    return await ReportCategory.filter(deleted_at=None).order_by("position", "name").select_related("department")


async def _department(value) -> str | None:
    if value in (None, ""):
        return None
    found = await Department.get_or_none(id=value, deleted_at=None) if isinstance(value, str) and is_id(value) \
        else None
    if found is None:
        raise Invalid(N_("Choose one of the departments in the list."), field="department")
    return found.id


async def save_category(ctx: Ctx, category_id: str | None = None, *, name, name_ja="", department=None,
                        position=None, active=True) -> ReportCategory:
    """Add a category (no id) or change one: names, the department it goes to, order, whether offered."""
    require(can_manage_categories(ctx.viewer))
    name = clean_text(name, field="name", max_chars=100, single_line=True)
    name_ja = clean_text(name_ja, field="name_ja", max_chars=100, single_line=True, required=False)
    department_id = await _department(department)
    async with transaction() as tx:
        if category_id is None:
            if position in (None, ""):
                last = await ReportCategory.filter(deleted_at=None).order_by("-position").first()
                position = (last.position + 10) if last else 10
            category = await save_new(ReportCategory(name=name, name_ja=name_ja, department_id=department_id,
                                                     position=_position(position), active=bool(active),
                                                     origin=ctx.origin), tx)
        else:
            category = await get_category(category_id)
            category.name, category.name_ja, category.department_id = name, name_ja, department_id
            category.position, category.active = _position(position), bool(active)
            await save_change(category, tx)
    return category


async def move_category(ctx: Ctx, category_id: str, direction: str) -> None:
    """Move a category one place up or down in the list (positions are renumbered 10, 20, 30...)."""
    require(can_manage_categories(ctx.viewer))
    if direction not in ("up", "down"):
        raise Invalid(N_("Choose up or down."), field="direction")
    ordered = await ReportCategory.filter(deleted_at=None).order_by("position", "name")
    at = next((n for n, c in enumerate(ordered) if c.id == category_id), None)
    if at is None:
        raise NotFound(N_("There is no such category."))
    to = at - 1 if direction == "up" else at + 1
    if not 0 <= to < len(ordered):
        return
    ordered[at], ordered[to] = ordered[to], ordered[at]
    async with transaction() as tx:
        for n, category in enumerate(ordered):
            if category.position != (n + 1) * 10:
                category.position = (n + 1) * 10
                await save_change(category, tx)


# --- the map layer ------------------------------------------------------------------------------

async def _features(ctx: Ctx, bbox: maps.BBox, limit: int) -> list[dict]:
    """Published reports in the box (the same for everyone): one query of plain rows."""
    rows = await StreetReport.filter(public_report_scope(), **bbox.around()).order_by("-id").limit(limit).values(
        "id", "title", "lat", "lon", "status", "category__name", "category__name_ja")
    ja = current_locale() == "ja"
    labels = {s: status_label(s) for s in REPORT_STATUSES}
    return [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
             "properties": {"id": r["id"], "title": r["title"], "url": f"/reports/{r['id']}", "status": r["status"],
                            "status_label": labels.get(r["status"], r["status"]),
                            "muted": r["status"] in ("resolved", "closed"),  # drawn faded: nothing left to do
                            "category": (r["category__name_ja"] if ja and r["category__name_ja"]
                                         else r["category__name"])}}
            for r in rows]  # as `maps.point` builds them, inline: this runs for every marker in view


LAYER = maps.Layer("reports", N_("Street reports"), _features, order=30, public=True, colour="#b5462f",
                   list_url="/reports")  # the map layer of street reports (sns/areas.py)
