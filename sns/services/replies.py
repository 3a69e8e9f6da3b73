"""Replies to topics, and following topics: a new reply tells the topic's followers.

The topic's author follows it from the start and each replier from their first reply; a new
published reply notifies every follower (kind "reply") except the replier, people in a block
relation with the replier, and those who may no longer read the community.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from sns import events
from sns.context import Ctx
from sns.errors import Conflict, Forbidden, NotFound
from sns.i18n import N_
from sns.ids import is_id
from sns.models import Membership, Notification, Reply, Topic, TopicFollow, User
from sns.models.base import utcnow
from sns.policies import (
    can_delete_reply, can_edit_reply, can_follow_topic, can_reply, can_view_reply, is_banned_from, load_viewer,
    post_scope,
)
from sns.services import review
from sns.services.base import (
    clean_text, delete_with_tombstone, idempotency_key, rate_limit_post, require, save_change, save_new, tombstone,
    transaction,
)
from sns.services.photos import process_photos, remove_photos, store_photos
from sns.services.moderate import open_flag, screen, tell_moderators
from sns.services.notifications import notify
from sns.services.topics import BANNED, Place, get_topic, load_topic

REPLY_CHARS = 10000
LOCKED = N_("This topic is locked: it takes no new replies.")


def reply_url(reply) -> str:
    return f"/topics/{reply.topic_id}#reply-{reply.id}"


async def replies_on(ctx: Ctx, place: Place, limit: int = 1000) -> list[Reply]:
    """Replies the viewer may see on a topic they may already see, oldest first (one query)."""
    return await Reply.filter(post_scope(ctx.viewer), topic_id=place.topic.id).order_by("id").limit(
        limit).select_related("author")


async def mark_topic_read(ctx: Ctx, topic_id: str) -> int:
    """Reading a topic marks the reader's notices of its replies read (one statement)."""
    if ctx.user is None:
        return 0
    return await Notification.filter(user_id=ctx.user.id, read_at=None, url__startswith=f"/topics/{topic_id}#").update(
        read_at=utcnow())


async def _bump(topic: Topic, tx, *, bump: bool) -> None:
    topic.reply_count = await Reply.filter(topic_id=topic.id, deleted_at=None, state="published").using_db(tx).count()
    if bump:
        topic.bumped_at = topic.last_reply_at = utcnow()
    await save_change(topic, tx)


async def _followers_to_tell(ctx: Ctx, place: Place, tx) -> list[str]:
    followers = await TopicFollow.filter(topic_id=place.topic.id, deleted_at=None).using_db(tx).values_list(
        "user_id", flat=True)
    followers = [f for f in followers if f != ctx.user.id and f not in ctx.viewer.blocked_ids]
    if not followers:
        return []
    rows = dict(await Membership.filter(community_id=place.community.id, user_id__in=followers).using_db(
        tx).values_list("user_id", "state"))
    members_only = place.community.readable_by == "community"
    return [f for f in followers if rows.get(f) != "banned" and (not members_only or rows.get(f) == "active")]


async def _follow(topic_id: str, user_id: str, ctx: Ctx, tx) -> None:
    if not await TopicFollow.filter(topic_id=topic_id, user_id=user_id).using_db(tx).exists():
        await save_new(TopicFollow(topic_id=topic_id, user_id=user_id, origin=ctx.origin), tx)


async def add_reply(ctx: Ctx, topic_id: str, body, *, photos=(), client_token: str | None = None) -> Reply:
    client_token = idempotency_key(client_token)
    place = await load_topic(ctx.viewer, topic_id)
    if place is not None and is_banned_from(place.membership):
        raise Forbidden(BANNED)
    place = await get_topic(ctx, topic_id)
    topic = place.topic
    if topic.locked:
        raise Conflict(LOCKED, field="body")
    require(can_reply(ctx.viewer, topic, place.community, place.membership),
            N_("Only members can reply here: join the community first."))
    if client_token:
        earlier = await Reply.get_or_none(client_token=client_token, author_id=ctx.user.id)
        if earlier is not None:
            return earlier
    body = clean_text(body, field="body", max_chars=min(ctx.settings.max_body_chars, REPLY_CHARS))
    images = await process_photos(ctx, list(photos))
    await rate_limit_post(ctx)
    screening = await screen(ctx, body)
    (body,) = screening.texts
    published = screening.state == "published"
    try:
        async with transaction() as tx:
            reply = await save_new(Reply(topic_id=topic.id, author_id=ctx.user.id, body=body, state=screening.state,
                                         client_token=client_token, origin=ctx.origin), tx)
            await store_photos(ctx, images, tx, parent_id=reply.id, purpose="reply")
            await _bump(topic, tx, bump=published)
            await _follow(topic.id, ctx.user.id, ctx, tx)
            flag = await open_flag(screening, "reply", reply.id, ctx.user.id, tx)
            if published:
                await notify(await _followers_to_tell(ctx, place, tx), "reply", url=reply_url(reply),
                             subject=topic.title, actor_id=ctx.user.id, conn=tx)
    except IntegrityError:
        return await Reply.get(client_token=client_token, author_id=ctx.user.id)
    await tell_moderators(ctx, flag)
    reply.held_reason = screening.reason if not published else None
    await events.publish("reply.created", {"id": reply.id, "topic": topic.id})
    return reply


