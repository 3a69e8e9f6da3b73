"""Passkeys and security keys (docs/privacy.md, "Second factors"): who may add, remove and sign in with one.

An account of a role that must have a second factor (the setting `second_factor_roles`) keeps at least one:
its last factor cannot be removed, whatever its kind (`may_remove_factor` in sns/policies/second_factors.py,
which owns "who must have a factor"). Signing in with a passkey, alone or after the password, is for an
active account only.
"""

from __future__ import annotations

from sns.policies.core import Viewer, is_signed_in
from sns.policies.second_factors import may_remove_factor
from sns.settings import Settings

MAX_PASSKEYS = 10  # per account: enough for a phone, a laptop and a few keys on a ring


def passkey_sign_in_refusal(user) -> str | None:
    """Why `user` may not sign in with a passkey (a word: no_account, deleted, suspended, pending), or None."""
    if user is None:
        return "no_account"
    if user.deleted_at is not None:
        return "deleted"
    if user.state != "active":
        return user.state if user.state in ("suspended", "pending") else "not_active"
    return None


def may_sign_in_with_passkey(user) -> bool:
    return passkey_sign_in_refusal(user) is None


def may_add_passkey(v: Viewer, passkeys_now: int) -> bool:
    return is_signed_in(v) and passkeys_now < MAX_PASSKEYS


def may_remove_passkey(v: Viewer, factor, other_factors: int, settings: Settings) -> bool:
    """Only one's own, and never the last second factor of a role that must have one (`other_factors`: the
    account's second factors of any kind besides this one)."""
    if not is_signed_in(v) or factor is None or factor.user_id != v.id or factor.kind != "passkey":
        return False
    return may_remove_factor(v.user, other_factors, settings)


__all__ = [
    "MAX_PASSKEYS", "may_add_passkey", "may_remove_passkey", "may_sign_in_with_passkey",
    "passkey_sign_in_refusal",
]
