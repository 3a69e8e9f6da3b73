"""Who may read the audit log and ask for, confirm or cancel a second-factor reset (sns/policies/audit.py), as
tables: viewer (role, state) x action, then administrator x relation to the reset (its asker, its subject,
another) x the reset's state (waiting, expired, done, cancelled)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from sns.policies import ANONYMOUS, Viewer
from sns.policies.audit import (
    can_ask_factor_reset, can_cancel_factor_reset, can_confirm_factor_reset, can_read_audit_log,
)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
ROLES = ("resident", "staff", "moderator", "fire", "disaster", "admin")


def viewer(role: str, state: str = "active", uid: str = "me") -> Viewer:
    return Viewer(user=SimpleNamespace(id=uid, role=role, state=state, deleted_at=None))


def person(uid: str = "someone", deleted: bool = False):
    return SimpleNamespace(id=uid, deleted_at=NOW if deleted else None)


def reset(asked_by: str | None = "asker", subject: str = "someone", state: str = "waiting", expired: bool = False):
    return SimpleNamespace(asked_by_id=asked_by, user_id=subject, state=state,
                           expires_at=NOW + (timedelta(minutes=-1) if expired else timedelta(hours=3)))


def answers(v: Viewer) -> dict[str, bool]:
    return {"read": can_read_audit_log(v), "ask": can_ask_factor_reset(v, person()),
            "confirm": can_confirm_factor_reset(v, reset(), NOW), "cancel": can_cancel_factor_reset(v, reset(), NOW)}


@pytest.mark.parametrize("role", ROLES)
def test_role_table(role):
    assert answers(viewer(role)) == {action: role == "admin" for action in ("read", "ask", "confirm", "cancel")}


@pytest.mark.parametrize("state", ["suspended", "pending"])
def test_only_an_active_administrator(state):
    assert not any(answers(viewer("admin", state)).values())


def test_a_visitor_may_do_nothing():
    assert not any(answers(ANONYMOUS).values())


def test_asking_for_oneself_or_a_deleted_account_is_refused():
    admin = viewer("admin", uid="me")
    assert not can_ask_factor_reset(admin, person("me"))
    assert not can_ask_factor_reset(admin, person(deleted=True))
    assert not can_ask_factor_reset(admin, None)
    assert can_ask_factor_reset(admin, person("colleague"))


# the administrator's relation to the reset -> (confirm, cancel) of a waiting, unexpired one
RELATIONS = {
    "another administrator": ("other", (True, True)),
    "the one who asked": ("asker", (False, True)),
    "the person concerned": ("someone", (False, False)),
}


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("state,expired", [("waiting", False), ("waiting", True), ("done", False),
                                           ("cancelled", False)])
def test_reset_table(relation, state, expired):
    uid, (confirm, cancel) = RELATIONS[relation]
    v, r = viewer("admin", uid=uid), reset(state=state, expired=expired)
    open_ = state == "waiting" and not expired
    assert can_confirm_factor_reset(v, r, NOW) == (confirm and open_)
    assert can_cancel_factor_reset(v, r, NOW) == (cancel and open_)


def test_an_ask_whose_asker_is_gone_still_needs_someone_else_than_its_subject():
    orphan = reset(asked_by=None)
    assert can_confirm_factor_reset(viewer("admin", uid="other"), orphan, NOW)
    assert not can_confirm_factor_reset(viewer("admin", uid="someone"), orphan, NOW)
