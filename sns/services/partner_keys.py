"""Partners' Open311 API keys (docs/open311.md): administrators issue one to a named partner, see them listed,
revoke one; the Open311 endpoints find the key a request names.

- `issue_key(ctx, name)`: a new key (shown once, to the administrator who issued it) and its partner's system
  account, which writes the reports the key files (state "system", like the mail-intake account: no password,
  nobody signs in as it, never listed; its username has a "-", which no person can choose).
- `revoke_key(ctx, key_id)`: the key files nothing more (its reports stay, like any other).
- `key_for(plain)`: the key a request's `api_key` names, by its SHA-256, or None.
Every issue and revocation is in the staff action log, in the transaction of the change.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.i18n import N_
from sns.ids import is_id
from sns.models import PartnerKey, User
from sns.models.base import utcnow
from sns.policies.partners import can_manage_partner_keys
from sns.security import new_token, token_hash
from sns.services import audit
from sns.services.base import clean_text, require, save_new, transaction

KEY_PREFIX = "o311_"  # tells a key apart from other secrets in a partner's configuration (and in a leak scan)
SHOWN_PREFIX = 12  # characters of a key kept in clear, to tell keys apart in the list
MAX_NAME = 100
SYSTEM_STATE = "system"
MAX_KEY_CHARS = 200  # an `api_key` longer than any we issue is refused without hashing it


@dataclass(frozen=True)
class Issued:
    """A key just issued: the row and the key itself, which is shown this once and kept nowhere."""

    row: PartnerKey
    key: str


def _refuse_unless_admin(ctx: Ctx) -> None:
    require(can_manage_partner_keys(ctx.viewer), N_("Only administrators manage partners' keys."))


async def list_keys(ctx: Ctx) -> list[PartnerKey]:
    """Every key, the usable ones first, newest first."""
    _refuse_unless_admin(ctx)
    keys = await PartnerKey.all().order_by("-created_at", "-id")
    return sorted(keys, key=lambda k: k.revoked_at is not None)


async def issue_key(ctx: Ctx, name) -> Issued:
    _refuse_unless_admin(ctx)
    name = clean_text(name, field="name", max_chars=MAX_NAME, single_line=True)
    key = KEY_PREFIX + new_token(32)
    async with transaction() as tx:
        # journaled like any account, so that a neighbour mirroring the partner's reports has their author
        account = await save_new(User(username=f"partner-{secrets.token_hex(6)}", display_name=name[:64],
                                      state=SYSTEM_STATE, password_hash="", email="", origin=ctx.origin), tx)
        row = await PartnerKey.create(using_db=tx, name=name, key_hash=token_hash(key), prefix=key[:SHOWN_PREFIX],
                                      account_id=account.id, created_by_id=ctx.user.id)
        await audit.record(tx, ctx, "partner.issue", "partner_key", row.id, f"{name} ({row.prefix}…)")
    return Issued(row, key)


async def revoke_key(ctx: Ctx, key_id: str) -> PartnerKey:
    _refuse_unless_admin(ctx)
    row = await PartnerKey.get_or_none(id=key_id) if isinstance(key_id, str) and is_id(key_id) else None
    if row is None:
        raise NotFound(N_("There is no such key."))
    if row.revoked_at is not None:
        raise Invalid(N_("This key is already revoked."))
    async with transaction() as tx:
        row.revoked_at = utcnow()
        await row.save(using_db=tx, update_fields=["revoked_at"])
        await audit.record(tx, ctx, "partner.revoke", "partner_key", row.id, f"{row.name} ({row.prefix}…)")
    return row


async def key_for(plain) -> PartnerKey | None:
    """The key a request names (revoked or not: the caller decides with `policies.partners.key_may_file`)."""
    if not isinstance(plain, str) or not plain or len(plain) > MAX_KEY_CHARS or not plain.isascii():
        return None
    return await PartnerKey.get_or_none(key_hash=token_hash(plain.strip()))


async def note_use(key: PartnerKey) -> None:
    """When the key was last used, at most once a minute per key (one conditional UPDATE)."""
    now = utcnow()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        await PartnerKey.filter(id=key.id).update(last_used_at=now)
        key.last_used_at = now


async def account_of(key: PartnerKey) -> User | None:
    return await User.get_or_none(id=key.account_id, state=SYSTEM_STATE) if key.account_id else None
