"""The API for communities, their members, topics and replies (see sns/api/v1.py): the same services
and policies as the pages; their OpenAPI description is in `sns.api.community_docs`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.api.auth import require_user
from sns.api.community_docs import OPERATIONS, PATH_PARAMS, SCHEMAS  # noqa: F401  (merged by openapi.build)
from sns.api.http import absolute, answer, endpoint, no_content
from sns.api.inputs import coordinate, flag, id_list, query_before, query_limit, read_json, short_text
from sns.api.community_shapes import community_json, membership_json, reply_json, topic_json
from sns.api.shapes import person_brief
from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.i18n import N_
from sns.policies import can_read_community
from sns.services import communities as community_service
from sns.services import memberships
from sns.services import replies as reply_service
from sns.services import topics as topic_service
from sns.services.friends import resident_id

COMMUNITY_FIELDS = ("name", "description", "join_policy", "readable_by", "official", "client_token")
TOPIC_FIELDS = ("title", "body", "lat", "lon", "blur", "client_token")
TOPIC_EDIT_FIELDS = ("title", "body", "lat", "lon", "blur", "remove_photos")
REPLY_FIELDS = ("body", "client_token")


async def _community_detail(ctx: Ctx, community_id: str, status: int = 200):
    community = await community_service.get_community(ctx, community_id)
    membership = await community_service.membership_of(ctx.viewer, community.id)
    return answer(community_json(ctx, community, membership, detail=True), status)


async def _topic_detail(ctx: Ctx, topic_id: str, status: int = 200):
    place = await topic_service.get_topic(ctx, topic_id)
    photos = (await topic_service.photos_of([place.topic.id]))[place.topic.id]
    following = await topic_service.is_following(ctx.viewer, place.topic.id)
    return answer(topic_json(ctx, place.topic, photos, place, following), status)


def _choice(data: dict, name: str, default):
    value = data.get(name, default)
    if not isinstance(value, str):
        raise Invalid(N_("This field must be text."), field=name)
    return value


@endpoint
async def list_communities(request: Request, ctx: Ctx):
    """Communities the caller may see, newest first (`mine=1`: only those I am a member of)."""
    limit, before = query_limit(request, ctx), query_before(request)
    mine = request.query_params.get("mine") == "1"
    if mine:
        require_user(ctx)
    page = await community_service.list_communities(ctx, before=before, limit=limit, mine=mine)
    next_url = absolute(ctx, "/api/v1/communities", before=page.next_before, limit=limit,
                        mine="1" if mine else None) if page.next_before else None
    return answer({"items": [community_json(ctx, c) for c in page.items], "next": next_url})


@endpoint
async def create_community(request: Request, ctx: Ctx):
    """Open a community (the caller becomes its admin)."""
    require_user(ctx)
    data = await read_json(request, ctx, COMMUNITY_FIELDS)
    community = await community_service.open_community(
        ctx, name=data.get("name"), description=data.get("description", ""),
        join_policy=_choice(data, "join_policy", "open"), readable_by=_choice(data, "readable_by", "public"),
        official=flag(data, "official"), client_token=short_text(data, "client_token"))
    return await _community_detail(ctx, community.id, 201)


@endpoint
async def get_community(request: Request, ctx: Ctx):
    """One community, with the caller's membership and what they may do."""
    return await _community_detail(ctx, request.path_params["id"])


@endpoint
async def edit_community(request: Request, ctx: Ctx):
    """Change a community (its admins): fields left out keep their value."""
    require_user(ctx)
    c = await community_service.get_community(ctx, request.path_params["id"])
    data = await read_json(request, ctx, COMMUNITY_FIELDS[:-1])
    await community_service.edit_community(
        ctx, c.id, name=data.get("name", c.name), description=data.get("description", c.description),
        join_policy=_choice(data, "join_policy", c.join_policy), readable_by=_choice(data, "readable_by", c.readable_by),
        official=flag(data, "official") if "official" in data else None)
    return await _community_detail(ctx, c.id)


