"""Passkeys and security keys (docs/privacy.md, "Second factors"): who may add, remove and sign in with one.

An account of a role that must have a second factor (the setting `second_factor_roles`) keeps at least one:
its last factor cannot be removed. The same rule stands for authenticator apps (sns/policies/second_factors.py,
when it is written, owns "who must have a factor"; `must_keep_a_second_factor` is the one place here that
asks it). Signing in with a passkey, alone or after the password, is for an active account only.
"""

from __future__ import annotations

from sns.policies.core import Viewer, is_signed_in

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


def must_keep_a_second_factor(user, required_roles: frozenset[str]) -> bool:
    """Whether `user`'s role must always have a second factor (`Settings.second_factor_role_set`)."""
    return user is not None and user.role in required_roles


def may_add_passkey(v: Viewer, passkeys_now: int) -> bool:
    return is_signed_in(v) and passkeys_now < MAX_PASSKEYS


def may_remove_passkey(v: Viewer, factor, other_factors: int, required_roles: frozenset[str]) -> bool:
    """Only one's own, and never the last second factor of a role that must have one (`other_factors`: the
    account's second factors of any kind besides this one)."""
    if not is_signed_in(v) or factor is None or factor.user_id != v.id or factor.kind != "passkey":
        return False
    return other_factors > 0 or not must_keep_a_second_factor(v.user, required_roles)


__all__ = [
    "MAX_PASSKEYS", "may_add_passkey", "may_remove_passkey", "may_sign_in_with_passkey",
    "must_keep_a_second_factor", "passkey_sign_in_refusal",
]
