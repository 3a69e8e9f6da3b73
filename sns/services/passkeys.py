"""Passkeys and security keys (WebAuthn, with py_webauthn): adding one to an account, and signing in with one,
as the second factor after the password or alone (a discoverable credential names its account by its user
handle, the account's id).

The relying party is this site: its id is the host of `base_url`, the origin `base_url` itself, so a passkey
made for another site is refused by the library's checks. A ceremony's challenge goes to the browser and
back in a ticket signed with the instance secret (`CHALLENGE_SECONDS`), bound to what it was asked for
(adding, second factor, alone), to the account, and to this browser (its session, or before signing in its
CSRF cookie). An answer works once: the credential is taken with one conditional UPDATE that needs its last
use to be older than the ticket and its counter unchanged, so a replayed answer, or a second answer to the
same challenge, is refused; a credential id is unique, so a replayed registration adds nothing. A counter
that does not move forward (on an authenticator that counts) shows a cloned key: refused and logged.
Refusals count toward the sign-in limit per address and go to the server's log, and to the account's own
log when the account is known."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timezone
from urllib.parse import urlsplit

from itsdangerous import BadData, URLSafeTimedSerializer
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from webauthn import (
    generate_authentication_options, generate_registration_options, options_to_json,
    verify_authentication_response, verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, parse_authenticator_data
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria, AuthenticatorTransport, PublicKeyCredentialDescriptor, ResidentKeyRequirement,
    UserVerificationRequirement,
)

from sns.policies.passkeys import MAX_PASSKEYS, may_add_passkey, may_remove_passkey, passkey_sign_in_refusal
from sns.context import Ctx
from sns.errors import Forbidden, Invalid, NotFound, TooMany
from sns.i18n import N_
from sns.models import SecondFactor, User
from sns.models.base import utcnow
from sns.security import verify_password
from sns.services import account_log
from sns.services.base import clean_text, transaction

CHALLENGE_SECONDS = 300
TIMEOUT_MS = 120_000  # what the browser is told: time enough to find a key in a bag
TRANSPORTS = frozenset(t.value for t in AuthenticatorTransport)
_log = logging.getLogger("sns.passkeys")

NOT_ACCEPTED = N_("This passkey was not accepted. Please try again, or sign in another way.")
EXPIRED = N_("The passkey request has expired. Please try again.")
NOT_ADDED = N_("The passkey could not be added. Please try again.")
REFUSALS = {  # policies.passkey_sign_in_refusal -> what the person reads
    "suspended": N_("This account is suspended. Please contact the site administrator."),
    "pending": N_("This account is waiting for an administrator's approval."),
}


def relying_party(settings) -> tuple[str, str]:
    """(rp id, expected origin) of this site: the host of `base_url`, and its scheme, host and port."""
    parts = urlsplit(settings.base_url)
    return parts.hostname or "localhost", f"{parts.scheme}://{parts.netloc}"


def _serializer(secret: bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="passkey-ceremony")


def _bound(binding: str) -> str:
    """What ties a ticket to one browser: a hash of its session id or CSRF cookie (a ticket is readable)."""
    return hashlib.sha256(("passkey:" + (binding or "")).encode()).hexdigest()[:32]


def _ticket(secret: bytes, kind: str, challenge: bytes, binding: str, user_id: str = "") -> str:
    return _serializer(secret).dumps({"k": kind, "c": bytes_to_base64url(challenge), "b": _bound(binding),
                                      "u": user_id, "t": utcnow().timestamp()})


def _read_ticket(secret: bytes, ticket, kind: str, binding: str, user_id: str = "") -> tuple[bytes, datetime]:
    """The challenge and issue time of a ticket made for this kind of ceremony, browser and account."""
    try:
        data = _serializer(secret).loads(ticket if isinstance(ticket, str) else "", max_age=CHALLENGE_SECONDS)
        if (data["k"], data["b"], data["u"]) != (kind, _bound(binding), user_id):
            raise ValueError("ticket for another ceremony")
        return base64url_to_bytes(data["c"]), datetime.fromtimestamp(float(data["t"]), timezone.utc)
    except (BadData, KeyError, TypeError, ValueError):
        raise Invalid(EXPIRED, field="passkey") from None


def _check_name(name) -> str:
    return clean_text(name, field="name", max_chars=64, required=False, single_line=True)


async def my_passkeys(user_id: str) -> list[SecondFactor]:
    return await SecondFactor.filter(user_id=user_id, kind="passkey").order_by("created_at")


async def registration_options(ctx: Ctx, secret: bytes, binding: str, name: str, site_name: str) -> tuple[str, str]:
    """Options for navigator.credentials.create (JSON text) and the ticket to send back with its answer."""
    user = ctx.user
    if user is None:
        raise Forbidden(N_("Please sign in first."))
    _check_name(name)
    mine = await my_passkeys(user.id)
    if not may_add_passkey(ctx.viewer, len(mine)):
        raise Invalid(N_("An account may have at most %(n)d passkeys. Please remove one first."), field="name",
                      n=MAX_PASSKEYS)
    rp_id, _ = relying_party(ctx.settings)
    options = generate_registration_options(
        rp_id=rp_id, rp_name=site_name or rp_id, user_id=user.id.encode(), user_name=user.username,
        user_display_name=user.display_name or user.username, timeout=TIMEOUT_MS,
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(f.credential_id)) for f in mine],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED),
    )
    return options_to_json(options), _ticket(secret, "add", options.challenge, binding, user.id)


async def add_passkey(ctx: Ctx, secret: bytes, binding: str, ticket, name, credential) -> SecondFactor:
    """Verify the browser's answer to the registration options and keep the passkey (logged with it)."""
    user = ctx.user
    if user is None:
        raise Forbidden(N_("Please sign in first."))
    name = _check_name(name)
    challenge, _ = _read_ticket(secret, ticket, "add", binding, user.id)
    rp_id, origin = relying_party(ctx.settings)
    try:
        verified = verify_registration_response(credential=credential if isinstance(credential, dict) else "",
                                                expected_challenge=challenge, expected_rp_id=rp_id,
                                                expected_origin=origin)
    except Exception as exc:  # noqa: BLE001 - hostile or broken input: the library raises many kinds
        _log.warning("passkey registration refused for %s from %s: %s", user.username, ctx.client_ip, exc)
        raise Invalid(NOT_ADDED, field="passkey") from None
    transports = (credential.get("response") or {}).get("transports")
    transports = sorted({t for t in transports if t in TRANSPORTS}) if isinstance(transports, list) else []
    credential_id = bytes_to_base64url(verified.credential_id)
    if len(credential_id) > 255:
        raise Invalid(NOT_ADDED, field="passkey")
    try:
        async with transaction() as tx:
            mine = await SecondFactor.filter(user_id=user.id, kind="passkey").using_db(tx).count()
            if not may_add_passkey(ctx.viewer, mine):
                raise Invalid(N_("An account may have at most %(n)d passkeys. Please remove one first."),
                              field="name", n=MAX_PASSKEYS)
            factor = await SecondFactor.create(
                user_id=user.id, kind="passkey", name=name, credential_id=credential_id,
                public_key=bytes_to_base64url(verified.credential_public_key), sign_count=verified.sign_count,
                transports=transports, using_db=tx)
            await account_log.record(user.id, "passkey_added", ip=ctx.client_ip, detail=name, conn=tx)
    except IntegrityError:
        raise Invalid(N_("This passkey is already added to an account."), field="passkey") from None
    return factor