async def _reply_place(ctx: Ctx, reply_id) -> tuple[Reply, Place]:
    reply = await Reply.get_or_none(id=reply_id) if isinstance(reply_id, str) and is_id(reply_id) else None
    if reply is None:
        raise NotFound(N_("This reply does not exist."))
    place = await get_topic(ctx, reply.topic_id)
    if not can_view_reply(ctx.viewer, reply, place.topic, place.community, place.membership):
        raise NotFound(N_("This reply does not exist."))
    return reply, place


async def get_reply(ctx: Ctx, reply_id) -> tuple[Reply, Place]:
    return await _reply_place(ctx, reply_id)


async def edit_reply(ctx: Ctx, reply_id: str, body) -> Reply:
    reply, place = await _reply_place(ctx, reply_id)
    require(can_edit_reply(ctx.viewer, reply, place.membership))
    body = clean_text(body, field="body", max_chars=min(ctx.settings.max_body_chars, REPLY_CHARS))
    screening = await screen(ctx, body)
    (body,) = screening.texts
    async with transaction() as tx:
        reply.body = body
        if screening.state != "published":
            reply.state = screening.state
        await save_change(reply, tx)
        flag = await open_flag(screening, "reply", reply.id, ctx.user.id, tx)
        await _bump(place.topic, tx, bump=False)
    await tell_moderators(ctx, flag)
    reply.held_reason = screening.reason if screening.state == "held" else None
    return reply


async def delete_reply(ctx: Ctx, reply_id: str) -> Topic:
    reply, place = await _reply_place(ctx, reply_id)
    require(can_delete_reply(ctx.viewer, reply, place.topic, place.community, place.membership))
    async with transaction() as tx:
        await tombstone(reply, tx)
        await remove_photos(tx, parent_id=reply.id, purpose="reply")
        await _bump(place.topic, tx, bump=False)
    await events.publish("reply.deleted", {"id": reply.id, "topic": place.topic.id})
    return place.topic


async def follow(ctx: Ctx, topic_id: str) -> None:
    place = await get_topic(ctx, topic_id)
    require(can_follow_topic(ctx.viewer, place.topic, place.community, place.membership))
    try:
        async with transaction() as tx:
            await _follow(place.topic.id, ctx.user.id, ctx, tx)
    except IntegrityError:  # followed twice at once
        pass


async def unfollow(ctx: Ctx, topic_id: str) -> None:
    place = await get_topic(ctx, topic_id)
    require(ctx.user is not None, N_("Please sign in."))
    async with transaction() as tx:
        for row in await TopicFollow.filter(topic_id=place.topic.id, user_id=ctx.user.id).using_db(tx):
            await delete_with_tombstone(row, tx)


async def _reply_visible(viewer, reply) -> bool:
    place = await load_topic(viewer, reply.topic_id)
    return place is not None and can_view_reply(viewer, reply, place.topic, place.community, place.membership)


async def _reply_photo_visible(viewer, photo) -> bool:
    reply = await Reply.get_or_none(id=photo.parent_id) if photo.parent_id else None
    return reply is not None and await _reply_visible(viewer, reply)


async def _decided(ctx: Ctx, reply: Reply, before: str, tx):
    """A moderator's decision: the topic's count follows; an approved held reply is news to its followers."""
    topic = await Topic.get(id=reply.topic_id).using_db(tx)
    approved = before == "held" and reply.state == "published" and reply.deleted_at is None
    await _bump(topic, tx, bump=approved)
    if approved:
        author = await User.get(id=reply.author_id).using_db(tx)
        as_author = ctx.as_viewer(await load_viewer(author))
        place = await load_topic(as_author.viewer, topic.id)
        await notify(await _followers_to_tell(as_author, place, tx), "reply", url=reply_url(reply),
                     subject=topic.title, actor_id=author.id, conn=tx)
    return None


# What this area hands to the site (sns/areas.py): the review queue's kind "reply", who sees its photos.
REVIEWABLE = review.Reviewable(Reply, N_("Reply"), _reply_visible, reply_url, fields=("body",), decided=_decided)
photo_visible = _reply_photo_visible
