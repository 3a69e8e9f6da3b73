"""Second factors: authenticator apps (TOTP, RFC 6238, with pyotp) and one-time recovery codes; passkeys are
in sns/services/passkeys.py. Who must have one: `sns.policies.second_factors`.

A code is checked against the account's own factors only, once: a TOTP code's time step is remembered
(`SecondFactor.last_step`) so the same code cannot be replayed, and a recovery code is marked used.
Wrong codes count toward the sign-in rate limit like wrong passwords, and are written to the account's
security log and the server's log."""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata

import pyotp

from sns import security
from sns.context import Ctx
from sns.errors import Forbidden, Invalid, NotFound, TooMany
from sns.i18n import N_
from sns.models import RecoveryCode, SecondFactor, User
from sns.models.base import utcnow
from sns.policies import is_signed_in
from sns.policies.second_factors import may_remove_factor, token_confirmation
from sns.services import account_log, recovery_codes
from sns.services.base import clean_text, require, transaction

TOTP_WINDOW = 1  # one 30-second step either side: a phone's clock a little off still works
_log = logging.getLogger("sns.second_factor")
_DIGITS = re.compile(r"^\d{6}$")


async def has_second_factor(user_id: str) -> bool:
    return await SecondFactor.filter(user_id=user_id).exists()


async def factors_of(user_id: str) -> list[SecondFactor]:
    """The account's authenticator apps and passkeys, oldest first (secrets stay in the rows, never shown)."""
    return await SecondFactor.filter(user_id=user_id).order_by("created_at")


def _normal(code: str) -> str:
    """A typed code as compared: full-width digits and letters (a Japanese keyboard) made plain, without
    spaces or dashes, in small letters; "" when it is far too long to be any code."""
    if not isinstance(code, str) or len(code) > 64:
        return ""
    return re.sub(r"[\s\-\u30fc\u2010-\u2015]", "", unicodedata.normalize("NFKC", code)).lower()


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
        if await asyncio.to_thread(security.verify_password, row.code_hash, code):  # Argon2: off the loop
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


def new_totp_secret() -> str:
    """A new authenticator app's shared secret: 160 random bits in base 32 (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    """The otpauth:// address a phone's app reads from the QR code: names the site and the account."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


async def check_password_again(ctx: Ctx, user: User, password: str) -> None:
    """The account's password, asked again before a change to how it signs in; counted like sign-ins."""
    key_ip, key_user = f"ip:{ctx.client_ip}", f"user:{user.username}"
    if await ctx.limits.logins.blocked(key_ip) or await ctx.limits.logins.blocked(key_user):
        raise TooMany(N_("Too many sign-in attempts. Please wait 15 minutes and try again."))
    stored = (await User.get(id=user.id)).password_hash
    if not await asyncio.to_thread(security.verify_password, stored, password or ""):
        await ctx.limits.logins.hit(key_ip)
        await ctx.limits.logins.hit(key_user)
        raise Invalid(N_("Your password is not right."), field="password")


async def confirm_it_is_you(ctx: Ctx, user: User, *, code: str = "", password: str = "") -> None:
    """Before making an API token on the Settings page: the second factor when the account has one (its
    app's code or a recovery code), else the password (sns.policies.token_confirmation)."""
    if token_confirmation(await has_second_factor(user.id)) == "code":
        await check_code(ctx, user, code)
    else:
        await check_password_again(ctx, user, password)


async def add_totp(ctx: Ctx, user: User, name: str, secret: str, code: str) -> tuple[SecondFactor, list[str]]:
    """Keep an authenticator app once it has shown it works: `code` must be its current code. Returns the
    factor and, when it is the account's first, its ten recovery codes (to be shown once; else []). The same
    app sent twice (a double-submitted form) is kept once."""
    require(is_signed_in(ctx.viewer) and ctx.user.id == user.id)
    name = clean_text(name, field="name", max_chars=64, required=False, single_line=True)
    if not re.fullmatch(r"[A-Z2-7]{16,64}", secret or ""):
        raise Invalid(N_("Something went wrong with the QR code. Please scan the new one."), field="code")
    same = await SecondFactor.filter(user_id=user.id, kind="totp", secret=secret).first()
    if same is not None:
        return same, []
    step = _totp_step(secret, _normal(code))
    if step is None:
        raise Invalid(N_("That code is not right. Check the time on your phone and try again."), field="code")
    async with transaction() as tx:
        factor = await SecondFactor.create(user_id=user.id, kind="totp", name=name, secret=secret, last_step=step,
                                           using_db=tx)
        await account_log.record(user.id, "totp_added", ip=ctx.client_ip, detail=name, conn=tx)
        codes = await recovery_codes.make_first(ctx, user, tx)
    return factor, codes


async def removable(ctx: Ctx, user: User, factor_id: str) -> SecondFactor:
    """One of `user`'s own factors that they may remove (not the last one when their role must have one)."""
    require(is_signed_in(ctx.viewer) and ctx.user.id == user.id)
    factor = await SecondFactor.get_or_none(id=factor_id, user_id=user.id)
    if factor is None:
        raise NotFound(N_("This page does not exist or is not shown to you."))
    left = await SecondFactor.filter(user_id=user.id).count() - 1
    if not may_remove_factor(user, left, ctx.settings):
        raise Forbidden(N_("Your role must use a second factor: add another one before removing this one."))
    return factor


async def remove_factor(ctx: Ctx, user: User, factor_id: str, password: str) -> SecondFactor:
    """Remove one of the account's authenticator apps or passkeys, after its password is given again. With
    the last one go the recovery codes (a new factor brings a new set)."""
    factor = await removable(ctx, user, factor_id)
    await check_password_again(ctx, user, password)
    async with transaction() as tx:
        await SecondFactor.filter(id=factor.id).using_db(tx).delete()
        await account_log.record(user.id, "factor_removed", ip=ctx.client_ip, detail=factor.name, conn=tx)
        if not await SecondFactor.filter(user_id=user.id).using_db(tx).exists():
            await recovery_codes.forget(user.id, tx)
    return factor
