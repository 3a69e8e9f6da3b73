"""Communities, their members, topics and replies over JSON: the same services and policies as the pages."""

from __future__ import annotations

from sns.api.auth import require_user
from sns.api.community_inputs import (
    CommunitiesQuery, CommunityEdit, CommunityNew, MemberAction, MembershipAction, ReplyEdit, ReplyNew, TopicAction,
    TopicEdit, TopicNew, TopicsQuery,
)
from sns.api.community_shapes import (
    CommunityDetail, CommunityPage, MemberList, Membership, Reply, ReplyList, TopicDetail, TopicPage, community_json,
    membership_json, reply_json, topic_json,
)
from sns.api.declare import WRITE, Operations, Reply as Answer
from sns.api.fields import page_limit
from sns.api.http import absolute
from sns.api.shapes import person_brief
from sns.context import Ctx
from sns.errors import NotFound
from sns.policies import can_read_community
from sns.services import communities as community_service
from sns.services import memberships
from sns.services import replies as reply_service
from sns.services import topics as topic_service
from sns.services.friends import resident_id

API = Operations("communities")
C, T = "/api/v1/communities", "/api/v1/topics"


def _uses(*operations: str) -> dict:
    """OpenAPI links from an answer to the operations that take its `id` (named after them)."""
    return {op.title().replace("_", ""): {"operationId": op, "parameters": {"id": "$response.body#/id"}}
            for op in operations}


GET_COMMUNITY = _uses("get_community", "edit_community", "list_members", "list_topics", "create_topic")
GET_TOPIC = _uses("get_topic", "edit_topic", "list_replies", "create_reply", "topic_action", "delete_topic")
GET_REPLY = _uses("edit_reply", "delete_reply")


async def _community_detail(ctx: Ctx, community_id: str, status: int = 200) -> Answer:
    community = await community_service.get_community(ctx, community_id)
    membership = await community_service.membership_of(ctx.viewer, community.id)
    headers = {"Location": absolute(ctx, f"{C}/{community.id}")} if status == 201 else {}
    return Answer(community_json(ctx, community, membership, detail=True), headers)


async def _topic_detail(ctx: Ctx, topic_id: str, status: int = 200) -> Answer:
    place = await topic_service.get_topic(ctx, topic_id)
    photos = (await topic_service.photos_of([place.topic.id]))[place.topic.id]
    following = await topic_service.is_following(ctx.viewer, place.topic.id)
    headers = {"Location": absolute(ctx, f"{T}/{place.topic.id}")} if status == 201 else {}
    return Answer(topic_json(ctx, place.topic, photos, place, following), headers)


# --- communities and their members ------------------------------------------------------------------

@API.get(C, answer=CommunityPage, query=CommunitiesQuery, errors=(400, 401))
async def list_communities(ctx: Ctx, query: CommunitiesQuery):
    """Communities the caller may see, newest first (`mine=1`: only those I am a member of)."""
    limit, mine = page_limit(ctx, query.limit), query.mine == "1"
    if mine:
        require_user(ctx)
    page = await community_service.list_communities(ctx, before=query.before, limit=limit, mine=mine)
    next_url = absolute(ctx, C, before=page.next_before, limit=limit, mine=query.mine) if page.next_before else None
    return {"items": [community_json(ctx, c) for c in page.items], "next": next_url}


# 404: sent again (the same client_token) after what it made was deleted
@API.post(C, answer=CommunityDetail, status=201, body=CommunityNew, auth=True, errors=(*WRITE, 404, 429),
          links=GET_COMMUNITY)
async def create_community(ctx: Ctx, body: CommunityNew):
    """Open a community (the caller becomes its admin)."""
    community = await community_service.open_community(
        ctx, name=body.name, description=body.description, join_policy=body.join_policy,
        readable_by=body.readable_by, official=body.official, client_token=body.client_token)
    return await _community_detail(ctx, community.id, 201)