async def sign_in_options(ctx: Ctx, secret: bytes, binding: str, user: User | None = None) -> tuple[str, str]:
    """Options for navigator.credentials.get: for `user`'s passkeys (the second factor), or for any passkey
    of this site that the authenticator keeps (alone: no list, the passkey names its account)."""
    if await ctx.limits.logins.blocked(f"ip:{ctx.client_ip}"):
        raise TooMany(N_("Too many sign-in attempts. Please wait 15 minutes and try again."))
    rp_id, _ = relying_party(ctx.settings)
    allow = []
    if user is not None:
        allow = [PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(f.credential_id),
            transports=[AuthenticatorTransport(t) for t in f.transports if t in TRANSPORTS] or None)
            for f in await my_passkeys(user.id)]
        if not allow:
            raise Invalid(N_("This account has no passkey."), field="passkey")
    options = generate_authentication_options(rp_id=rp_id, timeout=TIMEOUT_MS, allow_credentials=allow,
                                              user_verification=UserVerificationRequirement.PREFERRED)
    kind = "second" if user is not None else "alone"
    return options_to_json(options), _ticket(secret, kind, options.challenge, binding, user.id if user else "")


async def _refused(ctx: Ctx, account: User | None, why: str, message: str = NOT_ACCEPTED,
                   second_factor: bool = False) -> Invalid:
    """Count, log and return the refusal of a passkey sign-in. Counted per address, and for the second
    factor also per account (like a wrong code); alone, a stranger's guesses do not lock the account."""
    await ctx.limits.logins.hit(f"ip:{ctx.client_ip}")
    if account is not None:
        if second_factor:
            await ctx.limits.logins.hit(f"user:{account.username}")
        await account_log.record(account.id, "second_factor_refused", ip=ctx.client_ip, detail=f"passkey: {why}")
    _log.warning("passkey sign-in refused (%s) for %s from %s", why, account.username if account else "-",
                 ctx.client_ip)
    return Invalid(message, field="passkey")


