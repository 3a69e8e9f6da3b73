"""Street reports ("machikado reporter"): a resident reports something wrong in the street; the
department its category routes to sets its status with a public comment; followers are told.

Write: authorize -> clean -> rate limit -> moderation `screen()` -> one transaction (the report,
its photos, the reporter's follow, the department's notification) -> after commit the moderators
are told of a held one. A held report reaches its department when a moderator approves it.
Lists, the queue, categories and the map layer are in `sns.services.report_lists`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from sns import events
from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.geo import parse_location
from sns.i18n import N_, gettext
from sns.ids import is_id
from sns.models import REPORT_STATUSES, Photo, ReportCategory, ReportFollow, ReportUpdate, StreetReport
from sns.models.base import utcnow
from sns.policies import (
    can_edit_report, can_file_report, can_follow_report, can_view_report, can_work_report,
)
from sns.policies.partners import can_file_for_partner
from sns.services import photo_access, review
from sns.services.base import (
    clean_text, delete_with_tombstone, idempotency_key, rate_limit_post, require, save_change, save_new,
    transaction,
)
from sns.services.departments import staff_ids
from sns.services.photos import photos_kept, process_photos, replace_photos, store_photos
from sns.services.moderate import open_flag, screen, tell_moderators
from sns.services.notifications import notify
from sns.services.shared import public_changed

MAX_BODY = 5000
MAX_COMMENT = 2000
STATUS_LABELS = {
    "received": N_("Received"),
    "in_progress": N_("In progress"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
}


def status_label(status: str) -> str:
    return gettext(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def report_url(report_id: str) -> str:
    return f"/reports/{report_id}"


# --- what this area hands to the site (sns/areas.py): moderation and photos ----------------

async def _visible(viewer, report) -> bool:
    return can_view_report(viewer, report)


async def _decided(ctx: Ctx, report: StreetReport, before: str, tx):
    """A held report that a moderator approves (or masks) reaches its department at once."""
    if before == "held" and report.state == "published" and report.deleted_at is None:
        await _tell_department(report, tx)
    return None


# What this area hands to the site (sns/areas.py): the review queue's kind "street_report", who sees its photos.
REVIEWABLE = review.Reviewable(StreetReport, N_("Street report"), _visible, lambda r: report_url(r.id),
                               fields=("title", "body"), decided=_decided)
photo_visible = photo_access.owner_check(StreetReport, can_view_report)


async def _tell_department(report: StreetReport, tx) -> None:
    if report.department_id:
        await notify(await staff_ids(report.department_id, tx), "report_new", url=report_url(report.id),
                     subject=report.title, actor_id=report.author_id, conn=tx)


# --- reading -----------------------------------------------------------------------------

async def get_report(ctx: Ctx, report_id: str) -> StreetReport:
    """The report if the viewer may see it; otherwise NotFound (no hint that it exists)."""
    report = await StreetReport.get_or_none(id=report_id).select_related("category", "author") \
        if isinstance(report_id, str) and is_id(report_id) else None
    if report is None or not can_view_report(ctx.viewer, report):
        raise NotFound(N_("This street report does not exist or is not shared with you."))
    return report


async def history(report_id: str) -> list[ReportUpdate]:
    """The report's public history, oldest first."""
    return await ReportUpdate.filter(report_id=report_id, deleted_at=None).order_by("id").select_related("author")


async def photos_of(report_ids: list[str]) -> dict[str, list[Photo]]:
    out: dict[str, list[Photo]] = {i: [] for i in report_ids}
    if report_ids:
        for p in await Photo.filter(purpose="report", parent_id__in=report_ids, deleted_at=None).order_by(
                "position"):
            out[p.parent_id].append(p)
    return out


async def is_following(ctx: Ctx, report_id: str) -> bool:
    return ctx.user is not None and await ReportFollow.filter(report_id=report_id, user_id=ctx.user.id).exists()


# --- checking what was typed -------------------------------------------------------------------

async def check_category(value) -> ReportCategory:
    category = await ReportCategory.get_or_none(id=value, deleted_at=None, active=True) \
        if isinstance(value, str) and is_id(value) else None
    if category is None:
        raise Invalid(N_("Choose one of the categories in the list."), field="category")
    return category


def check_status(value) -> str:
    if value not in REPORT_STATUSES:
        raise Invalid(N_("Choose one of the statuses in the list."), field="status")
    return value


def check_place(lat, lon, blur) -> tuple[float, float]:
    lat, lon = parse_location(lat, lon, blur=bool(blur))
    if lat is None:
        raise Invalid(N_("Show where it is: tap the map, use your position, or give latitude and longitude."),
                      field="location")
    return lat, lon


async def _clean(ctx: Ctx, *, category, title, body, place, lat, lon, blur):
    category = await check_category(category)
    title = clean_text(title, field="title", max_chars=200, single_line=True)
    body = clean_text(body, field="body", max_chars=min(ctx.settings.max_body_chars, MAX_BODY))
    place = clean_text(place, field="place", max_chars=200, single_line=True, required=False)
    lat, lon = check_place(lat, lon, blur)
    return category, title, body, place, lat, lon


# --- writing -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Partner:
    """A report a partner's system files over Open311 (sns/services/open311.py), written as the partner's system
    account: its key, and the resident's name and address as the partner sent them (for the department's staff
    only: never shown publicly, never mirrored). Its rate limit is the key's, counted before."""

    key_id: str
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