@API.get(C + "/{id}", answer=CommunityDetail, errors=(401, 404))
async def get_community(ctx: Ctx, id: str):
    """One community, with the caller's membership and what they may do."""
    return await _community_detail(ctx, id)


@API.patch(C + "/{id}", answer=CommunityDetail, body=CommunityEdit, auth=True, errors=(*WRITE, 404))
async def edit_community(ctx: Ctx, id: str, body: CommunityEdit):
    """Change a community (its admins): fields left out keep their value."""
    c = await community_service.get_community(ctx, id)

    def kept(name: str):
        value = getattr(body, name)
        return getattr(c, name) if value is None else value

    await community_service.edit_community(
        ctx, c.id, name=kept("name"), description=kept("description"), join_policy=kept("join_policy"),
        readable_by=kept("readable_by"), official=body.official)
    return await _community_detail(ctx, c.id)


@API.post(C + "/{id}/membership", answer=Membership, body=MembershipAction, auth=True,
          errors=(400, 401, 403, 404, 409, 413, 415))
async def membership_action(ctx: Ctx, id: str, body: MembershipAction):
    """join (open), ask to join (by approval) or accept an invitation; leave (or withdraw, or decline)."""
    if body.action == "join":
        return membership_json(await memberships.join(ctx, id))
    await memberships.leave(ctx, id)
    return None


@API.get(C + "/{id}/members", answer=MemberList, auth=True, errors=(401, 403, 404))
async def list_members(ctx: Ctx, id: str):
    """Active members; for the community's admins and sub-moderators also requests, invitations, bans."""
    listing = await memberships.members(ctx, id)
    return {state: [{**person_brief(ctx, m.user), "role": m.role, "state": m.state} for m in listing[state]]
            for state in ("active", "pending", "invited", "banned")}


@API.post(C + "/{id}/members/{username}", answer=Membership, body=MemberAction, auth=True,
          errors=(400, 401, 403, 404, 409, 413, 415), refuses=("username",))
async def member_action(ctx: Ctx, id: str, username: str, body: MemberAction):
    """What a community admin does to a person: invite, accept, decline, remove, ban, unban, make_moderator,
    make_admin or make_member (sub-moderators may accept and decline requests)."""
    if body.action == "invite":
        membership = await memberships.invite(ctx, id, username)
    else:
        await community_service.get_community(ctx, id)
        membership = await memberships.act_on_member(ctx, id, await resident_id(username), body.action)
    return membership_json(membership)


# --- topics -----------------------------------------------------------------------------------------

@API.get(C + "/{id}/topics", answer=TopicPage, query=TopicsQuery, tag="topics", errors=(400, 401, 404))
async def list_topics(ctx: Ctx, id: str, query: TopicsQuery):
    """The community's topics: pinned first, then most recently active; a page at a time."""
    limit = page_limit(ctx, query.limit)
    community = await community_service.get_community(ctx, id)
    membership = await community_service.membership_of(ctx.viewer, community.id)
    if not can_read_community(ctx.viewer, community, membership):
        raise NotFound(community_service.NOT_FOUND)
    page = await topic_service.topic_page(ctx, community, membership, before=query.before, limit=limit)
    photos = await topic_service.photos_of([t.id for t in page.items])
    next_url = absolute(ctx, f"{C}/{community.id}/topics", before=page.next_before,
                        limit=limit) if page.next_before else None
    return {"items": [topic_json(ctx, t, photos[t.id]) for t in page.items], "next": next_url}


@API.post(C + "/{id}/topics", answer=TopicDetail, status=201, body=TopicNew, auth=True, tag="topics",
          errors=(*WRITE, 404, 429), links=GET_TOPIC)
async def create_topic(ctx: Ctx, id: str, body: TopicNew):
    """Post a topic (members of the community)."""
    topic = await topic_service.post_topic(
        ctx, id, title=body.title, body=body.body, lat=body.lat, lon=body.lon, blur=body.blur,
        client_token=body.client_token)
    return await _topic_detail(ctx, topic.id, 201)