def _counter_went_back(credential: dict, stored: int) -> bool:
    """Whether the answer's counter is not ahead of the one kept (only for authenticators that count)."""
    try:
        count = parse_authenticator_data(base64url_to_bytes(credential["response"]["authenticatorData"])).sign_count
    except Exception:  # noqa: BLE001 - unreadable: the library has refused it for that already
        return False
    return (count > 0 or stored > 0) and count <= stored


async def check_passkey(ctx: Ctx, secret: bytes, binding: str, ticket, credential,
                        user: User | None = None) -> User:
    """The account a passkey answer signs in: `user` when it is their second factor, else the account the
    passkey names. Refused (Invalid, TooMany) otherwise: counted, logged."""
    if await ctx.limits.logins.blocked(f"ip:{ctx.client_ip}"):
        raise TooMany(N_("Too many sign-in attempts. Please wait 15 minutes and try again."))
    second = user is not None
    try:
        challenge, issued = _read_ticket(secret, ticket, "second" if second else "alone", binding,
                                         user.id if second else "")
    except Invalid:
        raise await _refused(ctx, user, "expired or foreign ticket", EXPIRED, second) from None
    if not isinstance(credential, dict) or not isinstance(credential.get("id"), str):
        raise await _refused(ctx, user, "malformed answer", second_factor=second)
    factor = await SecondFactor.get_or_none(credential_id=credential["id"][:255], kind="passkey")
    if factor is None:
        raise await _refused(ctx, user, "unknown passkey", second_factor=second)
    if second and factor.user_id != user.id:
        raise await _refused(ctx, user, "another account's passkey", second_factor=True)
    owner = user if second else await User.get(id=factor.user_id)
    rp_id, origin = relying_party(ctx.settings)
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin,
            credential_public_key=base64url_to_bytes(factor.public_key),
            credential_current_sign_count=factor.sign_count)
    except Exception as exc:  # noqa: BLE001 - hostile or broken input: the library raises many kinds
        if _counter_went_back(credential, factor.sign_count):
            _log.warning("passkey %s of %s: its counter did not move forward (a cloned key?)", factor.id,
                         owner.username)
            raise await _refused(ctx, owner, "counter did not move forward: a cloned key?",
                                 second_factor=second) from None
        raise await _refused(ctx, owner, f"not verified: {exc}"[:150], second_factor=second) from None
    # Its account is looked at once the answer is verified: nobody learns an account's state from an id.
    if not second:
        handle = (credential.get("response") or {}).get("userHandle")
        try:
            named = base64url_to_bytes(handle).decode() if isinstance(handle, str) else ""
        except (ValueError, UnicodeDecodeError):
            named = ""
        if named != owner.id:
            raise await _refused(ctx, owner, "its user handle names another account")
    refusal = passkey_sign_in_refusal(owner)
    if refusal is not None:
        raise await _refused(ctx, owner, f"account {refusal}", REFUSALS.get(refusal, NOT_ACCEPTED), second)
    # Once: its last use older than this ticket, its counter as we read it.
    taken = await SecondFactor.filter(id=factor.id, sign_count=factor.sign_count).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=issued)
    ).update(sign_count=verified.new_sign_count, last_used_at=utcnow())
    if not taken:
        raise await _refused(ctx, owner, "answer already used", second_factor=second)
    await ctx.limits.logins.reset(f"user:{owner.username}")
    return owner


async def remove_passkey(ctx: Ctx, factor_id: str, password: str) -> SecondFactor:
    """Remove one of my passkeys, with my password again; never the last factor of a role that must have one."""
    user = ctx.user
    if user is None:
        raise Forbidden(N_("Please sign in first."))
    factor = await SecondFactor.get_or_none(id=factor_id or "", kind="passkey")
    if factor is None or factor.user_id != user.id:
        raise NotFound(N_("This passkey does not exist."))
    key = f"user:{user.username}"
    if await ctx.limits.logins.blocked(key):
        raise TooMany(N_("Too many sign-in attempts. Please wait 15 minutes and try again."))
    if not verify_password(user.password_hash, password or ""):
        await ctx.limits.logins.hit(key)
        raise Invalid(N_("Your current password is not right."), field="password")
    async with transaction() as tx:
        others = await SecondFactor.filter(user_id=user.id).exclude(id=factor.id).using_db(tx).count()
        if not may_remove_passkey(ctx.viewer, factor, others, ctx.settings):
            raise Forbidden(N_("Your role must have a second factor. Add another one before removing this one."))
        await SecondFactor.filter(id=factor.id).using_db(tx).delete()
        await account_log.record(user.id, "factor_removed", ip=ctx.client_ip, detail=factor.name or "passkey",
                                 conn=tx)
    return factor


def options_document(options_json: str, ticket: str) -> dict:
    """What the browser gets: the options (as the WebAuthn JSON forms) and the ticket to send back."""
    return {"publicKey": json.loads(options_json), "ticket": ticket}
