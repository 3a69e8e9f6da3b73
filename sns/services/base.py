"""Helpers every service shares: transactions, versioned saves, input checks."""

from __future__ import annotations

import unicodedata
from typing import Any

from tortoise.transactions import in_transaction

from sns import journal
from sns.context import Ctx
from sns.errors import Forbidden, Invalid, TooMany
from sns.i18n import N_
from sns.models.base import utcnow
from sns.search.index import index_object

transaction = in_transaction


async def save_new(obj: Any, conn: Any) -> Any:
    await obj.save(using_db=conn, force_create=True)
    await journal.record(obj, conn)
    await index_object(obj, conn)  # searchable texts are indexed in the same transaction
    return obj


async def save_change(obj: Any, conn: Any) -> Any:
    """Bump the version (one writer: the origin) and journal the new state."""
    obj.version += 1
    obj.updated_at = utcnow()
    await obj.save(using_db=conn)
    await journal.record(obj, conn)
    await index_object(obj, conn)
    return obj


async def tombstone(obj: Any, conn: Any) -> Any:
    obj.deleted_at = utcnow()
    return await save_change(obj, conn)


async def delete_with_tombstone(obj: Any, conn: Any) -> None:
    """Delete a row outright (relations, not content); mirrors get its tombstone."""
    obj.version += 1
    obj.deleted_at = utcnow()
    await journal.record(obj, conn)
    await obj.delete(using_db=conn)
    await index_object(obj, conn)


def require(allowed: bool, message: str = N_("You are not allowed to do that.")) -> None:
    if not allowed:
        raise Forbidden(message)


def clean_text(value: Any, *, field: str, max_chars: int, required: bool = True, single_line: bool = False) -> str:
    """Normalize user text: NFC, no control characters, bounded length."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(N_("This field must be text."), field=field)
    value = value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become U+FFFD
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    allowed = "" if single_line else "\n\t"
    value = "".join(ch for ch in value if ch in allowed or unicodedata.category(ch) not in ("Cc", "Cs"))
    value = value.strip()
    if required and not value:
        raise Invalid(N_("Please fill in this field."), field=field)
    if len(value) > max_chars:
        raise Invalid(N_("This is too long (at most %(max)d characters)."), field=field, max=max_chars)
    return value


def idempotency_key(value: Any) -> str | None:
    """The form's one-time token that makes a double submission post once; anything that is
    not a short plain token is ignored (the post then simply has no retry protection)."""
    if isinstance(value, str) and 0 < len(value) <= 64 and value.isascii() and value.isprintable():
        return value
    return None


async def rate_limit_post(ctx: Ctx) -> None:
    """Refuse a post past the posting limit, counted per person across every worker and machine."""
    if not await ctx.limits.posts.hit(ctx.user.id):
        raise TooMany(N_("You are posting very quickly. Please wait a few minutes and try again."))
