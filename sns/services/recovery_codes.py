"""Recovery codes: ten one-time codes that stand in for an account's second factor when its phone or key is
lost (docs/privacy.md, "Second factors"). Made the first time a factor is added and again on request (the
earlier ones then stop working); shown once, stored only as Argon2id hashes (`security.hash_code`); a code
works once (`second_factor.check_code` marks it used). Every set made is written to the account's log."""

from __future__ import annotations

import asyncio
import secrets

from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_
from sns.models import RecoveryCode, User
from sns.policies.second_factors import may_make_recovery_codes
from sns.security import hash_code
from sns.services import account_log
from sns.services.base import transaction

COUNT = 10
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base 32 in small letters: no i, l, o or u to misread
GROUPS, GROUP_CHARS = 3, 4  # "7kx2-mq9d-h4tz": 60 random bits, never six digits (an app's code)


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_CHARS))
    return "-".join(raw[i:i + GROUP_CHARS] for i in range(0, len(raw), GROUP_CHARS))


def stored_form(code: str) -> str:
    """What is hashed, and what `second_factor.check_code` compares: without dashes."""
    return code.replace("-", "")


async def _new_set() -> tuple[list[str], list[str]]:
    """Ten codes and their hashes (hashed off the event loop: Argon2 takes a while, ten times)."""
    codes = [new_code() for _ in range(COUNT)]
    hashes = await asyncio.gather(*(asyncio.to_thread(hash_code, stored_form(c)) for c in codes))
    return codes, list(hashes)


async def _replace(user: User, hashes: list[str], ip: str, conn) -> None:
    await RecoveryCode.filter(user_id=user.id).using_db(conn).delete()
    await RecoveryCode.bulk_create([RecoveryCode(user_id=user.id, code_hash=h) for h in hashes], using_db=conn)
    await account_log.record(user.id, "recovery_codes_made", ip=ip, conn=conn)


async def make_first(ctx: Ctx, user: User, conn) -> list[str]:
    """Inside the transaction that adds a factor: the account's first ten codes, when it has none yet (to be
    shown once); [] when it already has a set."""
    if await RecoveryCode.filter(user_id=user.id).using_db(conn).exists():
        return []
    codes, hashes = await _new_set()
    await _replace(user, hashes, ctx.client_ip, conn)
    return codes


async def remake(ctx: Ctx, user: User, has_factor: bool) -> list[str]:
    """A new set of ten for `user` (who gave their password again); the earlier codes stop working."""
    if not may_make_recovery_codes(has_factor):
        raise Invalid(N_("Add an authenticator app or a passkey first: recovery codes stand in for one."))
    codes, hashes = await _new_set()
    async with transaction() as tx:
        await _replace(user, hashes, ctx.client_ip, tx)
    return codes


async def left(user_id: str) -> int:
    """How many of the account's recovery codes are still unused."""
    return await RecoveryCode.filter(user_id=user_id, used_at=None).count()


async def forget(user_id: str, conn) -> None:
    """The last factor is gone: its stand-ins go too (a new factor brings a new set)."""
    await RecoveryCode.filter(user_id=user_id).using_db(conn).delete()
