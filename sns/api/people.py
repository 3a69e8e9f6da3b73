"""Residents over JSON: me, a profile, editing my profile, friends and blocks."""

from __future__ import annotations

from starlette.requests import Request

from sns.api.auth import require_user
from sns.api.http import answer, endpoint
from sns.api.inputs import flag, read_json, short_text, text_map
from sns.api.shapes import me_json, person_brief, profile_json
from sns.context import Ctx
from sns.errors import NotFound
from sns.i18n import N_, gettext
from sns.models import PROFILE_FIELDS
from sns.policies import can_befriend
from sns.services import friends as friend_service
from sns.services import profiles

PROFILE_EDIT_FIELDS = ("display_name", "introduction", "district_id", "field_visibility", "remove_avatar")



async def _me(ctx: Ctx):
    return await profiles.get_profile(ctx, ctx.user.username)  # with the district


@endpoint
async def get_me(request: Request, ctx: Ctx):
    """My own account and profile, every field."""
    require_user(ctx)
    return answer(me_json(ctx, await _me(ctx)))


@endpoint
async def edit_my_profile(request: Request, ctx: Ctx):
    """Change my profile: fields left out keep their value."""
    require_user(ctx)
    data = await read_json(request, ctx, PROFILE_EDIT_FIELDS)
    me = await _me(ctx)
    district = short_text(data, "district_id", 36) if "district_id" in data else me.district_id
    await profiles.update_profile(
        ctx, display_name=data.get("display_name", me.display_name),
        introduction=data.get("introduction", me.introduction),
        district_id=district or "",
        visibility=text_map(data, "field_visibility", PROFILE_FIELDS),
        remove_avatar=flag(data, "remove_avatar"),
    )
    return answer(me_json(ctx, await _me(ctx)))


@endpoint
async def get_person(request: Request, ctx: Ctx):
    """A resident's profile, with only the fields they share with the caller."""
    user = await profiles.get_profile(ctx, request.path_params["username"])
    relation = await friend_service.relation(ctx, user.id)
    return answer(profile_json(ctx, user, relation=relation, may_befriend=can_befriend(ctx.viewer, user)))


@endpoint
async def list_friends(request: Request, ctx: Ctx):
    """My friends, requests to me and from me, and whom I block."""
    require_user(ctx)
    me = ctx.user.id
    groups = {
        "friends": await friend_service.friends_of(me),
        "incoming": await friend_service.incoming_requests(me),
        "outgoing": await friend_service.outgoing_requests(me),
        "blocked": await friend_service.blocked_by_me(me),
    }
    return answer({name: [person_brief(ctx, u) for u in users] for name, users in groups.items()})


@endpoint
async def friend_action(request: Request, ctx: Ctx):
    """Request, accept, decline or end a friendship; block or unblock."""
    require_user(ctx)
    action = request.path_params["action"]
    if action not in friend_service.ACTIONS:
        raise NotFound(N_("There is no such action."), field="action")
    user_id = await friend_service.resident_id(request.path_params["username"])
    call, message = friend_service.ACTIONS[action]
    await call(ctx, user_id)
    relation = await friend_service.relation(ctx, user_id)
    if relation == "friend":
        message = friend_service.ACTIONS["accept"][1]
    return answer({"relation": relation, "message": gettext(message)})
