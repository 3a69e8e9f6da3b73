"""Second factors: authenticator apps (TOTP, RFC 6238, with pyotp) and one-time recovery codes; passkeys are
in sns/services/passkeys.py. Who must have one: `sns.policies.second_factors`.

A code is checked against the account's own factors only, once: a TOTP code's time step is remembered
(`SecondFactor.last_step`) so the same code cannot be replayed, and a recovery code is marked used.
Wrong codes count toward the sign-in rate limit like wrong passwords, and are written to the account's
security log and the server's log."""

from __future__ import annotations

import logging
import re

import pyotp

from sns import security
from sns.context import Ctx
from sns.errors import Invalid, TooMany
from sns.i18n import N_
from sns.models import RecoveryCode, SecondFactor, User
from sns.models.base import utcnow
from sns.services import account_log
from sns.services.base import transaction

TOTP_WINDOW = 1  # one 30-second step either side: a phone's clock a little off still works
_log = logging.getLogger("sns.second_factor")
_DIGITS = re.compile(r"^\d{6}$")


async def has_second_factor(user_id: str) -> bool:
    return await SecondFactor.filter(user_id=user_id).exists()


def _normal(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _totp_step(secret: str, code: str) -> int | None:
    """The time step `code` belongs to (within the window), or None."""
    totp = pyotp.TOTP(secret)
    now = int(utcnow().timestamp())
    for offset in range(-TOTP_WINDOW, TOTP_WINDOW + 1):
        at = now + offset * totp.interval
        if security.same(totp.at(at), code):
            return at // totp.interval
    return None


async def _check_totp(user: User, code: str) -> SecondFactor | None:
    for factor in await SecondFactor.filter(user_id=user.id, kind="totp"):
        step = _totp_step(factor.secret, code)
        if step is None:
            continue
        # taken with one conditional UPDATE: two requests with the same code cannot both pass
        taken = await SecondFactor.filter(id=factor.id, last_step__lt=step).update(last_step=step, last_used_at=utcnow())
        return factor if taken else None
    return None


async def _check_recovery(user: User, code: str) -> RecoveryCode | None:
    for row in await RecoveryCode.filter(user_id=user.id, used_at=None):
        if security.verify_password(row.code_hash, code):
            used = await RecoveryCode.filter(id=row.id, used_at=None).update(used_at=utcnow())
            return row if used else None
    return None


async def check_code(ctx: Ctx, user: User, code: str) -> str:
    """Accept a code from `user`'s authenticator app or one of their recovery codes, once; returns which
    ("totp" or "recovery"). Refused (Invalid, TooMany) otherwise, counted by the sign-in rate limit."""
    key_ip, key_user = f"ip:{ctx.client_ip}", f"user:{user.username}"
    if await ctx.limits.logins.blocked(key_ip) or await ctx.limits.logins.blocked(key_user):
        raise TooMany(N_("Too many sign-in attempts. Please wait 15 minutes and try again."))
    code = _normal(code)
    how = None
    if _DIGITS.match(code):
        how = "totp" if await _check_totp(user, code) else None
    elif 8 <= len(code) <= 32:
        row = await _check_recovery(user, code)
        if row is not None:
            how = "recovery"
            await account_log.record(user.id, "recovery_code_used", ip=ctx.client_ip)
    if how is None:
        await ctx.limits.logins.hit(key_ip)
        await ctx.limits.logins.hit(key_user)
        await account_log.record(user.id, "second_factor_refused", ip=ctx.client_ip)
        _log.warning("second factor refused for %s from %s", user.username, ctx.client_ip)
        raise Invalid(N_("That code is not right, or was already used. Please try again."), field="code")
    return how


async def add_totp(ctx: Ctx, user: User, name: str, secret: str, code: str) -> SecondFactor:
    """Keep an authenticator app once it has shown it works: `code` must be its current code."""
    step = _totp_step(secret, _normal(code))
    if step is None:
        raise Invalid(N_("That code is not right. Check the time on your phone and try again."), field="code")
    async with transaction() as tx:
        factor = await SecondFactor.create(user_id=user.id, kind="totp", name=name, secret=secret, last_step=step,
                                           using_db=tx)
        await account_log.record(user.id, "totp_added", ip=ctx.client_ip, detail=name, conn=tx)
    return factor
