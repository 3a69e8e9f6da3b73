"""Who may read the log of mail to the city and release or delete a quarantined message
(sns/policies/mail_intake.py), as a table: viewer (role, state) x action; and that the mail-intake account
cannot be signed in as or read a thread through the rulebook."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sns.policies import ANONYMOUS, Viewer, can_view_inquiry, is_signed_in
from sns.policies.mail_intake import can_manage_mail_intake, is_system_account

ROLES = ("resident", "staff", "moderator", "fire", "disaster", "admin")


def viewer(role: str, state: str = "active", uid: str = "me") -> Viewer:
    return Viewer(user=SimpleNamespace(id=uid, role=role, state=state, deleted_at=None))


@pytest.mark.parametrize("role", ROLES)
def test_role_table(role):
    assert can_manage_mail_intake(viewer(role)) is (role == "admin")


@pytest.mark.parametrize("state", ["suspended", "pending", "system"])
def test_only_an_active_administrator(state):
    assert not can_manage_mail_intake(viewer("admin", state))


def test_a_visitor_may_do_nothing():
    assert not can_manage_mail_intake(ANONYMOUS)


def test_the_intake_account_is_nobody_signed_in():
    system = viewer("resident", "system", uid="intake")
    assert is_system_account(system.user) and not is_signed_in(system)
    inquiry = SimpleNamespace(resident_id="intake", department_id="roads", deleted_at=None)
    assert not can_view_inquiry(system, inquiry)
    assert not is_system_account(viewer("resident").user) and not is_system_account(None)
