"""Residents over JSON: me, a profile, editing my profile, friends and blocks."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, create_model

from sns.api.declare import WRITE, Input, Operations, Output
from sns.api.fields import Visibility, must_be_text, text
from sns.api.refusals import Reported
from sns.api.shapes import Friends, Me, Profile, me_json, person_brief, profile_json
from sns.context import Ctx
from sns.errors import NotFound
from sns.i18n import N_, gettext
from sns.models import PROFILE_FIELDS
from sns.policies import can_befriend
from sns.services import friends as friend_service
from sns.services import profiles

API = Operations("people")

# Who sees each profile field; a choice the services do not know is reported as the settings page's field.
FieldVisibilityEdit = create_model(
    "FieldVisibilityEdit", __base__=Input,
    **{name: (Annotated[Visibility, BeforeValidator(must_be_text),
                     Reported(f"visibility_{name}", kinds=("literal_error",))], None)
       for name in PROFILE_FIELDS})


class ProfileEdit(Input):
    """Fields left out keep their value."""

    display_name: text(64, 1) = None  # type: ignore[valid-type]
    introduction: text(2000, lines=True) = None  # type: ignore[valid-type]
    district_id: Annotated[text(36) | None, Field(description="A district id, or null for none.")] = None
    field_visibility: FieldVisibilityEdit = None  # type: ignore[valid-type]
    remove_avatar: bool = False


class FriendActionResult(Output):
    relation: Literal["self", "friend", "requested", "incoming", "blocked", "none"]
    message: str


async def _me(ctx: Ctx):
    return await profiles.get_profile(ctx, ctx.user.username)  # with the district


@API.get("/api/v1/me", answer=Me, auth=True)
async def get_me(ctx: Ctx):
    """My own account and profile, every field."""
    return me_json(ctx, await _me(ctx))


@API.patch("/api/v1/me/profile", answer=Me, body=ProfileEdit, auth=True, errors=WRITE,
           refuses=("district", "display_name", "introduction"))
async def edit_my_profile(ctx: Ctx, body: ProfileEdit):
    """Change my profile: fields left out keep their value."""
    me = await _me(ctx)
    given = body.model_fields_set
    visibility = body.field_visibility.model_dump(exclude_unset=True) if body.field_visibility else {}
    await profiles.update_profile(
        ctx, display_name=body.display_name if "display_name" in given else me.display_name,
        introduction=body.introduction if "introduction" in given else me.introduction,
        district_id=(body.district_id if "district_id" in given else me.district_id) or "",
        visibility=visibility,
        remove_avatar=body.remove_avatar,
    )
    return me_json(ctx, await _me(ctx))


@API.get("/api/v1/people/{username}", answer=Profile, errors=(401, 404))
async def get_person(ctx: Ctx, username: str):
    """A resident's profile, with only the fields they share with the caller."""
    user = await profiles.get_profile(ctx, username)
    relation = await friend_service.relation(ctx, user.id)
    return profile_json(ctx, user, relation=relation, may_befriend=can_befriend(ctx.viewer, user))


@API.get("/api/v1/friends", answer=Friends, auth=True, tag="friends")
async def list_friends(ctx: Ctx):
    """My friends, requests to me and from me, and whom I block."""
    me = ctx.user.id
    groups = {
        "friends": await friend_service.friends_of(me),
        "incoming": await friend_service.incoming_requests(me),
        "outgoing": await friend_service.outgoing_requests(me),
        "blocked": await friend_service.blocked_by_me(me),
    }
    return {name: [person_brief(ctx, u) for u in users] for name, users in groups.items()}


@API.post("/api/v1/friends/{username}/{action}", answer=FriendActionResult, auth=True, tag="friends",
          errors=(401, 403, 404))
async def friend_action(ctx: Ctx, username: str, action: str):
    """Request, accept, decline or end a friendship; block or unblock."""
    if action not in friend_service.ACTIONS:
        raise NotFound(N_("There is no such action."), field="action")
    user_id = await friend_service.resident_id(username)
    call, message = friend_service.ACTIONS[action]
    await call(ctx, user_id)
    relation = await friend_service.relation(ctx, user_id)
    if relation == "friend":
        message = friend_service.ACTIONS["accept"][1]
    return {"relation": relation, "message": gettext(message)}
