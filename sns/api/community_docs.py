"""The OpenAPI description of the communities API (`sns.api.communities`): operations and schemas."""

from __future__ import annotations

from typing import Any

from sns.api.openapi import BEFORE, LIMIT, WRITE, op
from sns.api.schemas import BLUR, CLIENT_TOKEN, COORD, ID, NEXT, TEXT, TEXT_STATE, TIME, URL, obj, page_of, ref
from sns.models import JOIN_POLICIES, MEMBER_ROLES, READABLE_BY
from sns.services.memberships import MEMBER_ACTIONS
from sns.services.topics import TOPIC_SWITCHES

BOOL = {"type": "boolean"}
INT = {"type": "integer"}
JOIN_POLICY = {"type": "string", "enum": list(JOIN_POLICIES),
               "description": "open: anyone joins at once; approval: an admin accepts; invitation: invited people only."}
READABLE = {"type": "string", "enum": list(READABLE_BY),
            "description": "Who reads the topics: everyone, signed-in residents, or the community's members only."}
MEMBERSHIP = {"type": ["object", "null"], "properties": {
    "state": {"type": "string", "enum": ["pending", "invited", "active", "banned"]},
    "role": {"type": "string", "enum": list(MEMBER_ROLES), "description": "moderator: the community's sub-moderator."},
}, "description": "The caller's place in the community, or null."}
MINE = {"name": "mine", "in": "query", "required": False, "schema": {"type": "string", "enum": ["1"]},
        "description": "1: only communities the caller is an active member of (needs a token)."}

PATH_PARAMS: dict[str, Any] = {}

SCHEMAS: dict[str, Any] = {
    "Community": obj({
        "id": ID, "url": URL, "api_url": URL, "name": TEXT,
        "description": {"type": "string", "description": "Markdown source."}, "description_html": TEXT,
        "official": {"type": "boolean", "description": "Run by the city (only staff set it)."},
        "join_policy": JOIN_POLICY, "readable_by": READABLE, "state": TEXT_STATE,
        "member_count": INT, "topic_count": INT, "created_at": TIME,
    }),
    "CommunityDetail": {"allOf": [ref("Community"), obj({
        "membership": ref("Membership"),
        "permissions": obj({n: BOOL for n in ("read", "post", "join", "leave", "edit")}),
        "topics_url": URL,
    })]},
    "CommunityPage": page_of("Community"),
    "CommunityNew": obj({
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "description": {"type": "string", "maxLength": 5000}, "join_policy": JOIN_POLICY, "readable_by": READABLE,
        "official": {"type": "boolean", "description": "Staff only."}, "client_token": CLIENT_TOKEN,
    }, required=("name",), closed=True),
    "CommunityEdit": obj({
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "description": {"type": "string", "maxLength": 5000}, "join_policy": JOIN_POLICY, "readable_by": READABLE,
        "official": {"type": "boolean", "description": "Staff only."},
    }, required=(), closed=True, description="Fields left out keep their value."),
    "Membership": MEMBERSHIP,
    "Member": obj({"username": TEXT, "display_name": TEXT, "url": URL, "api_url": URL,
                   "role": {"type": "string", "enum": list(MEMBER_ROLES)}, "state": TEXT}),
    "MemberList": obj({s: {"type": "array", "items": ref("Member")} for s in ("active", "pending", "invited", "banned")},
                      description="pending is listed for the community's admins and sub-moderators, "
                                  "invited and banned for its admins; the others get empty lists."),
    "Topic": obj({
        "id": ID, "url": URL, "api_url": URL, "community_id": ID, "title": TEXT,
        "body": {"type": "string", "description": "Markdown source."}, "body_html": TEXT, "state": TEXT_STATE,
        "pinned": BOOL, "locked": BOOL, "reply_count": INT, "lat": COORD, "lon": COORD, "author": ref("Person"),
        "photos": {"type": "array", "items": ref("Photo")}, "created_at": TIME, "updated_at": TIME,
        "bumped_at": {**TIME, "description": "Its creation or its newest reply: the list's order."},
    }),
    "TopicDetail": {"allOf": [ref("Topic"), obj({
        "permissions": obj({n: BOOL for n in ("edit", "delete", "reply", "pin", "lock")}),
        "following": BOOL, "replies_url": URL,
    })]},
    "TopicPage": obj({"items": {"type": "array", "items": ref("Topic")}, "next": NEXT},
                     description="Pinned topics first, then by last activity, newest first."),
    "TopicNew": obj({
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "body": {"type": "string", "minLength": 1, "description": "Markdown; at most `max_body_chars` characters."},
        "lat": COORD, "lon": COORD, "blur": BLUR, "client_token": CLIENT_TOKEN,
    }, required=("title", "body"), closed=True),
    "TopicEdit": obj({
        "title": {"type": "string", "minLength": 1, "maxLength": 200}, "body": {"type": "string", "minLength": 1},
        "lat": COORD, "lon": COORD, "blur": BLUR, "remove_photos": {"type": "array", "items": ID, "maxItems": 20},
    }, required=(), closed=True, description="Fields left out keep their value."),
    "TopicAction": obj({
        "action": {"type": "string", "enum": [*TOPIC_SWITCHES, "move", "follow", "unfollow"],
                   "description": "pin, unpin, lock, unlock, move: the community's admins and sub-moderators "
                                  "(move: of both communities) or site moderators; follow, unfollow: readers."},
        "community_id": {**ID, "description": "Where to move the topic (action move)."},
    }, required=("action",), closed=True),
    "MembershipAction": obj({"action": {"type": "string", "enum": ["join", "leave"], "description":
                                        "join: join an open community, ask to join one by approval, or accept an "
                                        "invitation; leave: leave, withdraw a request or decline an invitation."}},
                            closed=True),
    "MemberAction": obj({"action": {"type": "string", "enum": ["invite", *MEMBER_ACTIONS], "description":
                                    "What a community admin does to this person (sub-moderators may accept and "
                                    "decline requests to join)."}}, closed=True),
    "Reply": obj({
        "id": ID, "topic_id": ID, "url": URL, "author": ref("Person"), "body": TEXT, "body_html": TEXT,
        "state": TEXT_STATE, "photos": {"type": "array", "items": ref("Photo")}, "created_at": TIME,
        "permissions": obj({"edit": BOOL, "delete": BOOL}),
    }),
    "ReplyList": obj({"items": {"type": "array", "items": ref("Reply")}}),
    "ReplyNew": obj({"body": {"type": "string", "minLength": 1, "maxLength": 10000}, "client_token": CLIENT_TOKEN},
                    required=("body",), closed=True),
    "ReplyEdit": obj({"body": {"type": "string", "minLength": 1, "maxLength": 10000}}, closed=True),
}

