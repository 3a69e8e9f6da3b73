"""Telling followers elsewhere what changed: the services call these inside the transaction that writes the
notice, alert or diary, so the change and its deliveries commit together (sns/fediverse/queue.py).

Each takes whether a visitor could see the record *before* the change (the service works that out with the
same predicate, sns/policies/fediverse.py, before it changes anything) and looks at it now:

- not before, now: `Create` (a new notice or alert; a diary made public, approved by a moderator);
- before and now: `Update` (an edit, a masked text, an alert's new status or corrected text; a cancelled
  alert is an `Update` showing "Cancelled": it stays readable, as on its page);
- before, not now: `Delete` with a Tombstone (deleted, removed by a moderator, held by the filter, made
  members-only, friends-only or private);
- neither: nothing at all, so nothing a visitor cannot see is ever queued.
"""

from __future__ import annotations

from typing import Any

from sns.fediverse.addresses import CITY
from sns.fediverse.objects import (
    activity, actor_deleted, alert_id, alert_note, diary_id, diary_note, notice_id, notice_note, tombstone,
)
from sns.fediverse.queue import enqueue
from sns.models import Follower, Photo, User
from sns.models.base import utcnow
from sns.policies.fediverse import (
    fediverse_can_see_alert, fediverse_can_see_diary, fediverse_can_see_notice,
    fediverse_can_see_photo, fediverse_saw_diary,
)
from sns.settings import Settings


def _step(was: bool, now: bool) -> str | None:
    if now:
        return "Update" if was else "Create"
    return "Delete" if was else None


async def _queue(conn, settings: Settings, actor: str, name: str, step: str, obj: dict[str, Any], record) -> int:
    return await enqueue(conn, actor, activity(step, settings, name, obj, record.version))


async def visible_photos(conn, diary) -> list[Photo]:
    """The entry's photos a visitor may see, in order (`conn`: the caller's transaction, or None)."""
    query = Photo.filter(diary_id=diary.id, deleted_at=None).order_by("position")
    photos = await (query.using_db(conn) if conn is not None else query)
    return [p for p in photos if fediverse_can_see_photo(p, diary)]


def diary_visible(settings: Settings, diary, author) -> bool:
    """Whether followers elsewhere may see the entry now (call before changing it: `was_visible`)."""
    return fediverse_can_see_diary(diary, author, settings.fediverse_handle)


async def diary_changed(conn, settings: Settings, diary, author, was_visible: bool) -> int:
    """After a diary entry was written, edited, deleted, held, approved or removed (in the same transaction)."""
    step = _step(was_visible, diary_visible(settings, diary, author))
    if step is None:
        return 0
    if step == "Delete":
        obj = tombstone(diary_id(settings, diary.id), diary.deleted_at or utcnow())
    else:
        obj = diary_note(settings, author, diary, await visible_photos(conn, diary))
    return await _queue(conn, settings, author.id, author.username, step, obj, diary)


async def _city_post_changed(conn, settings: Settings, post, was_visible: bool, visible: bool, object_id,
                             note) -> int:
    """What the city's followers are sent when one of its notices or alerts changed (`object_id` and `note`
    make the object's id and its Note)."""
    step = _step(was_visible, visible)
    if step is None:
        return 0
    handle = settings.fediverse_handle
    obj = tombstone(object_id(settings, post.id), post.deleted_at or utcnow()) if step == "Delete" \
        else note(settings, handle, post)
    return await _queue(conn, settings, CITY, handle, step, obj, post)


async def notice_changed(conn, settings: Settings, notice, was_visible: bool) -> int:
    return await _city_post_changed(conn, settings, notice, was_visible, fediverse_can_see_notice(notice),
                                    notice_id, notice_note)


async def alert_changed(conn, settings: Settings, alert, was_visible: bool) -> int:
    return await _city_post_changed(conn, settings, alert, was_visible,
                                    fediverse_can_see_alert(alert, settings.origin), alert_id, alert_note)


async def diary_decided(ctx, diary, before: str, tx) -> None:
    """The review queue's hook (`Reviewable.decided`, sns/services/review.py): a moderator approved, masked or
    removed a diary entry. Visibility and author do not change by moderation, only the state and deletion."""
    author = await User.get(id=diary.author_id).using_db(tx)
    was = fediverse_saw_diary(diary, author, ctx.settings.fediverse_handle, before)
    await diary_changed(tx, ctx.settings, diary, author, was)


async def notice_decided(ctx, notice, before: str, tx) -> None:
    """A moderator masked or removed a notice (notices are never held: it was visible before)."""
    await notice_changed(tx, ctx.settings, notice, True)


async def actor_withdrawn(conn, settings: Settings, user) -> int:
    """A resident stopped being followable: their followers' servers are told the actor is gone, and the
    followers are forgotten (they would have to follow again after the resident opts in again)."""
    queued = await enqueue(conn, user.id, actor_deleted(settings, user.username, int(utcnow().timestamp())))
    await Follower.filter(actor=user.id).using_db(conn).delete()
    return queued
