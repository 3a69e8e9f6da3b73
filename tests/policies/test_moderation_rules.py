"""Who may review, suspend, read the log, report and appeal: a table of roles."""

import pytest

from sns.models import User
from sns.policies import (
    ANONYMOUS, Viewer, can_appeal, can_moderate, can_read_moderation_log, can_report, can_suspend_for_moderation,
)


def viewer(role: str, state: str = "active", uid: str = "me") -> Viewer:
    return Viewer(user=User(id=uid, username=uid, display_name=uid, role=role, state=state, origin="t"))


@pytest.mark.parametrize("role, moderate, log", [
    ("resident", False, False), ("staff", False, False), ("fire", False, False), ("disaster", False, False),
    ("moderator", True, False), ("admin", True, True),
])
def test_review_and_log_by_role(role, moderate, log):
    assert can_moderate(viewer(role)) is moderate
    assert can_read_moderation_log(viewer(role)) is log
    assert not can_moderate(viewer(role, state="suspended"))


def test_nobody_signed_out_moderates_reports_or_appeals():
    assert not can_moderate(ANONYMOUS) and not can_report(ANONYMOUS, "x") and not can_appeal(ANONYMOUS, "x")


def test_suspending_spares_oneself_and_other_moderators():
    mod = viewer("moderator")
    resident = User(id="r", username="r", display_name="r", role="resident", state="active", origin="t")
    other_mod = User(id="m2", username="m2", display_name="m2", role="moderator", state="active", origin="t")
    admin = User(id="a", username="a", display_name="a", role="admin", state="active", origin="t")
    assert can_suspend_for_moderation(mod, resident)
    assert not can_suspend_for_moderation(mod, other_mod) and not can_suspend_for_moderation(mod, admin)
    assert not can_suspend_for_moderation(mod, mod.user)
    assert not can_suspend_for_moderation(viewer("resident"), resident)


def test_report_others_appeal_own():
    me = viewer("resident")
    assert can_report(me, "someone") and not can_report(me, "me")
    assert can_appeal(me, "me") and not can_appeal(me, "someone")