C, T = "/api/v1/communities", "/api/v1/topics"
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", C): op("communities", (200, "CommunityPage"), query=(LIMIT, BEFORE, MINE), errors=(400, 401)),
    ("POST", C): op("communities", (201, "CommunityDetail"), auth=True, body="CommunityNew", errors=(*WRITE, 429)),
    ("GET", C + "/{id}"): op("communities", (200, "CommunityDetail"), errors=(401, 404)),
    ("PATCH", C + "/{id}"): op("communities", (200, "CommunityDetail"), auth=True, body="CommunityEdit",
                               errors=(*WRITE, 404)),
    ("POST", C + "/{id}/membership"): op("communities", (200, "Membership"), auth=True, body="MembershipAction",
                                         errors=(400, 401, 403, 404, 409, 415)),
    ("GET", C + "/{id}/members"): op("communities", (200, "MemberList"), auth=True, errors=(401, 403, 404)),
    ("POST", C + "/{id}/members/{username}"): op("communities", (200, "Membership"), auth=True, body="MemberAction",
                                                 errors=(400, 401, 403, 404, 409, 415)),
    ("GET", C + "/{id}/topics"): op("topics", (200, "TopicPage"), query=(LIMIT, BEFORE), errors=(400, 401, 404)),
    ("POST", C + "/{id}/topics"): op("topics", (201, "TopicDetail"), auth=True, body="TopicNew",
                                     errors=(*WRITE, 404, 429)),
    ("GET", T + "/{id}"): op("topics", (200, "TopicDetail"), errors=(401, 404)),
    ("PATCH", T + "/{id}"): op("topics", (200, "TopicDetail"), auth=True, body="TopicEdit", errors=(*WRITE, 404)),
    ("DELETE", T + "/{id}"): op("topics", (204, None), auth=True, errors=(401, 403, 404)),
    ("POST", T + "/{id}/actions"): op("topics", (200, "TopicDetail"), auth=True, body="TopicAction",
                                      errors=(*WRITE, 404)),
    ("GET", T + "/{id}/replies"): op("replies", (200, "ReplyList"), errors=(401, 404)),
    ("POST", T + "/{id}/replies"): op("replies", (201, "Reply"), auth=True, body="ReplyNew",
                                      errors=(*WRITE, 404, 409, 429)),
    ("PATCH", "/api/v1/replies/{id}"): op("replies", (200, "Reply"), auth=True, body="ReplyEdit", errors=(*WRITE, 404)),
    ("DELETE", "/api/v1/replies/{id}"): op("replies", (204, None), auth=True, errors=(401, 403, 404)),
}