async def write_report(ctx: Ctx, *, category, title, body, lat, lon, place="", blur=False, photos=(),
                       client_token: str | None = None, partner: Partner | None = None) -> StreetReport:
    client_token = idempotency_key(client_token)
    if partner is None:
        require(can_file_report(ctx.viewer), N_("Please sign in to report something in the street."))
    else:
        require(can_file_for_partner(ctx.viewer))
    if client_token:
        earlier = await StreetReport.get_or_none(client_token=client_token, author_id=ctx.user.id)
        if earlier is not None:  # a double-submitted form posts once
            return earlier
    category, title, body, place, lat, lon = await _clean(ctx, category=category, title=title, body=body,
                                                          place=place, lat=lat, lon=lon, blur=blur)
    images = await process_photos(ctx, list(photos))
    if partner is None:
        await rate_limit_post(ctx)
    # strangers' words, filed by a partner, do not make its shared account "grey"
    screening = await screen(ctx, title, body, counts=partner is None)
    title, body = screening.texts
    by_partner = {} if partner is None else {
        "channel": "open311", "partner_key_id": partner.key_id, "contact_name": partner.contact_name,
        "contact_email": partner.contact_email, "contact_phone": partner.contact_phone}
    try:
        async with transaction() as tx:
            report = await save_new(StreetReport(
                author_id=ctx.user.id, category_id=category.id, department_id=category.department_id, title=title,
                body=body, place=place, lat=lat, lon=lon, state=screening.state, last_activity_at=utcnow(),
                client_token=client_token, origin=ctx.origin, **by_partner), tx)
            await store_photos(ctx, images, tx, parent_id=report.id, purpose="report")
            if partner is None:  # a partner's account follows nothing: nobody is told on its behalf
                await save_new(ReportFollow(report_id=report.id, user_id=ctx.user.id, origin=ctx.origin), tx)
            flag = await open_flag(screening, "street_report", report.id, ctx.user.id, tx)
            if screening.state == "published":
                await _tell_department(report, tx)
    except IntegrityError:  # the same form, submitted twice at once: the first one won
        return await StreetReport.get(client_token=client_token, author_id=ctx.user.id)
    await tell_moderators(ctx, flag)
    report.held_reason = screening.reason if screening.state == "held" else None
    public_changed()
    await events.publish("report.created", {"id": report.id, "category": category.id})
    return report


async def edit_report(ctx: Ctx, report_id: str, *, category, title, body, lat, lon, place="", blur=False,
                      photos=(), remove_photos=()) -> StreetReport:
    """The author corrects their report while it is still "received"."""
    report = await get_report(ctx, report_id)
    require(can_edit_report(ctx.viewer, report), N_("A report can be changed only until the city starts on it."))
    category, title, body, place, lat, lon = await _clean(ctx, category=category, title=title, body=body,
                                                          place=place, lat=lat, lon=lon, blur=blur)
    existing = (await photos_of([report.id]))[report.id]
    keep = photos_kept(ctx, existing, remove_photos, photos)
    images = await process_photos(ctx, list(photos))
    screening = await screen(ctx, title, body)
    title, body = screening.texts
    async with transaction() as tx:
        report.category_id, report.title, report.body, report.place = category.id, title, body, place
        report.lat, report.lon = lat, lon
        if report.department_id != category.department_id:
            report.department_id = category.department_id
        if screening.state != "published":
            report.state = screening.state
        await save_change(report, tx)
        flag = await open_flag(screening, "street_report", report.id, ctx.user.id, tx)
        await replace_photos(ctx, tx, existing, keep, images, parent_id=report.id, purpose="report")
    await tell_moderators(ctx, flag)
    report.held_reason = screening.reason if screening.state == "held" else None
    public_changed()
    await events.publish("report.updated", {"id": report.id})
    return report


async def set_status(ctx: Ctx, report_id: str, status, comment="") -> ReportUpdate:
    """Staff of the report's department set its status with a public comment; every follower is told.
    A closed report is reopened the same way (only staff can)."""
    report = await get_report(ctx, report_id)
    require(can_work_report(ctx.viewer, report), N_("Only the staff of this report's department can change it."))
    status = check_status(status)
    comment = clean_text(comment, field="comment", max_chars=MAX_COMMENT, required=False)
    if status == report.status and not comment:
        raise Invalid(N_("Choose a new status or write a comment."), field="comment")
    async with transaction() as tx:
        update = await save_new(ReportUpdate(report_id=report.id, author_id=ctx.user.id, status=status,
                                             comment=comment, origin=ctx.origin), tx)
        report.status, report.last_activity_at = status, utcnow()
        await save_change(report, tx)
        followers = await ReportFollow.filter(report_id=report.id, deleted_at=None).using_db(tx).values_list(
            "user_id", flat=True)
        await notify(followers, "report_status", url=report_url(report.id), subject=report.title,
                     actor_id=ctx.user.id, conn=tx)
    public_changed()
    await events.publish("report.status", {"id": report.id, "status": status})
    return update


async def follow(ctx: Ctx, report_id: str) -> StreetReport:
    report = await get_report(ctx, report_id)
    require(can_follow_report(ctx.viewer, report), N_("Please sign in to follow a report."))
    if not await ReportFollow.filter(report_id=report.id, user_id=ctx.user.id).exists():
        try:
            async with transaction() as tx:
                await save_new(ReportFollow(report_id=report.id, user_id=ctx.user.id, origin=ctx.origin), tx)
        except IntegrityError:  # followed twice at once
            pass
    return report


async def unfollow(ctx: Ctx, report_id: str) -> StreetReport:
    report = await get_report(ctx, report_id)
    require(can_follow_report(ctx.viewer, report), N_("Please sign in to follow a report."))
    row = await ReportFollow.get_or_none(report_id=report.id, user_id=ctx.user.id)
    if row is not None:
        async with transaction() as tx:
            await delete_with_tombstone(row, tx)
    return report