@endpoint
async def membership_action(request: Request, ctx: Ctx):
    """join (open), ask to join (by approval) or accept an invitation; leave (or withdraw, or decline)."""
    require_user(ctx)
    data = await read_json(request, ctx, ("action",))
    action = _choice(data, "action", "")
    if action == "join":
        return answer(membership_json(await memberships.join(ctx, request.path_params["id"])))
    if action == "leave":
        await memberships.leave(ctx, request.path_params["id"])
        return answer(None)
    raise Invalid(N_("Choose an action."), field="action")


@endpoint
async def list_members(request: Request, ctx: Ctx):
    """Active members; for the community's admins and sub-moderators also requests, invitations, bans."""
    require_user(ctx)
    listing = await memberships.members(ctx, request.path_params["id"])
    return answer({state: [{**person_brief(ctx, m.user), "role": m.role, "state": m.state} for m in listing[state]]
                   for state in ("active", "pending", "invited", "banned")})


@endpoint
async def member_action(request: Request, ctx: Ctx):
    """What a community admin does to a person: invite, accept, decline, remove, ban, unban, make_moderator,
    make_admin or make_member (sub-moderators may accept and decline requests)."""
    require_user(ctx)
    community_id, username = request.path_params["id"], request.path_params["username"]
    data = await read_json(request, ctx, ("action",))
    action = _choice(data, "action", "")
    if action == "invite":
        membership = await memberships.invite(ctx, community_id, username)
    else:
        await community_service.get_community(ctx, community_id)
        membership = await memberships.act_on_member(ctx, community_id, await resident_id(username), action)
    return answer(membership_json(membership))


@endpoint
async def list_topics(request: Request, ctx: Ctx):
    """The community's topics: pinned first, then most recently active; a page at a time."""
    limit, before = query_limit(request, ctx), query_before(request)
    community = await community_service.get_community(ctx, request.path_params["id"])
    membership = await community_service.membership_of(ctx.viewer, community.id)
    if not can_read_community(ctx.viewer, community, membership):
        raise NotFound(community_service.NOT_FOUND)
    page = await topic_service.topic_page(ctx, community, membership, before=before, limit=limit)
    photos = await topic_service.photos_of([t.id for t in page.items])
    next_url = absolute(ctx, f"/api/v1/communities/{community.id}/topics", before=page.next_before,
                        limit=limit) if page.next_before else None
    return answer({"items": [topic_json(ctx, t, photos[t.id]) for t in page.items], "next": next_url})


@endpoint
async def create_topic(request: Request, ctx: Ctx):
    """Post a topic (members of the community)."""
    require_user(ctx)
    data = await read_json(request, ctx, TOPIC_FIELDS)
    topic = await topic_service.post_topic(
        ctx, request.path_params["id"], title=data.get("title"), body=data.get("body"),
        lat=coordinate(data, "lat"), lon=coordinate(data, "lon"), blur=flag(data, "blur"),
        client_token=short_text(data, "client_token"))
    return await _topic_detail(ctx, topic.id, 201)


@endpoint
async def get_topic(request: Request, ctx: Ctx):
    """One topic."""
    return await _topic_detail(ctx, request.path_params["id"])


@endpoint
async def edit_topic(request: Request, ctx: Ctx):
    """Change my topic: fields left out keep their value."""
    require_user(ctx)
    t = (await topic_service.get_topic(ctx, request.path_params["id"])).topic
    data = await read_json(request, ctx, TOPIC_EDIT_FIELDS)
    moved = "lat" in data or "lon" in data
    await topic_service.edit_topic(
        ctx, t.id, title=data.get("title", t.title), body=data.get("body", t.body),
        lat=coordinate(data, "lat") if moved else t.lat, lon=coordinate(data, "lon") if moved else t.lon,
        blur=moved and flag(data, "blur"), remove_photos=id_list(data, "remove_photos"))
    return await _topic_detail(ctx, t.id)


