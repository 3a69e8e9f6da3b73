"""Who manages the city on the fediverse (/admin/fediverse) and which residents a server elsewhere may
follow (sns/policies/fediverse_admin.py), as tables: viewer (role, state) x action; resident (state,
followable) x follow."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sns.policies import ANONYMOUS, Viewer
from sns.policies.fediverse_admin import accepts_followers, can_manage_fediverse

ROLES = ("resident", "staff", "moderator", "fire", "disaster", "admin")


def viewer(role: str, state: str = "active") -> Viewer:
    return Viewer(user=SimpleNamespace(id="me", role=role, state=state))


@pytest.mark.parametrize("role", ROLES)
def test_role_table(role):
    assert can_manage_fediverse(viewer(role)) is (role == "admin")


@pytest.mark.parametrize("state", ["suspended", "pending", "system"])
def test_only_an_active_administrator(state):
    assert not can_manage_fediverse(viewer("admin", state))


def test_a_visitor_may_do_nothing():
    assert not can_manage_fediverse(ANONYMOUS)


@pytest.mark.parametrize("state", ["active", "suspended", "pending", "system"])
@pytest.mark.parametrize("followable", [True, False])
@pytest.mark.parametrize("deleted", [True, False])
@pytest.mark.parametrize("password", [True, False])
def test_followable_table(state, followable, deleted, password):
    user = SimpleNamespace(id="u", role="resident", state=state, fediverse_followable=followable,
                           deleted_at="2026-12-01" if deleted else None, password_hash="$argon2id$..." if password else "")
    assert accepts_followers(user) is (state == "active" and followable and not deleted and password)
    assert not accepts_followers(None)
