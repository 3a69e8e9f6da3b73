"""What a client sends to the communities API (`sns.api.communities`): bodies and queries, with the limits
the services enforce."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from sns.api.community_shapes import JoinPolicy, ReadableBy
from sns.api.declare import Input, Query
from sns.api.fields import PLACE_RULE, Before, Blur, ClientToken, Id, IdList, Lat, Limit, Lon, Title, text
from sns.services.communities import DESCRIPTION_CHARS, NAME_CHARS
from sns.services.memberships import MEMBER_ACTIONS
from sns.services.replies import REPLY_CHARS
from sns.services.topics import TOPIC_SWITCHES

Name = text(NAME_CHARS, 1)
Description = text(DESCRIPTION_CHARS, lines=True)
Body = text(min_length=1, description="Markdown; at most `max_body_chars` characters.", lines=True)
ReplyBody = text(REPLY_CHARS, 1, lines=True,
                 description=f"Markdown; at most {REPLY_CHARS} characters (or `max_body_chars` if fewer).")


class CommunityNew(Input):
    name: Name
    description: Description = ""
    join_policy: JoinPolicy = "open"
    readable_by: ReadableBy = "public"
    official: bool = Field(False, description="Staff only.")
    client_token: ClientToken = None


class CommunityEdit(Input):
    """Fields left out (or null) keep their value."""

    name: Name | None = None
    description: Description | None = None
    join_policy: JoinPolicy | None = None
    readable_by: ReadableBy | None = None
    official: bool | None = Field(None, description="Staff only.")


class MembershipAction(Input):
    action: Literal["join", "leave"] = Field(description=(
        "join: join an open community, ask to join one by approval, or accept an invitation; "
        "leave: leave, withdraw a request or decline an invitation."))


class MemberAction(Input):
    action: Literal[("invite", *MEMBER_ACTIONS)] = Field(description=(  # type: ignore[valid-type]
        "What a community admin does to this person (sub-moderators may accept and decline requests to join)."))


class TopicNew(Input):
    """Give both lat and lon (WGS84 degrees), or neither."""

    model_config = ConfigDict(json_schema_extra=PLACE_RULE)

    title: Title
    body: Body
    lat: Lat = None
    lon: Lon = None
    blur: Blur = False
    client_token: ClientToken = None


class TopicEdit(Input):
    """Fields left out (or null) keep their value; lat and lon null removes the place."""

    model_config = ConfigDict(json_schema_extra=PLACE_RULE)

    title: Title | None = None
    body: Body | None = None
    lat: Lat = None
    lon: Lon = None
    blur: Blur = False
    remove_photos: IdList = []


MOVE_NEEDS_A_PLACE = {"anyOf": [  # the service refuses a move without a community to move to
    {"properties": {"action": {"enum": [*TOPIC_SWITCHES, "follow", "unfollow"]}}},
    {"properties": {"action": {"const": "move"}, "community_id": {"type": "string"}}, "required": ["community_id"]},
]}


class TopicAction(Input):
    model_config = ConfigDict(json_schema_extra=MOVE_NEEDS_A_PLACE)

    action: Literal[(*TOPIC_SWITCHES, "move", "follow", "unfollow")] = Field(description=(  # type: ignore[valid-type]
        "pin, unpin, lock, unlock, move: the community's admins and sub-moderators (move: of both communities) "
        "or site moderators; follow, unfollow: readers."))
    community_id: Id | None = Field(None, description="Where to move the topic (action move).")


class ReplyNew(Input):
    body: ReplyBody
    client_token: ClientToken = None


class ReplyEdit(Input):
    body: ReplyBody


class CommunitiesQuery(Query):
    limit: Limit = None
    before: Before = None
    mine: Literal["1"] | None = Field(None, description="1: only communities the caller is an active member of "
                                                        "(needs a token).")


class TopicsQuery(Query):
    limit: Limit = None
    before: Before = None
