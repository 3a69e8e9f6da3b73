"""Topics of a community: post, edit, delete, pin, lock, move, and the community's topic list.

The list is ordered pinned first, then by `bumped_at` (the topic's creation or its newest reply),
newest first, and paged by keyset (`before=<topic id>`): a fixed number of queries per page
whatever the number of topics.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from sns import events
from sns.context import Ctx
from sns.errors import Forbidden, Invalid, NotFound
from sns.geo import parse_location
from sns.i18n import N_
from sns.ids import is_id
from sns.models import Community, Membership, Photo, Topic, TopicFollow
from sns.models.base import utcnow
from sns.policies import (
    ANONYMOUS, Viewer, can_delete_topic, can_edit_topic, can_lock_topic, can_moderate_community, can_move_topic,
    can_pin_topic, can_post_topic, can_read_community, can_view_topic, is_banned_from, is_moderator, post_scope_sql,
)
from sns.policies.sql import database, fetch
from sns.services import review, rows
from sns.services.base import (
    clean_text, idempotency_key, rate_limit_post, require, save_change, save_new, tombstone, transaction,
)
from sns.services.communities import get_community, membership_of
from sns.services.photos import photos_kept, process_photos, remove_photos, replace_photos, store_photos
from sns.services.moderate import open_flag, screen, tell_moderators
from sns.services.timelines import Page

TITLE_CHARS = 200
NOT_FOUND = N_("This topic does not exist or is not shared with you.")
BANNED = N_("You are banned from this community.")


@dataclass
class Place:
    """A topic with its community and the viewer's membership there (None: not a member)."""

    topic: Topic
    community: Community
    membership: Membership | None


async def load_topic(viewer: Viewer, topic_id) -> Place | None:
    """The topic, its community and the viewer's membership, unchecked (three queries)."""
    if not isinstance(topic_id, str) or not is_id(topic_id):
        return None
    topic = await Topic.get_or_none(id=topic_id).select_related("author")
    if topic is None:
        return None
    community = await Community.get(id=topic.community_id)
    return Place(topic, community, await membership_of(viewer, community.id))


async def get_topic(ctx: Ctx, topic_id) -> Place:
    """The topic if the viewer may read it; otherwise NotFound (no hint that it exists)."""
    place = await load_topic(ctx.viewer, topic_id)
    if place is None or not can_view_topic(ctx.viewer, place.topic, place.community, place.membership):
        raise NotFound(NOT_FOUND)
    return place


async def photos_of(parent_ids: list[str]) -> dict[str, list[Photo]]:
    """Photos of several topics and replies, in one query."""
    out: dict[str, list[Photo]] = {p: [] for p in parent_ids}
    if parent_ids:
        for photo in await Photo.filter(parent_id__in=parent_ids, purpose__in=["topic", "reply"],
                                        deleted_at=None).order_by("position"):
            out[photo.parent_id].append(photo)
    return out


async def move_targets(ctx: Ctx, place: Place) -> list[Community]:
    """Communities the viewer could move this topic to (they moderate it, or they are a site moderator)."""
    v = ctx.viewer
    if is_moderator(v):
        return await Community.filter(deleted_at=None, state="published").exclude(id=place.community.id).order_by(
            "name").limit(200)
    if not can_moderate_community(v, place.community, place.membership):
        return []
    ids = await Membership.filter(user_id=v.id, state="active", role__in=["moderator", "admin"]).exclude(
        community_id=place.community.id).values_list("community_id", flat=True)
    return await Community.filter(id__in=list(ids) or [""], deleted_at=None).order_by("name").limit(200)


async def public_feed(community_id, limit: int = 50) -> tuple[Community, list[Topic]] | None:
    """A community's newest topics as a visitor reads them, for its Atom feed; None when a visitor may
    not read it (a feed reader shares what it fetches, so it is decided for a visitor, whoever asks)."""
    community = await Community.get_or_none(id=community_id) if isinstance(community_id, str) and is_id(
        community_id) else None
    if community is None or not can_read_community(ANONYMOUS, community, None):
        return None
    topics = await Topic.filter(community_id=community.id, deleted_at=None, state="published").order_by(
        "-id").limit(limit).select_related("author")
    return community, topics


