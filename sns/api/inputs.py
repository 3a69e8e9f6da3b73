"""Reading what an API client sends: a bounded JSON object, typed fields, query parameters.

Wrong input is answered with a clear 4xx (`Invalid`, `TooLarge`...), never a 500.
Texts are checked again by the services (length, control characters, moderation).
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.requests import ClientDisconnect, Request

from sns.context import Ctx
from sns.api.http import has_control_chars
from sns.errors import Invalid, NotFound, ServiceError
from sns.i18n import N_
from sns.ids import is_id
from sns.services.accounts import USERNAME_RE

MAX_LIMIT = 100
MISSING = object()


class TooLarge(ServiceError):
    status = 413


class UnsupportedMediaType(ServiceError):
    status = 415


def max_json_bytes(ctx: Ctx) -> int:
    """Room for the longest allowed body even when every character is escaped (\\uXXXX pairs)."""
    return max(256 * 1024, ctx.settings.max_body_chars * 12 + 16 * 1024)


async def read_json(request: Request, ctx: Ctx, allowed: tuple[str, ...]) -> dict[str, Any]:
    """The body as a JSON object with only the `allowed` fields."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json" and not ctype.endswith("+json"):
        raise UnsupportedMediaType(N_("Send the request body as JSON (Content-Type: application/json)."))
    limit = max_json_bytes(ctx)
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and (len(declared) > 15 or int(declared) > limit):
        raise TooLarge(N_("The request body is too large (at most %(kb)d KB)."), kb=limit // 1024)
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise TooLarge(N_("The request body is too large (at most %(kb)d KB)."), kb=limit // 1024)
            chunks.append(chunk)
    except ClientDisconnect:  # nobody is left to answer; do not log it as our failure
        raise Invalid(N_("The request body is not valid JSON.")) from None
    try:
        data = json.loads(b"".join(chunks))
    except (ValueError, RecursionError):  # bad syntax, bad UTF-8, absurd numbers or nesting
        raise Invalid(N_("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise Invalid(N_("The request body must be a JSON object."))
    for name in data:
        if name not in allowed:
            raise Invalid(N_("This field is not known here."), field=name)
    return data


def coordinate(data: dict, name: str, default: Any = None) -> float | None:
    """A latitude or longitude: a JSON number or null (range checked by `sns.geo`)."""
    value = data.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid(N_("Latitude and longitude must be numbers, such as 32.5073 and 130.6016."),
                      field="location")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise Invalid(N_("Latitude must be between -90 and 90 and longitude between -180 and 180."),
                      field="location")
    return number


def short_text(data: dict, name: str, max_chars: int = 64) -> str | None:
    """An optional short text such as an idempotency `client_token`."""
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(N_("This field must be text."), field=name)
    if len(value) > max_chars:
        raise Invalid(N_("This is too long (at most %(max)d characters)."), field=name, max=max_chars)
    if has_control_chars(value):
        raise Invalid(N_("This contains characters that are not allowed."), field=name)
    return value or None


def flag(data: dict, name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise Invalid(N_("This must be true or false."), field=name)
    return value


def text_map(data: dict, name: str, keys: tuple[str, ...]) -> dict[str, str]:
    """An object of known keys with text values, such as who sees each profile field."""
    value = data.get(name) or {}
    if not isinstance(value, dict):
        raise Invalid(N_("This field must be a JSON object."), field=name)
    for key, item in value.items():
        if key not in keys:
            raise Invalid(N_("This field is not known here."), field=f"{name}.{key}")
        if not isinstance(item, str):
            raise Invalid(N_("This field must be text."), field=f"{name}.{key}")
    return value


def query_limit(request: Request, ctx: Ctx) -> int:
    raw = request.query_params.get("limit")
    if raw is None or raw == "":
        return min(ctx.settings.page_size, MAX_LIMIT)
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not 1 <= int(raw) <= MAX_LIMIT:
        raise Invalid(N_("Give a whole number from 1 to %(max)d."), field="limit", max=MAX_LIMIT)
    return int(raw)


def query_before(request: Request) -> str | None:
    raw = request.query_params.get("before") or None
    if raw is not None and not is_id(raw):
        raise Invalid(N_("This is not a valid id."), field="before")
    return raw


def valid_username(raw: str | None) -> str | None:
    """A username given as a filter; one that no resident could have is simply not found."""
    if raw is not None and not USERNAME_RE.match(raw.strip().lower()):
        raise NotFound(N_("No such resident."))
    return raw
