"""Who may sign in with, add and remove a passkey (sns/policies/passkeys.py), as tables.

1. Account state -> may sign in with a passkey (alone or as the second factor), and why not.
2. Role (with the default `second_factor_roles`) x how many other second factors -> may remove a passkey.
3. Whose passkey, and of what kind -> only one's own passkey is removed here.
"""

from types import SimpleNamespace

import pytest

from sns.policies import ANONYMOUS, Viewer
from sns.policies.passkeys import (
    MAX_PASSKEYS, may_add_passkey, may_remove_passkey, may_sign_in_with_passkey, passkey_sign_in_refusal,
)
from sns.settings import Settings

ROLES = ("resident", "staff", "moderator", "fire", "disaster", "admin")
MUST_HAVE_ONE = {"staff", "moderator", "fire", "disaster", "admin"}  # the default second_factor_roles
DEFAULT = Settings()  # the default second_factor_roles
NONE_REQUIRED = Settings(second_factor_roles="")
REQUIRED = DEFAULT.second_factor_role_set


def person(role: str = "resident", state: str = "active", deleted: bool = False):
    return SimpleNamespace(id=f"u-{role}-{state}", role=role, state=state, deleted_at="gone" if deleted else None)


def passkey_of(user, kind: str = "passkey"):
    return SimpleNamespace(user_id=user.id, kind=kind)


def test_the_default_roles_that_must_have_a_second_factor():
    assert REQUIRED == MUST_HAVE_ONE


@pytest.mark.parametrize("state,deleted,refusal", [
    ("active", False, None), ("suspended", False, "suspended"), ("pending", False, "pending"),
    ("active", True, "deleted"), ("suspended", True, "deleted"),
])
def test_only_an_active_account_signs_in_with_a_passkey(state, deleted, refusal):
    for role in ROLES:
        user = person(role, state, deleted)
        assert passkey_sign_in_refusal(user) == refusal
        assert may_sign_in_with_passkey(user) is (refusal is None)


def test_nobody_signs_in_as_no_account():
    assert passkey_sign_in_refusal(None) == "no_account" and not may_sign_in_with_passkey(None)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("others", [0, 1, 3])
def test_the_last_factor_of_a_role_that_must_have_one_stays(role, others):
    me = person(role)
    allowed = others > 0 or role not in MUST_HAVE_ONE
    assert may_remove_passkey(Viewer(user=me), passkey_of(me), others, DEFAULT) is allowed
    # with no role required (as in most tests), anyone removes their own last one
    assert may_remove_passkey(Viewer(user=me), passkey_of(me), others, NONE_REQUIRED)


@pytest.mark.parametrize("role", ROLES)
def test_only_ones_own_passkey_is_removed_here(role):
    me, someone = person(role), person("resident", "active")
    someone.id = "u-someone"
    assert not may_remove_passkey(Viewer(user=me), passkey_of(someone), 5, DEFAULT)
    assert not may_remove_passkey(Viewer(user=me), passkey_of(me, kind="totp"), 5, DEFAULT)
    assert not may_remove_passkey(ANONYMOUS, passkey_of(me), 5, DEFAULT)
    assert not may_remove_passkey(Viewer(user=me), None, 5, DEFAULT)


@pytest.mark.parametrize("have,allowed", [(0, True), (MAX_PASSKEYS - 1, True), (MAX_PASSKEYS, False)])
def test_adding_stops_at_the_most_passkeys_an_account_may_have(have, allowed):
    assert may_add_passkey(Viewer(user=person()), have) is allowed
    assert not may_add_passkey(ANONYMOUS, 0)