async def _recount(community_id: str, tx) -> None:
    count = await Topic.filter(community_id=community_id, deleted_at=None, state="published").using_db(tx).count()
    await Community.filter(id=community_id).using_db(tx).update(topic_count=count, last_activity_at=utcnow())


def _clean(ctx: Ctx, title, body, lat, lon, blur=False):
    title = clean_text(title, field="title", max_chars=TITLE_CHARS, single_line=True)
    body = clean_text(body, field="body", max_chars=ctx.settings.max_body_chars)
    lat, lon = parse_location(lat, lon, blur=bool(blur))
    return title, body, lat, lon


async def post_topic(ctx: Ctx, community_id: str, *, title, body, lat=None, lon=None, blur=False, photos=(),
                     client_token: str | None = None) -> Topic:
    client_token = idempotency_key(client_token)
    community = await get_community(ctx, community_id)
    membership = await membership_of(ctx.viewer, community.id)
    if is_banned_from(membership):
        raise Forbidden(BANNED)
    require(can_post_topic(ctx.viewer, community, membership),
            N_("Only members can post here: join the community first."))
    if client_token:
        earlier = await Topic.get_or_none(client_token=client_token, author_id=ctx.user.id)
        if earlier is not None:
            return earlier
    title, body, lat, lon = _clean(ctx, title, body, lat, lon, blur)
    images = await process_photos(ctx, list(photos))
    await rate_limit_post(ctx)
    screening = await screen(ctx, title, body)
    title, body = screening.texts
    now = utcnow()
    try:
        async with transaction() as tx:
            topic = await save_new(Topic(
                community_id=community.id, author_id=ctx.user.id, title=title, body=body, state=screening.state,
                bumped_at=now, lat=lat, lon=lon, client_token=client_token, origin=ctx.origin), tx)
            await store_photos(ctx, images, tx, parent_id=topic.id, purpose="topic")
            await save_new(TopicFollow(topic_id=topic.id, user_id=ctx.user.id, origin=ctx.origin), tx)
            await _recount(community.id, tx)
            flag = await open_flag(screening, "topic", topic.id, ctx.user.id, tx)
    except IntegrityError:
        return await Topic.get(client_token=client_token, author_id=ctx.user.id)
    await tell_moderators(ctx, flag)
    topic.held_reason = screening.reason if screening.state == "held" else None
    await events.publish("topic.created", {"id": topic.id, "community": community.id})
    return topic


async def edit_topic(ctx: Ctx, topic_id: str, *, title, body, lat=None, lon=None, blur=False, photos=(),
                     remove_photos=()) -> Topic:
    place = await get_topic(ctx, topic_id)
    topic = place.topic
    require(can_edit_topic(ctx.viewer, topic, place.community, place.membership))
    title, body, lat, lon = _clean(ctx, title, body, lat, lon, blur)
    existing = await Photo.filter(parent_id=topic.id, purpose="topic", deleted_at=None).order_by("position")
    keep = photos_kept(ctx, existing, remove_photos, photos)
    images = await process_photos(ctx, list(photos))
    screening = await screen(ctx, title, body)
    title, body = screening.texts
    async with transaction() as tx:
        topic.title, topic.body, topic.lat, topic.lon = title, body, lat, lon
        if screening.state != "published":
            topic.state = screening.state
        await save_change(topic, tx)
        flag = await open_flag(screening, "topic", topic.id, ctx.user.id, tx)
        await replace_photos(ctx, tx, existing, keep, images, parent_id=topic.id, purpose="topic")
        await _recount(topic.community_id, tx)
    await tell_moderators(ctx, flag)
    topic.held_reason = screening.reason if screening.state == "held" else None
    await events.publish("topic.updated", {"id": topic.id})
    return topic


async def delete_topic(ctx: Ctx, topic_id: str) -> Community:
    place = await get_topic(ctx, topic_id)
    require(can_delete_topic(ctx.viewer, place.topic, place.community, place.membership))
    async with transaction() as tx:
        await tombstone(place.topic, tx)
        await remove_photos(tx, parent_id=place.topic.id, purpose="topic")
        await _recount(place.community.id, tx)
    await events.publish("topic.deleted", {"id": place.topic.id})
    return place.community


TOPIC_SWITCHES = {"pin": ("pinned", True), "unpin": ("pinned", False), "lock": ("locked", True),
                  "unlock": ("locked", False)}


