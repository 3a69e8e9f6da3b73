"""A resident's thread with a department: write, reply, assign to a colleague, set the status.

The resident and that department's staff read the whole thread, status changes and hand-overs
included (`policies.can_view_inquiry`); nobody else does. Resident texts pass through moderation:
a held first message keeps the whole thread from the department until a moderator approves it
(the review queue's `_decided` then hands it over). Staff texts are not held. A closed thread refuses the
resident's replies (they write a new inquiry, or staff reopen it by setting another status).
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from sns import events
from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.i18n import N_
from sns.models import INQUIRY_STATUSES, DepartmentStaff, Inquiry, InquiryEntry, Photo, User
from sns.models.base import utcnow
from sns.policies import (
    can_reply_inquiry, can_view_inquiry, can_view_inquiry_entry, can_work_inquiry, can_write_to_department, is_self,
)
from sns.policies.requests import LOGGED_CHANNELS, can_log_inquiry, can_log_inquiry_for
from sns.services import photo_access, review
from sns.services.base import (
    clean_text, idempotency_key, rate_limit_post, require, save_change, save_new, transaction,
)
from sns.services.accounts import USERNAME_RE
from sns.services.departments import get_department, staff_ids
from sns.services.mail_intake_answers import answer_message_id, mail_answer
from sns.services.photos import process_photos, store_photos
from sns.services.moderate import open_flag, screen, tell_moderators
from sns.services.notifications import mark_read as notifications_read, notify

MAX_BODY = 10_000


def inquiry_url(inquiry_id: str) -> str:
    return f"/city/{inquiry_id}"


async def _entry_visible(viewer, entry) -> bool:
    inquiry = await Inquiry.get_or_none(id=entry.inquiry_id)
    return inquiry is not None and can_view_inquiry_entry(viewer, entry, inquiry)


async def _decided(ctx: Ctx, entry: InquiryEntry, before: str, tx):
    """A resident's held words that a moderator approves (or masks) reach the department at once."""
    if before == "held" and entry.state == "published" and entry.deleted_at is None:
        await _reached_department(ctx, await Inquiry.get(id=entry.inquiry_id).using_db(tx), entry, tx)
    return None


# What this area hands to the site (sns/areas.py): the review queue's kind "inquiry_entry", who sees its photos.
REVIEWABLE = review.Reviewable(InquiryEntry, N_("Message to the city"), _entry_visible,
                               lambda e: inquiry_url(e.inquiry_id), fields=("body",), decided=_decided)
photo_visible = photo_access.owner_check(Inquiry, can_view_inquiry)


def check_status(value) -> str:
    if value not in INQUIRY_STATUSES:
        raise Invalid(N_("Choose one of the statuses in the list."), field="status")
    return value


async def get_inquiry(ctx: Ctx, inquiry_id: str) -> Inquiry:
    inquiry = await Inquiry.get_or_none(id=inquiry_id).select_related("department", "resident", "assignee",
                                                                                       "logged_by")
    if inquiry is None or not can_view_inquiry(ctx.viewer, inquiry):
        raise NotFound(N_("This inquiry does not exist or is not shared with you."))
    return inquiry


async def entries_of(ctx: Ctx, inquiry: Inquiry) -> list[InquiryEntry]:
    """The thread, oldest first: messages, status changes and hand-overs the viewer may see."""
    rows = await InquiryEntry.filter(inquiry_id=inquiry.id, deleted_at=None).order_by("id").select_related(
        "author", "assignee")
    return [e for e in rows if can_view_inquiry_entry(ctx.viewer, e, inquiry)]


async def photos_of(inquiry_id: str) -> list[Photo]:
    return await Photo.filter(purpose="inquiry", parent_id=inquiry_id, deleted_at=None).order_by("position")


async def _reached_department(ctx: Ctx, inquiry: Inquiry, entry: InquiryEntry, tx) -> None:
    """A resident's words reach the department: newest activity, an answered thread reopens, staff told."""
    first = inquiry.last_activity_at is None
    inquiry.last_activity_at = utcnow()
    if inquiry.status == "answered":
        inquiry.status = "in_progress"
    await save_change(inquiry, tx)
    told = [inquiry.assignee_id] if inquiry.assignee_id and not first else await staff_ids(inquiry.department_id, tx)
    await notify(told, "inquiry_new", url=inquiry_url(inquiry.id), subject=inquiry.subject,
                 actor_id=entry.author_id, conn=tx)


reached_department = _reached_department  # mail to the city (sns/services/mail_intake.py) reaches it the same way


