"""Standby codes: one-time codes an administrator prepares before a disaster, so that the fire and disaster
staff can sign in on a neighbour's site and act for the city while its own site is down
(docs/mirroring.md, "Acting on behalf"; docs/operating.md).

A code is 16 characters of Crockford's base 32 (80 random bits), printed in four groups for paper.
Only its Argon2id hash is stored, and that hash travels to the neighbours with the journal; the code
itself is shown once. Making a new set revokes the person's earlier set (one sheet of paper at a time).
"""

from __future__ import annotations

import asyncio
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.i18n import N_
from sns.models import StandbyCode, User
from sns.policies import can_manage_standby_codes, may_hold_standby_codes
from sns.security import hash_code, verify_password
from sns.services.base import require, save_new, tombstone, transaction

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O or U to misread
GROUPS, GROUP_CHARS = 4, 4
DEFAULT_COUNT, MAX_COUNT = 10, 20
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_dummy: list[str] = []  # a hash checked when there is none to check, so that a miss takes as long


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_CHARS))
    return "-".join(raw[i:i + GROUP_CHARS] for i in range(0, len(raw), GROUP_CHARS))


def normalize(value: Any) -> str:
    """The code as stored: capitals, without spaces or dashes (full-width characters and a misread O, I or L
    accepted); "" when it cannot be a code."""
    if not isinstance(value, str) or len(value) > 64:
        return ""
    text = unicodedata.normalize("NFKC", value).upper().translate(_READ_AS)
    text = "".join(ch for ch in text if ch not in " -\t")
    if len(text) != GROUPS * GROUP_CHARS or any(ch not in ALPHABET for ch in text):
        return ""
    return text


def _allowed(ctx: Ctx | None, operator: bool) -> None:
    require(operator or (ctx is not None and can_manage_standby_codes(ctx.viewer)),
            N_("Only administrators prepare standby codes."))


async def _holder(username: Any) -> User:
    name = str(username or "").strip()
    user = await User.get_or_none(username=name, deleted_at=None) if name else None
    if user is None:
        raise NotFound(N_("There is no such user."), field="username")
    if not may_hold_standby_codes(user):
        raise Invalid(N_("Standby codes are for the fire department, the disaster desk and administrators, "
                         "with an active account."), field="username")
    return user


async def make_codes(ctx: Ctx, username: Any, count: int = DEFAULT_COUNT, *,
                     operator: bool = False) -> tuple[User, list[str]]:
    """A new set of `count` codes for the user (shown once: only their hashes are kept); their earlier
    unused codes are revoked."""
    _allowed(ctx, operator)
    user = await _holder(username)
    if not 1 <= count <= MAX_COUNT:
        raise Invalid(N_("Make from 1 to %(max)d codes."), field="count", max=MAX_COUNT)
    codes: list[str] = []
    while len(codes) < count:  # distinct first groups, so each finds its own hash
        code = new_code()
        if code[:GROUP_CHARS] not in {c[:GROUP_CHARS] for c in codes}:
            codes.append(code)
    hashes = await asyncio.gather(*(asyncio.to_thread(hash_code, normalize(c)) for c in codes))
    earlier = await StandbyCode.filter(user_id=user.id, deleted_at=None, used_at=None)
    # (read before the transaction: with SQLite, a transaction that reads first and then writes fails at
    # once when the running site writes meanwhile; one that writes first waits its turn)
    async with transaction() as tx:
        for old in earlier:
            await tombstone(old, tx)
        for code, hashed in zip(codes, hashes):
            await save_new(StandbyCode(user_id=user.id, lookup=normalize(code)[:GROUP_CHARS], code_hash=hashed,
                                       made_by_id=ctx.user.id if ctx.user else None, origin=ctx.origin), tx)
    return user, codes


async def revoke_codes(ctx: Ctx, username: Any, *, operator: bool = False) -> int:
    """Revoke every unused code of the user (its tombstone travels to the neighbours too)."""
    _allowed(ctx, operator)
    name = str(username or "").strip()
    user = await User.get_or_none(username=name) if name else None
    if user is None:
        raise NotFound(N_("There is no such user."), field="username")
    codes = await StandbyCode.filter(user_id=user.id, deleted_at=None, used_at=None)  # (as in make_codes)
    async with transaction() as tx:
        for code in codes:
            await tombstone(code, tx)
    return len(codes)


@dataclass
class Holder:
    user: User
    unused: int
    used: int
    made_at: datetime | None
    last_used_on: str


async def holders(ctx: Ctx) -> list[Holder]:
    """Who holds standby codes, how many are left, and where the last one was used (the admin page)."""
    _allowed(ctx, False)
    codes = await StandbyCode.filter(deleted_at=None).order_by("created_at")
    users = {u.id: u for u in await User.filter(id__in=list({c.user_id for c in codes}))}
    out: dict[str, Holder] = {}
    for c in codes:
        user = users.get(c.user_id)
        if user is None:
            continue
        h = out.setdefault(c.user_id, Holder(user, 0, 0, c.created_at, ""))
        if c.used_at is None:
            h.unused += 1
        else:
            h.used += 1
            h.last_used_on = c.used_on
        h.made_at = max(h.made_at, c.created_at) if h.made_at else c.created_at
    return sorted(out.values(), key=lambda h: h.user.username)


async def matching_code(conn: Any, user_id: str | None, typed: Any) -> StandbyCode | None:
    """The user's unused, unrevoked code that `typed` is, read through `conn` (a replica on a neighbour);
    None otherwise, after as long a wait as a real check (a wrong username or code tells nothing)."""
    code = normalize(typed)
    found = None
    if code and user_id:
        query = StandbyCode.filter(user_id=user_id, lookup=code[:GROUP_CHARS], deleted_at=None, used_at=None)
        found = await (query.using_db(conn) if conn is not None else query).first()
    if not _dummy:
        _dummy.append(hash_code(new_code()))
    stored = found.code_hash if found is not None else _dummy[0]
    ok = await asyncio.to_thread(verify_password, stored, code or "-")
    return found if ok and found is not None else None