async def switch_topic(ctx: Ctx, topic_id: str, action: str) -> Topic:
    """Pin or unpin, lock or unlock (the community's admins and sub-moderators, site moderators)."""
    if action not in TOPIC_SWITCHES:
        raise Invalid(N_("Choose an action."), field="action")
    place = await get_topic(ctx, topic_id)
    rule = can_pin_topic if action in ("pin", "unpin") else can_lock_topic
    require(rule(ctx.viewer, place.topic, place.community, place.membership))
    name, value = TOPIC_SWITCHES[action]
    topic = place.topic
    if getattr(topic, name) != value:
        async with transaction() as tx:
            setattr(topic, name, value)
            await save_change(topic, tx)
        await events.publish("topic.updated", {"id": topic.id})
    return topic


async def move_topic(ctx: Ctx, topic_id: str, target_id) -> Topic:
    place = await get_topic(ctx, topic_id)
    try:
        target = await get_community(ctx, target_id)
    except NotFound:
        raise Invalid(N_("Choose a community to move the topic to."), field="community") from None
    target_membership = await membership_of(ctx.viewer, target.id)
    require(can_move_topic(ctx.viewer, place.topic, place.community, place.membership, target, target_membership),
            N_("You can move a topic only between communities you moderate."))
    topic = place.topic
    async with transaction() as tx:
        topic.community_id = target.id
        await save_change(topic, tx)
        await _recount(place.community.id, tx)
        await _recount(target.id, tx)
    await events.publish("topic.moved", {"id": topic.id, "community": target.id})
    return topic


async def topic_page(ctx: Ctx, community: Community, membership, *, before=None, limit: int | None = None) -> Page:
    """The community's topics the viewer may see: pinned first, then most recently bumped, as light rows.
    One statement in SQL written by hand (`post_scope_sql`), whatever the number of topics: the
    `before` cursor is the topic whose (pinned, bumped_at, id) the page continues after, found by a
    subquery (an unknown cursor gives an empty page)."""
    v = ctx.viewer
    if not can_read_community(v, community, membership):
        return Page([])
    limit = limit or ctx.settings.page_size
    conn, p = database()
    where = f"t.community_id = {p(community.id)} AND {post_scope_sql(v, 't', p)}"
    if before:
        where += (" AND (t.pinned, t.bumped_at, t.id) < (SELECT k.pinned, k.bumped_at, k.id FROM topics k"
                  f" WHERE k.id = {p(str(before))} AND k.community_id = {p(community.id)})")
    sql = (f"SELECT {rows.TOPIC_SQL}, {rows.author_sql()} FROM topics t JOIN users u ON u.id = t.author_id"
           # deleted_at (NULL on every row shown) leads the order so that PostgreSQL walks the index
           # (community_id, deleted_at, pinned, bumped_at, id) backwards and stops after a page, instead of
           # sorting every topic of the community (it does not count IS NULL as fixing the column)
           f" WHERE {where} ORDER BY t.deleted_at DESC, t.pinned DESC, t.bumped_at DESC, t.id DESC"
           f" LIMIT {int(limit + 1)}")
    found = [rows.topic_of(r) for r in await fetch(conn, sql, p)]
    more = len(found) > limit
    found = found[:limit]
    return Page(found, found[-1].id if more and found else None)


async def is_following(viewer: Viewer, topic_id: str) -> bool:
    return viewer.id is not None and await TopicFollow.exists(topic_id=topic_id, user_id=viewer.id)


async def _topic_visible(viewer, topic) -> bool:
    community = await Community.get_or_none(id=topic.community_id)
    return community is not None and can_view_topic(viewer, topic, community,
                                                    await membership_of(viewer, community.id))


async def _topic_photo_visible(viewer, photo) -> bool:
    topic = await Topic.get_or_none(id=photo.parent_id) if photo.parent_id else None
    return topic is not None and await _topic_visible(viewer, topic)


async def _decided(ctx: Ctx, topic: Topic, before: str, tx):
    """A moderator's decision changes what the community's topic count includes."""
    await _recount(topic.community_id, tx)
    return None


# What this area hands to the site (sns/areas.py): the review queue's kind "topic", who sees its photos.
REVIEWABLE = review.Reviewable(Topic, N_("Topic"), _topic_visible, lambda t: f"/topics/{t.id}",
                               fields=("title", "body"), decided=_decided)
photo_visible = _topic_photo_visible