@API.get(T + "/{id}", answer=TopicDetail, tag="topics", errors=(401, 404))
async def get_topic(ctx: Ctx, id: str):
    """One topic."""
    return await _topic_detail(ctx, id)


@API.patch(T + "/{id}", answer=TopicDetail, body=TopicEdit, auth=True, tag="topics", errors=(*WRITE, 404))
async def edit_topic(ctx: Ctx, id: str, body: TopicEdit):
    """Change my topic: fields left out keep their value."""
    t = (await topic_service.get_topic(ctx, id)).topic
    moved = "lat" in body.model_fields_set or "lon" in body.model_fields_set
    await topic_service.edit_topic(
        ctx, t.id, title=t.title if body.title is None else body.title, body=t.body if body.body is None else body.body,
        lat=body.lat if moved else t.lat, lon=body.lon if moved else t.lon, blur=moved and body.blur,
        remove_photos=body.remove_photos)
    return await _topic_detail(ctx, t.id)


@API.delete(T + "/{id}", auth=True, tag="topics", errors=(401, 403, 404))
async def delete_topic(ctx: Ctx, id: str):
    """Delete a topic (its author, the community's admins and sub-moderators, site moderators)."""
    await topic_service.delete_topic(ctx, id)


@API.get(T + "/{id}/replies", answer=ReplyList, tag="replies", errors=(401, 404))
async def list_replies(ctx: Ctx, id: str):
    """Replies to a topic the caller may read, oldest first."""
    place = await topic_service.get_topic(ctx, id)
    items = await reply_service.replies_on(ctx, place)
    photos = await topic_service.photos_of([r.id for r in items])
    return {"items": [reply_json(ctx, r, photos[r.id], place) for r in items]}


@API.post(T + "/{id}/replies", answer=Reply, status=201, body=ReplyNew, auth=True, tag="replies",
          errors=(*WRITE, 404, 409, 429), links=GET_REPLY)
async def create_reply(ctx: Ctx, id: str, body: ReplyNew):
    """Reply to a topic (members; a locked topic answers 409)."""
    reply = await reply_service.add_reply(ctx, id, body.body, client_token=body.client_token)
    reply, place = await reply_service.get_reply(ctx, reply.id)
    await reply.fetch_related("author")
    return reply_json(ctx, reply, [], place)


@API.post(T + "/{id}/actions", answer=TopicDetail, body=TopicAction, auth=True, tag="topics",
          errors=(*WRITE, 404))
async def topic_action(ctx: Ctx, id: str, body: TopicAction):
    """pin, unpin, lock, unlock, move (community moderators, site moderators), follow or unfollow."""
    if body.action == "follow":
        await reply_service.follow(ctx, id)
    elif body.action == "unfollow":
        await reply_service.unfollow(ctx, id)
    elif body.action == "move":
        await topic_service.move_topic(ctx, id, body.community_id)
    else:
        await topic_service.switch_topic(ctx, id, body.action)
    return await _topic_detail(ctx, id)


# --- replies ----------------------------------------------------------------------------------------

@API.patch("/api/v1/replies/{id}", answer=Reply, body=ReplyEdit, auth=True, tag="replies", errors=(*WRITE, 404))
async def edit_reply(ctx: Ctx, id: str, body: ReplyEdit):
    """Change my reply."""
    reply = await reply_service.edit_reply(ctx, id, body.body)
    reply, place = await reply_service.get_reply(ctx, reply.id)
    await reply.fetch_related("author")
    photos = (await topic_service.photos_of([reply.id]))[reply.id]
    return reply_json(ctx, reply, photos, place)


@API.delete("/api/v1/replies/{id}", auth=True, tag="replies", errors=(401, 403, 404))
async def delete_reply(ctx: Ctx, id: str):
    """Delete a reply (its author, the community's admins and sub-moderators, site moderators)."""
    await reply_service.delete_reply(ctx, id)