async def create_inquiry(ctx: Ctx, *, department_id, subject, body, photos=(),
                         client_token: str | None = None) -> Inquiry:
    client_token = idempotency_key(client_token)
    department = await get_department(department_id if isinstance(department_id, str) else None)
    require(can_write_to_department(ctx.viewer, department), N_("Please sign in to write to the city."))
    if client_token:
        earlier = await Inquiry.get_or_none(client_token=client_token, resident_id=ctx.user.id)
        if earlier is not None:
            return earlier
    subject = clean_text(subject, field="subject", max_chars=200, single_line=True)
    body = clean_text(body, field="body", max_chars=min(ctx.settings.max_body_chars, MAX_BODY))
    images = await process_photos(ctx, list(photos))
    await rate_limit_post(ctx)
    screening = await screen(ctx, subject, body)
    subject, body = screening.texts
    try:
        async with transaction() as tx:
            inquiry = await save_new(Inquiry(department_id=department.id, resident_id=ctx.user.id, subject=subject,
                                             client_token=client_token, resident_read_at=utcnow(),
                                             origin=ctx.origin), tx)
            entry = await save_new(InquiryEntry(inquiry_id=inquiry.id, author_id=ctx.user.id, kind="message",
                                                body=body, state=screening.state, origin=ctx.origin), tx)
            await store_photos(ctx, images, tx, parent_id=inquiry.id, purpose="inquiry")
            flag = await open_flag(screening, "inquiry_entry", entry.id, ctx.user.id, tx)
            if screening.state == "published":
                await _reached_department(ctx, inquiry, entry, tx)
    except IntegrityError:
        return await Inquiry.get(client_token=client_token, resident_id=ctx.user.id)
    await tell_moderators(ctx, flag)
    inquiry.held_reason = screening.reason if screening.state == "held" else None
    await events.publish("inquiry.created", {"id": inquiry.id, "department": department.id})
    return inquiry


async def log_inquiry(ctx: Ctx, resident_username, department_id, subject, body, channel,
                      client_token: str | None = None) -> Inquiry:
    """Staff log a phone call or a visit to a counter as an inquiry of the resident (`channel` "phone" or
    "counter"), to their own department: the resident follows it in My requests like one they wrote."""
    client_token = idempotency_key(client_token)
    department = await get_department(department_id if isinstance(department_id, str) else None, active_only=False)
    require(can_log_inquiry(ctx.viewer, department), N_("Only this department's staff can log a request for it."))
    if channel not in LOGGED_CHANNELS:
        raise Invalid(N_("Choose how the resident reached you."), field="channel")
    name = resident_username.strip().lower().lstrip("@") if isinstance(resident_username, str) else ""
    resident = await User.get_or_none(username=name, deleted_at=None) if USERNAME_RE.match(name) else None
    if not can_log_inquiry_for(ctx.viewer, department, resident):
        raise Invalid(N_("Give the username of an active resident (not your own)."), field="resident")
    if client_token:
        earlier = await Inquiry.get_or_none(client_token=client_token, resident_id=resident.id)
        if earlier is not None:
            return earlier
    subject = clean_text(subject, field="subject", max_chars=200, single_line=True)
    body = clean_text(body, field="body", max_chars=min(ctx.settings.max_body_chars, MAX_BODY))
    try:
        async with transaction() as tx:
            inquiry = await save_new(Inquiry(department_id=department.id, resident_id=resident.id, subject=subject,
                                             client_token=client_token, channel=channel, logged_by_id=ctx.user.id,
                                             origin=ctx.origin), tx)
            entry = await save_new(InquiryEntry(inquiry_id=inquiry.id, author_id=ctx.user.id, kind="message",
                                                body=body, channel=channel, origin=ctx.origin), tx)
            await _reached_department(ctx, inquiry, entry, tx)
            await notify([resident.id], "inquiry_status", url=inquiry_url(inquiry.id), subject=subject,
                         actor_id=ctx.user.id, conn=tx)
    except IntegrityError:
        return await Inquiry.get(client_token=client_token, resident_id=resident.id)
    await events.publish("inquiry.created", {"id": inquiry.id, "department": department.id})
    return inquiry


