"""JSON Schemas (OpenAPI 3.1 / JSON Schema 2020-12) of what the API reads and writes."""

from __future__ import annotations

from typing import Any

from sns.models import PROFILE_FIELDS, VISIBILITIES

TEXT = {"type": "string"}
URL = {"type": "string", "format": "uri"}
ID = {"type": "string", "format": "uuid", "description": "A global id (UUIDv7, ordered by time)."}
TIME = {"type": "string", "format": "date-time"}
VISIBILITY = {"type": "string", "enum": list(VISIBILITIES),
              "description": "Who may see it: everyone, signed-in residents, friends, or only the author."}
NEXT = {"type": ["string", "null"], "format": "uri", "description": "The next (older) page, or null at the end."}
COORD = {"type": ["number", "null"]}
BLUR = {"type": "boolean", "default": False,
        "description": "Keep only the neighbourhood of the place (the centre of a cell about 500 m across), "
                       "never the exact point."}
CLIENT_TOKEN = {"type": "string", "maxLength": 64,
                "description": "Any unique text per post: sending the same one again posts once (safe retries)."}
TEXT_STATE = {"type": "string", "enum": ["published", "held", "removed"],
              "description": "held: waits for a moderator (only its author sees it)."}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], required: tuple[str, ...] | None = None, closed: bool = False,
        description: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": properties,
                           "required": list(properties if required is None else required)}
    if closed:
        out["additionalProperties"] = False
    if description:
        out["description"] = description
    return out


def page_of(item: str) -> dict[str, Any]:
    return obj({"items": {"type": "array", "items": ref(item)}, "next": NEXT})


PERSON = {"username": TEXT, "display_name": TEXT, "url": URL, "api_url": URL}
DISTRICT = {"type": ["object", "null"], "properties": {"id": ID, "name": TEXT}}
FIELD_VISIBILITY = obj({name: VISIBILITY for name in PROFILE_FIELDS}, required=(), closed=True)

SCHEMAS: dict[str, Any] = {
    "Error": obj({"error": {"type": "string", "description": "What went wrong, in the caller's language."},
                  "field": {"type": ["string", "null"], "description": "The input field at fault, if any."}}),
    "Person": obj(PERSON),
    "Profile": obj({
        **PERSON,
        "role_group": {"type": "string", "enum": ["resident", "municipal_staff", "site_team"]},
        "district": DISTRICT, "introduction": TEXT, "introduction_html": TEXT,
        "avatar_url": {"type": ["string", "null"], "format": "uri"},
        "relation": {"type": "string", "enum": ["self", "friend", "requested", "incoming", "blocked", "none"]},
        "may_befriend": {"type": "boolean"}, "diaries_url": URL,
    }, required=(*PERSON, "role_group", "relation", "may_befriend", "diaries_url"),
        description="district, introduction and avatar_url are present only when shared with the caller."),
    "Me": obj({
        **PERSON, "role": TEXT, "email": TEXT, "locale": {"type": ["string", "null"]},
        "district": DISTRICT, "introduction": TEXT, "introduction_html": TEXT,
        "avatar_url": {"type": ["string", "null"], "format": "uri"}, "field_visibility": FIELD_VISIBILITY,
    }),
    "ProfileEdit": obj({
        "display_name": {"type": "string", "minLength": 1, "maxLength": 64},
        "introduction": {"type": "string", "maxLength": 2000},
        "district_id": {"type": ["string", "null"], "description": "A district id, or null for none."},
        "field_visibility": FIELD_VISIBILITY, "remove_avatar": {"type": "boolean"},
    }, required=(), closed=True, description="Fields left out keep their value."),
    "Friends": obj({name: {"type": "array", "items": ref("Person")}
                    for name in ("friends", "incoming", "outgoing", "blocked")}),
    "FriendActionResult": obj({
        "relation": {"type": "string", "enum": ["self", "friend", "requested", "incoming", "blocked", "none"]},
        "message": TEXT,
    }),
    "Notice": obj({"id": ID, "url": URL, "title": TEXT, "body": TEXT, "body_html": TEXT,
                   "author": ref("Person"), "created_at": TIME}),
    "NoticePage": page_of("Notice"),
    "NoticeNew": obj({"title": {"type": "string", "minLength": 1, "maxLength": 200},
                      "body": {"type": "string", "minLength": 1}}, closed=True),
    "OpenAPI": {"type": "object", "description": "This document."},
}
