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
    "OpenAPI": {"type": "object", "description": "This document."},
}
