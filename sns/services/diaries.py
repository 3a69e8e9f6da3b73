"""Diary entries and their comments: write, edit, delete, with photos and an optional place."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from sns import events
from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.fediverse import publishing as fediverse
from sns.geo import parse_location
from sns.i18n import N_
from sns.models import VISIBILITIES, Comment, Diary, Photo
from sns.policies import (
    can_comment, can_delete_comment, can_delete_diary, can_edit_diary, can_view_diary, can_write_diary,
)
from sns.services.base import (
    clean_text, idempotency_key, rate_limit_post, require, save_change, save_new, tombstone, transaction,
)
from sns.services.moderate import open_flag, screen, tell_moderators
from sns.services.photos import photos_kept, process_photos, remove_photos, replace_photos, store_photos
from sns.services.diary_reads import NOT_FOUND
from sns.services.shared import public_changed


def check_visibility(value: str) -> str:
    if value not in VISIBILITIES:
        raise Invalid(N_("Choose who can see this."), field="visibility")
    return value


async def get_diary(ctx: Ctx, diary_id: str) -> Diary:
    """The diary if the viewer may see it; otherwise NotFound (no hint that it exists)."""
    diary = await Diary.get_or_none(id=diary_id).select_related("author")
    if diary is None or not can_view_diary(ctx.viewer, diary):
        raise NotFound(NOT_FOUND)
    return diary


async def write_diary(ctx: Ctx, *, title, body, visibility, lat=None, lon=None, blur=False, photos=(),
                      client_token: str | None = None) -> Diary:
    client_token = idempotency_key(client_token)
    require(can_write_diary(ctx.viewer))
    if client_token:
        earlier = await Diary.get_or_none(client_token=client_token, author_id=ctx.user.id)
        if earlier is not None:  # a double-submitted form posts once
            return earlier
    title = clean_text(title, field="title", max_chars=200, single_line=True)
    body = clean_text(body, field="body", max_chars=ctx.settings.max_body_chars)
    visibility = check_visibility(visibility)
    lat, lon = parse_location(lat, lon, blur=bool(blur))
    images = await process_photos(ctx, list(photos))
    await rate_limit_post(ctx)
    screening = await screen(ctx, title, body)
    title, body = screening.texts
    try:
        async with transaction() as tx:
            diary = await save_new(Diary(
                author_id=ctx.user.id, title=title, body=body, visibility=visibility, lat=lat, lon=lon,
                state=screening.state, client_token=client_token or None, origin=ctx.origin,
            ), tx)
            await store_photos(ctx, images, tx, diary_id=diary.id)
            flag = await open_flag(screening, "diary", diary.id, ctx.user.id, tx)
            await fediverse.diary_changed(tx, ctx.settings, diary, ctx.user, False)  # followers elsewhere
    except IntegrityError:  # the same form, submitted twice at once: the first one won
        return await Diary.get(client_token=client_token, author_id=ctx.user.id)
    await tell_moderators(ctx, flag)
    diary.held_reason = screening.reason if screening.state == "held" else None  # for the author's message
    public_changed()
    await events.publish("diary.created", {"id": diary.id, "visibility": visibility})
    return diary


async def edit_diary(ctx: Ctx, diary_id: str, *, title, body, visibility, lat=None, lon=None, blur=False,
                     photos=(), remove_photos=()) -> Diary:
    diary = await get_diary(ctx, diary_id)
    require(can_edit_diary(ctx.viewer, diary))
    title = clean_text(title, field="title", max_chars=200, single_line=True)
    body = clean_text(body, field="body", max_chars=ctx.settings.max_body_chars)
    visibility = check_visibility(visibility)
    lat, lon = parse_location(lat, lon, blur=bool(blur))
    existing = await Photo.filter(diary_id=diary.id, deleted_at=None).order_by("position")
    keep = photos_kept(ctx, existing, remove_photos, photos)
    images = await process_photos(ctx, list(photos))
    screening = await screen(ctx, title, body)
    title, body = screening.texts
    was_federated = fediverse.diary_visible(ctx.settings, diary, diary.author)
    async with transaction() as tx:
        diary.title, diary.body, diary.visibility, diary.lat, diary.lon = title, body, visibility, lat, lon
        if screening.state != "published":
            diary.state = screening.state
        await save_change(diary, tx)
        flag = await open_flag(screening, "diary", diary.id, ctx.user.id, tx)
        await replace_photos(ctx, tx, existing, keep, images, diary_id=diary.id)
        await fediverse.diary_changed(tx, ctx.settings, diary, diary.author, was_federated)
    await tell_moderators(ctx, flag)
    diary.held_reason = screening.reason if screening.state == "held" else None
    public_changed()
    await events.publish("diary.updated", {"id": diary.id})
    return diary


async def delete_diary(ctx: Ctx, diary_id: str) -> None:
    diary = await get_diary(ctx, diary_id)
    require(can_delete_diary(ctx.viewer, diary))
    was_federated = fediverse.diary_visible(ctx.settings, diary, diary.author)
    async with transaction() as tx:
        await tombstone(diary, tx)
        await remove_photos(tx, diary_id=diary.id)
        await fediverse.diary_changed(tx, ctx.settings, diary, diary.author, was_federated)
    public_changed()
    await events.publish("diary.deleted", {"id": diary.id})


async def add_comment(ctx: Ctx, diary_id: str, body, client_token: str | None = None) -> Comment:
    client_token = idempotency_key(client_token)
    diary = await get_diary(ctx, diary_id)
    require(can_comment(ctx.viewer, diary), N_("You cannot comment on this diary entry."))
    if client_token:
        earlier = await Comment.get_or_none(client_token=client_token, author_id=ctx.user.id)
        if earlier is not None:
            return earlier
    body = clean_text(body, field="comment", max_chars=min(ctx.settings.max_body_chars, 5000))
    await rate_limit_post(ctx)
    screening = await screen(ctx, body)
    (body,) = screening.texts
    try:
        async with transaction() as tx:
            comment = await save_new(Comment(diary_id=diary.id, author_id=ctx.user.id, body=body,
                                             state=screening.state, client_token=client_token or None,
                                             origin=ctx.origin), tx)
            flag = await open_flag(screening, "comment", comment.id, ctx.user.id, tx)
    except IntegrityError:
        return await Comment.get(client_token=client_token, author_id=ctx.user.id)
    await tell_moderators(ctx, flag)
    comment.held_reason = screening.reason if screening.state == "held" else None
    await events.publish("comment.created", {"id": comment.id, "diary": diary.id, "to": diary.author_id})
    return comment


async def delete_comment(ctx: Ctx, comment_id: str) -> Diary:
    comment = await Comment.get_or_none(id=comment_id, deleted_at=None)
    if comment is None:
        raise NotFound(N_("This comment does not exist."))
    diary = await get_diary(ctx, comment.diary_id)
    require(can_delete_comment(ctx.viewer, comment, diary))
    async with transaction() as tx:
        await tombstone(comment, tx)
    return diary
