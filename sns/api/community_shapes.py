"""How communities, topics and replies look in the API (records the services already let the caller see)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, RootModel

from sns.api.declare import Output
from sns.api.fields import Coord, Id, Next, TextState, Time, Url
from sns.api.http import absolute
from sns.api.shapes import Person, Photo, html, person_brief, photo_json, when
from sns.context import Ctx
from sns.models import JOIN_POLICIES, MEMBER_ROLES, READABLE_BY
from sns.policies import (
    can_delete_reply, can_delete_topic, can_edit_community, can_edit_reply, can_edit_topic, can_join, can_leave,
    can_lock_topic, can_pin_topic, can_post_topic, can_read_community, can_reply,
)
from sns.services.replies import reply_url


def membership_json(membership) -> dict | None:
    if membership is None or membership.state == "left":
        return None
    return {"state": membership.state, "role": membership.role}


def community_json(ctx: Ctx, c, membership=None, *, detail: bool = False) -> dict:
    out = {
        "id": c.id, "url": absolute(ctx, f"/communities/{c.id}"), "api_url": absolute(ctx, f"/api/v1/communities/{c.id}"),
        "name": c.name, "description": c.description, "description_html": html(c.description),
        "official": c.official, "join_policy": c.join_policy, "readable_by": c.readable_by, "state": c.state,
        "member_count": c.member_count, "topic_count": c.topic_count, "created_at": when(c.created_at),
    }
    if detail:
        v = ctx.viewer
        out["membership"] = membership_json(membership)
        out["permissions"] = {"read": can_read_community(v, c, membership), "post": can_post_topic(v, c, membership),
                              "join": can_join(v, c, membership), "leave": can_leave(v, c, membership),
                              "edit": can_edit_community(v, c, membership)}
        out["topics_url"] = absolute(ctx, f"/api/v1/communities/{c.id}/topics")
    return out


def topic_json(ctx: Ctx, t, photos, place=None, following: bool | None = None) -> dict:
    out = {
        "id": t.id, "url": absolute(ctx, f"/topics/{t.id}"), "api_url": absolute(ctx, f"/api/v1/topics/{t.id}"),
        "community_id": t.community_id, "title": t.title, "body": t.body, "body_html": html(t.body),
        "state": t.state, "pinned": t.pinned, "locked": t.locked, "reply_count": t.reply_count,
        "lat": t.lat, "lon": t.lon, "author": person_brief(ctx, t.author), "photos": [photo_json(ctx, p) for p in photos],
        "created_at": when(t.created_at), "updated_at": when(t.updated_at), "bumped_at": when(t.bumped_at),
    }
    if place is not None:
        v, c, m = ctx.viewer, place.community, place.membership
        out["permissions"] = {"edit": can_edit_topic(v, t, c, m), "delete": can_delete_topic(v, t, c, m),
                              "reply": can_reply(v, t, c, m), "pin": can_pin_topic(v, t, c, m),
                              "lock": can_lock_topic(v, t, c, m)}
        out["following"] = bool(following)
        out["replies_url"] = absolute(ctx, f"/api/v1/topics/{t.id}/replies")
    return out


def reply_json(ctx: Ctx, r, photos, place) -> dict:
    v = ctx.viewer
    return {"id": r.id, "topic_id": r.topic_id, "url": absolute(ctx, reply_url(r)),
            "author": person_brief(ctx, r.author), "body": r.body, "body_html": html(r.body), "state": r.state,
            "photos": [photo_json(ctx, p) for p in photos], "created_at": when(r.created_at),
            "permissions": {"edit": can_edit_reply(v, r, place.membership),
                            "delete": can_delete_reply(v, r, place.topic, place.community, place.membership)}}


# The shapes above, declared: an operation's answer is checked against these and documented by them.

JoinPolicy = Annotated[Literal[JOIN_POLICIES], Field(  # type: ignore[valid-type]
    description="open: anyone joins at once; approval: an admin accepts; invitation: invited people only.")]
ReadableBy = Annotated[Literal[READABLE_BY], Field(  # type: ignore[valid-type]
    description="Who reads the topics: everyone, signed-in residents, or the community's members only.")]
Role = Annotated[Literal[MEMBER_ROLES], Field(  # type: ignore[valid-type]
    description="moderator: the community's sub-moderator.")]


class Community(Output):
    id: Id
    url: Url
    api_url: Url
    name: str
    description: str = Field(description="Markdown source.")
    description_html: str
    official: bool = Field(description="Run by the city (only staff set it).")
    join_policy: JoinPolicy
    readable_by: ReadableBy
    state: TextState
    member_count: int
    topic_count: int
    created_at: Time


class MembershipState(Output):
    state: Literal["pending", "invited", "active", "banned"]
    role: Role


class Membership(RootModel[MembershipState | None]):
    """The caller's place in the community, or null."""


class CommunityPermissions(Output):
    read: bool
    post: bool
    join: bool
    leave: bool
    edit: bool


class CommunityDetail(Community):
    membership: Membership
    permissions: CommunityPermissions
    topics_url: Url


class CommunityPage(Output):
    items: list[Community]
    next: Next


class Member(Person):
    role: Role
    state: str


class MemberList(Output):
    """pending is listed for the community's admins and sub-moderators, invited and banned for its admins;
    the others get empty lists."""

    active: list[Member]
    pending: list[Member]
    invited: list[Member]
    banned: list[Member]


class Topic(Output):
    id: Id
    url: Url
    api_url: Url
    community_id: Id
    title: str
    body: str = Field(description="Markdown source.")
    body_html: str
    state: TextState
    pinned: bool
    locked: bool
    reply_count: int
    lat: Coord
    lon: Coord
    author: Person
    photos: list[Photo]
    created_at: Time
    updated_at: Time
    bumped_at: Time = Field(description="Its creation or its newest reply: the list's order.")


class TopicPermissions(Output):
    edit: bool
    delete: bool
    reply: bool
    pin: bool
    lock: bool


class TopicDetail(Topic):
    permissions: TopicPermissions
    following: bool
    replies_url: Url


class TopicPage(Output):
    """Pinned topics first, then by last activity, newest first."""

    items: list[Topic]
    next: Next


class ReplyPermissions(Output):
    edit: bool
    delete: bool


class Reply(Output):
    id: Id
    topic_id: Id
    url: Url
    author: Person
    body: str
    body_html: str
    state: TextState
    photos: list[Photo]
    created_at: Time
    permissions: ReplyPermissions


class ReplyList(Output):
    items: list[Reply]