@endpoint
async def delete_topic(request: Request, ctx: Ctx):
    """Delete a topic (its author, the community's admins and sub-moderators, site moderators)."""
    require_user(ctx)
    await topic_service.delete_topic(ctx, request.path_params["id"])
    return no_content()


@endpoint
async def topic_action(request: Request, ctx: Ctx):
    """pin, unpin, lock, unlock, move (community moderators, site moderators), follow or unfollow."""
    require_user(ctx)
    topic_id = request.path_params["id"]
    data = await read_json(request, ctx, ("action", "community_id"))
    action = _choice(data, "action", "")
    if action == "follow":
        await reply_service.follow(ctx, topic_id)
    elif action == "unfollow":
        await reply_service.unfollow(ctx, topic_id)
    elif action == "move":
        await topic_service.move_topic(ctx, topic_id, data.get("community_id"))
    else:
        await topic_service.switch_topic(ctx, topic_id, action)
    return await _topic_detail(ctx, topic_id)


@endpoint
async def list_replies(request: Request, ctx: Ctx):
    """Replies to a topic the caller may read, oldest first."""
    place = await topic_service.get_topic(ctx, request.path_params["id"])
    items = await reply_service.replies_on(ctx, place)
    photos = await topic_service.photos_of([r.id for r in items])
    return answer({"items": [reply_json(ctx, r, photos[r.id], place) for r in items]})


@endpoint
async def create_reply(request: Request, ctx: Ctx):
    """Reply to a topic (members; a locked topic answers 409)."""
    require_user(ctx)
    data = await read_json(request, ctx, REPLY_FIELDS)
    reply = await reply_service.add_reply(ctx, request.path_params["id"], data.get("body"),
                                          client_token=short_text(data, "client_token"))
    reply, place = await reply_service.get_reply(ctx, reply.id)
    await reply.fetch_related("author")
    return answer(reply_json(ctx, reply, [], place), 201)


@endpoint
async def edit_reply(request: Request, ctx: Ctx):
    """Change my reply."""
    require_user(ctx)
    data = await read_json(request, ctx, ("body",))
    reply = await reply_service.edit_reply(ctx, request.path_params["id"], data.get("body"))
    reply, place = await reply_service.get_reply(ctx, reply.id)
    await reply.fetch_related("author")
    photos = (await topic_service.photos_of([reply.id]))[reply.id]
    return answer(reply_json(ctx, reply, photos, place))


@endpoint
async def delete_reply(request: Request, ctx: Ctx):
    """Delete a reply (its author, the community's admins and sub-moderators, site moderators)."""
    require_user(ctx)
    await reply_service.delete_reply(ctx, request.path_params["id"])
    return no_content()


GET, POST, PATCH, DELETE = ["GET"], ["POST"], ["PATCH"], ["DELETE"]
C, T = "/api/v1/communities", "/api/v1/topics"
ENDPOINTS: list[Route] = [
    Route(C, list_communities, methods=GET),
    Route(C, create_community, methods=POST),
    Route(C + "/{id}", get_community, methods=GET),
    Route(C + "/{id}", edit_community, methods=PATCH),
    Route(C + "/{id}/membership", membership_action, methods=POST),
    Route(C + "/{id}/members", list_members, methods=GET),
    Route(C + "/{id}/members/{username}", member_action, methods=POST),
    Route(C + "/{id}/topics", list_topics, methods=GET),
    Route(C + "/{id}/topics", create_topic, methods=POST),
    Route(T + "/{id}", get_topic, methods=GET),
    Route(T + "/{id}", edit_topic, methods=PATCH),
    Route(T + "/{id}", delete_topic, methods=DELETE),
    Route(T + "/{id}/replies", list_replies, methods=GET),
    Route(T + "/{id}/replies", create_reply, methods=POST),
    Route(T + "/{id}/actions", topic_action, methods=POST),
    Route("/api/v1/replies/{id}", edit_reply, methods=PATCH),
    Route("/api/v1/replies/{id}", delete_reply, methods=DELETE),
]
