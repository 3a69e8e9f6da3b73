"""The disaster board: while disaster mode is on, residents report damage (text, optional photos with
their location and camera details removed, an optional place). Posts are public once published and go
through the word filter and the review queue like any resident's text; each one can be reported.

Write: authorize -> clean -> rate limit -> moderation `screen()` -> one transaction (the post, its photos,
their journal entries, the flag of a held one) -> after commit the moderators are told.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from sns import events
from sns.context import Ctx
from sns.errors import Conflict, NotFound
from sns.geo import parse_location
from sns.i18n import N_
from sns.ids import is_id
from sns.models import DisasterEvent, DisasterPost, Photo
from sns.policies import board_scope, can_post_on_board, can_view_board_post, public_board_scope_sql
from sns.policies.sql import database, fetch
from sns.services import photo_access, review
from sns.services.base import clean_text, idempotency_key, rate_limit_post, require, save_new, transaction
from sns.services.photos import process_photos, store_photos
from sns.services.disaster import current_event
from sns.services.moderate import open_flag, screen, tell_moderators
from sns.services.rows import when
from sns.services.shared import SharedCache, database_of, public_changed

MAX_BODY = 2000
LIGHT_POSTS = 5
_shared = SharedCache()


def post_url(post_id: str) -> str:
    return f"/disaster/board/{post_id}"


async def _visible(viewer, post) -> bool:
    return can_view_board_post(viewer, post)


# What this area hands to the site (sns/areas.py): the review queue's kind "disaster_post", who sees its photos.
REVIEWABLE = review.Reviewable(DisasterPost, N_("Disaster board post"), _visible, lambda p: post_url(p.id),
                               fields=("body",))
photo_visible = photo_access.owner_check(DisasterPost, can_view_board_post)


async def write_post(ctx: Ctx, *, body, place="", lat=None, lon=None, photos=(),
                     client_token: str | None = None) -> DisasterPost:
    client_token = idempotency_key(client_token)
    event = await current_event(ctx)
    if ctx.user is not None and event is None:
        raise Conflict(N_("Disaster mode is not on: the board takes reports only during a disaster or a drill."))
    require(can_post_on_board(ctx.viewer, event), N_("Please sign in to report damage."))
    if client_token:
        earlier = await DisasterPost.get_or_none(client_token=client_token, author_id=ctx.user.id)
        if earlier is not None:  # a double-submitted form posts once
            return earlier
    body = clean_text(body, field="body", max_chars=min(ctx.settings.max_body_chars, MAX_BODY))
    place = clean_text(place, field="place", max_chars=200, single_line=True, required=False)
    lat, lon = parse_location(lat, lon)
    images = await process_photos(ctx, list(photos))
    await rate_limit_post(ctx)
    screening = await screen(ctx, body)
    (body,) = screening.texts
    try:
        async with transaction() as tx:
            post = await save_new(DisasterPost(event_id=event.id, author_id=ctx.user.id, body=body, place=place,
                                               lat=lat, lon=lon, state=screening.state, client_token=client_token,
                                               origin=ctx.origin), tx)
            await store_photos(ctx, images, tx, parent_id=post.id, purpose="disaster")
            flag = await open_flag(screening, "disaster_post", post.id, ctx.user.id, tx)
    except IntegrityError:  # the same form, submitted twice at once: the first one won
        return await DisasterPost.get(client_token=client_token, author_id=ctx.user.id)
    await tell_moderators(ctx, flag)
    post.held_reason = screening.reason if screening.state == "held" else None
    public_changed()
    await events.publish("disaster.post", {"id": post.id, "event": event.id})
    return post


async def get_post(ctx: Ctx, post_id: str) -> DisasterPost:
    post = await DisasterPost.get_or_none(id=post_id).select_related("author", "event") \
        if isinstance(post_id, str) and is_id(post_id) else None
    if post is None or not can_view_board_post(ctx.viewer, post):
        raise NotFound(N_("This board post does not exist or is not shared with you."))
    return post


async def board(ctx: Ctx, event: DisasterEvent, limit: int = 100, before: str | None = None
                ) -> list[DisasterPost]:
    """The event's posts the viewer may see, newest first."""
    q = DisasterPost.filter(board_scope(ctx.viewer), event_id=event.id)
    if before and is_id(before):
        q = q.filter(id__lt=before)
    return await q.order_by("-id").limit(limit).select_related("author")


async def photos_of(post_ids: list[str]) -> dict[str, list[Photo]]:
    out: dict[str, list[Photo]] = {i: [] for i in post_ids}
    if post_ids:
        for p in await Photo.filter(purpose="disaster", parent_id__in=post_ids, deleted_at=None).order_by(
                "position"):
            out[p.parent_id].append(p)
    return out


@dataclass(frozen=True)
class LightPost:
    """What the light front page shows of a post: no photo, no author, a short text."""

    id: str
    body: str
    place: str
    created_at: object
    photos: bool


async def newest_public(ctx: Ctx, event: DisasterEvent) -> list[LightPost]:
    """The few newest published posts, the same for everyone (shared; published and public only)."""
    async def load():
        conn, p = database()
        has_photos = ("EXISTS (SELECT 1 FROM photos ph WHERE ph.purpose = 'disaster' AND ph.parent_id = b.id"
                      " AND ph.deleted_at IS NULL)")
        sql = (f"SELECT b.id, b.body, b.place, b.created_at, {has_photos} AS photos FROM disaster_posts b"
               f" WHERE b.event_id = {p(event.id)} AND {public_board_scope_sql('b')}"
               f" ORDER BY b.id DESC LIMIT {int(LIGHT_POSTS)}")
        return [LightPost(r["id"], r["body"][:280], r["place"], when(r["created_at"]), bool(r["photos"]))
                for r in await fetch(conn, sql, p)]
    return await _shared.get((database_of(ctx.settings), "disaster_light", event.id),
                             ctx.settings.shared_cache_seconds, load)
