"""The API's field types, each said once: its JSON Schema, its limits and how its refusals read.

Declarations (`sns.api.declare`) build their models from these; the document shows their schemas.
Texts are checked again by the services (length in characters, moderation): the limits here are the
ones the services enforce, stated where a client can read them.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from sns.api.http import has_control_chars
from sns.api.refusals import Reported, custom
from sns.errors import NotFound
from sns.i18n import N_
from sns.ids import is_id
from sns.models import VISIBILITIES
from sns.services.accounts import USERNAME_RE

MAX_LIMIT = 100
ID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


LINE_CHARS = r"\x00-\x1f\x7f-\x9f"  # one line: no control characters
LINES_CHARS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # several lines: tabs and line breaks too
LINE, LINES = f"^[^{LINE_CHARS}]*$", f"^[^{LINES_CHARS}]*$"


def _pattern(refused: str, filled: bool) -> str:
    """The JSON Schema pattern of a text without the `refused` characters; `filled`: not only spaces
    (the services strip a text before they check that it is there)."""
    if not filled:
        return f"^[^{refused}]*$"
    return f"^[^{refused}]*[^\\s{refused}][^{refused}]*$"

ALLOWED_IN_LINES = frozenset("\t\n\r")


def _no_control(value: str) -> str:
    if has_control_chars(value):
        raise custom(N_("This contains characters that are not allowed."))
    return value


def _no_control_but_lines(value: str) -> str:
    if any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in ALLOWED_IN_LINES for ch in value):
        raise custom(N_("This contains characters that are not allowed."))
    return value


def must_be_text(value):
    """Before a choice is checked: a value that is not even text is refused as such."""
    if value is not None and not isinstance(value, str):
        raise custom(N_("This field must be text."))
    return value


def valid_username(raw: str | None) -> str | None:
    """A username given as a filter; one that no resident could have is simply not found."""
    if raw is not None and not USERNAME_RE.match(raw.strip().lower()):
        raise NotFound(N_("No such resident."))
    return raw


def _whole(value):
    """2149.0 is an integer to JSON Schema (and to JavaScript): taken as 2149; 2149.5 is still refused."""
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def _an_id(value: str) -> str:
    if not is_id(value):
        raise custom(N_("This is not a valid id."))
    return value


Id = Annotated[str, AfterValidator(_an_id), WithJsonSchema(
    {"type": "string", "format": "uuid", "pattern": ID_PATTERN,
     "description": "A global id (UUIDv7, ordered by time)."})]
Url = Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]
MaybeUrl = Annotated[str | None, WithJsonSchema({"type": ["string", "null"], "format": "uri"})]
Time = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
MaybeTime = Annotated[str | None, WithJsonSchema({"type": ["string", "null"], "format": "date-time"})]
Next = Annotated[str | None, WithJsonSchema(
    {"type": ["string", "null"], "format": "uri", "description": "The next (older) page, or null at the end."})]


def text(max_length: int | None = None, min_length: int = 0, description: str | None = None, *,
         lines: bool = False):
    """A text a client writes, within the limits the services enforce: one line (a title, a name) has no
    control characters; `lines` (a body, a description) may have tabs and line breaks."""
    return Annotated[str, Field(min_length=min_length or None, max_length=max_length, description=description,
                                json_schema_extra={"pattern": _pattern(LINES_CHARS if lines else LINE_CHARS,
                                                                       filled=min_length >= 1)}),
                     AfterValidator(_no_control_but_lines if lines else _no_control)]


Title = text(200, 1)
ClientToken = Annotated[str | None, Field(
    max_length=64, pattern=LINE, description="Any unique text per post: sending the same one again posts once (safe retries)."),
    AfterValidator(lambda v: None if not v else _no_control(v))]  # an empty token: none
Visibility = Annotated[Literal[VISIBILITIES], Field(  # type: ignore[valid-type]
    description="Who may see it: everyone, signed-in residents, friends, or only the author.")]
TextState = Annotated[Literal["published", "held", "removed"], Field(
    description="held: waits for a moderator (only its author sees it).")]
# Latitude and longitude travel together: a refusal of either is reported as the page's `location`.
Lat = Annotated[float | None, Field(ge=-90, le=90, description="WGS84 degrees."), Reported("location")]
Lon = Annotated[float | None, Field(ge=-180, le=180, description="WGS84 degrees."), Reported("location")]
Blur = Annotated[bool, Field(description="Keep only the neighbourhood of the place (the centre of a cell about "
                                         "500 m across), never the exact point.")]
Coord = float | None


def whole(**limits):
    """A whole number in a JSON body (`ge`, `le`... as Field takes them): use this, never a bare `int`
    (tests/api/test_api_declarations.py checks). The limits come before the conversion, so that the
    document states them."""
    return Annotated[int, Field(**limits), BeforeValidator(_whole)]


Whole = whole()
# ...and the services refuse one without the other: a body with lat and lon says so (`json_schema_extra`).
PLACE_RULE = {"anyOf": [
    {"properties": {"lat": {"type": "null"}, "lon": {"type": "null"}}, "description": "No place."},
    {"properties": {"lat": {"type": "number"}, "lon": {"type": "number"}}, "required": ["lat", "lon"]},
]}
IdList = Annotated[list[Id], Field(max_length=20)]

# Query parameters
Limit = Annotated[int | None, Field(ge=1, le=MAX_LIMIT,
                                    description="How many items per page (the site's page size by default).")]
Before = Annotated[Id | None, Field(
    description="Only items older than this id: follow the `next` link of the previous page.")]
def page_limit(ctx, limit: int | None) -> int:
    """How many items a page holds: the caller's `limit`, else the site's page size."""
    return limit or min(ctx.settings.page_size, MAX_LIMIT)


Page = Annotated[int, Field(ge=1, le=9999, description="Which page, from 1.")]

# Path parameters, by name: every operation with `{id}` in its path takes it as this.
PATH_PARAMS = {
    "id": {"type": "string", "description": "The record's global id."},
    "username": {"type": "string", "description": "A resident's username."},
    "action": {"type": "string", "enum": ["request", "accept", "decline", "remove", "block", "unblock"],
               "description": "request (or accept theirs), accept, decline, remove (or withdraw), block, unblock."},
}