async def reply(ctx: Ctx, inquiry_id: str, body, *, status=None, client_token: str | None = None) -> InquiryEntry:
    """Staff answer (the status becomes `status`, "answered" unless they choose another), or the
    resident adds to their thread (an answered thread is back "in progress"; a closed one refuses)."""
    client_token = idempotency_key(client_token)
    inquiry = await get_inquiry(ctx, inquiry_id)
    staff = can_work_inquiry(ctx.viewer, inquiry)
    if not staff and inquiry.status == "closed":
        raise Invalid(N_("This inquiry is closed. Please write a new one if there is more to say."), field="body")
    require(can_reply_inquiry(ctx.viewer, inquiry))
    if client_token:
        earlier = await InquiryEntry.get_or_none(client_token=client_token, author_id=ctx.user.id)
        if earlier is not None:
            return earlier
    body = clean_text(body, field="body", max_chars=min(ctx.settings.max_body_chars, MAX_BODY))
    new_status = check_status(status or "answered") if staff else None
    state, flag = "published", None
    if not staff:
        await rate_limit_post(ctx)
        screening = await screen(ctx, body)
        (body,) = screening.texts
        state = screening.state
    try:
        async with transaction() as tx:
            entry = await save_new(InquiryEntry(inquiry_id=inquiry.id, author_id=ctx.user.id, kind="message",
                                                body=body, from_staff=staff, state=state,
                                                client_token=client_token, origin=ctx.origin,
                                                mail_message_id=answer_message_id(ctx.settings, inquiry)
                                                if staff else ""), tx)
            if staff:
                await mail_answer(ctx.settings, inquiry, entry, inquiry.department.name, tx)  # came by mail
                if new_status not in (inquiry.status, "answered"):  # the thread's history shows the change
                    await save_new(InquiryEntry(inquiry_id=inquiry.id, author_id=ctx.user.id, kind="status",
                                                status=new_status, from_staff=True, origin=ctx.origin), tx)
                inquiry.status, inquiry.last_activity_at = new_status, utcnow()
                stamp_answer_times(inquiry, answered=True)
                await save_change(inquiry, tx)
                await notify([inquiry.resident_id], "inquiry", url=inquiry_url(inquiry.id),
                             subject=inquiry.subject, actor_id=ctx.user.id, conn=tx)
            else:
                flag = await open_flag(screening, "inquiry_entry", entry.id, ctx.user.id, tx)
                if state == "published":
                    await _reached_department(ctx, inquiry, entry, tx)
    except IntegrityError:
        return await InquiryEntry.get(client_token=client_token, author_id=ctx.user.id)
    await tell_moderators(ctx, flag)
    entry.held_reason = screening.reason if not staff and screening.state == "held" else None
    await events.publish("inquiry.entry", {"id": inquiry.id})
    return entry


def stamp_answer_times(inquiry: Inquiry, *, answered: bool) -> None:
    """What the answer targets and the staff dashboard measure: the first answer (a staff message, or the
    thread marked answered or closed), and when it was closed (cleared again when it is reopened)."""
    now = inquiry.last_activity_at or utcnow()
    if answered and inquiry.first_answered_at is None:
        inquiry.first_answered_at = now
    inquiry.closed_at = (inquiry.closed_at or now) if inquiry.status == "closed" else None


async def set_status(ctx: Ctx, inquiry_id: str, status, note="") -> Inquiry:
    inquiry = await get_inquiry(ctx, inquiry_id)
    require(can_work_inquiry(ctx.viewer, inquiry))
    status = check_status(status)
    note = clean_text(note, field="note", max_chars=2000, required=False)
    if status == inquiry.status and not note:
        return inquiry
    async with transaction() as tx:
        await save_new(InquiryEntry(inquiry_id=inquiry.id, author_id=ctx.user.id, kind="status", status=status,
                                    body=note, from_staff=True, origin=ctx.origin), tx)
        inquiry.status, inquiry.last_activity_at = status, utcnow()
        stamp_answer_times(inquiry, answered=status in ("answered", "closed"))
        await save_change(inquiry, tx)
        await notify([inquiry.resident_id], "inquiry_status", url=inquiry_url(inquiry.id), subject=inquiry.subject,
                     actor_id=ctx.user.id, conn=tx)
    await events.publish("inquiry.status", {"id": inquiry.id, "status": status})
    return inquiry


async def assign(ctx: Ctx, inquiry_id: str, username) -> Inquiry:
    """Hand the thread to a colleague of the same department (or take it myself)."""
    inquiry = await get_inquiry(ctx, inquiry_id)
    require(can_work_inquiry(ctx.viewer, inquiry))
    name = username.strip().lower().lstrip("@") if isinstance(username, str) else ""
    colleague = await User.get_or_none(username=name, state="active", deleted_at=None) \
        if USERNAME_RE.match(name) else None
    if colleague is None or not await DepartmentStaff.filter(department_id=inquiry.department_id,
                                                             user_id=colleague.id).exists():
        raise Invalid(N_("Choose a colleague of this department."), field="assignee")
    if colleague.id == inquiry.assignee_id:
        return inquiry
    async with transaction() as tx:
        await save_new(InquiryEntry(inquiry_id=inquiry.id, author_id=ctx.user.id, kind="assign",
                                    assignee_id=colleague.id, from_staff=True, origin=ctx.origin), tx)
        inquiry.assignee_id = colleague.id
        if inquiry.status == "received":
            inquiry.status = "in_progress"
        await save_change(inquiry, tx)
        if not is_self(ctx.viewer, colleague.id):
            await notify([colleague.id], "inquiry_assigned", url=inquiry_url(inquiry.id), subject=inquiry.subject,
                         actor_id=ctx.user.id, conn=tx)
    await events.publish("inquiry.assigned", {"id": inquiry.id})
    return inquiry


async def mark_read(ctx: Ctx, inquiry: Inquiry) -> None:
    """The resident opened their thread: nothing new any more (and the notifications about it are read)."""
    if is_self(ctx.viewer, inquiry.resident_id):
        await Inquiry.filter(id=inquiry.id).update(resident_read_at=utcnow())

    await notifications_read(ctx, url=inquiry_url(inquiry.id))
