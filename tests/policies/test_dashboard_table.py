"""Who may read the staff dashboard and which department's figures (sns/policies/dashboard.py), as a table:
viewer (role, state, departments) x action."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sns.policies import ANONYMOUS, Viewer
from sns.policies.dashboard import can_view_dashboard, can_view_department_figures


def viewer(role: str, state: str = "active", departments=()) -> Viewer:
    return Viewer(user=SimpleNamespace(id="me", role=role, state=state, deleted_at=None),
                  department_ids=frozenset(departments))


def answers(v: Viewer) -> tuple[bool, bool, bool]:
    """(the dashboard, department A's figures, department B's figures)"""
    return can_view_dashboard(v), can_view_department_figures(v, "A"), can_view_department_figures(v, "B")


TABLE = [
    ("visitor", None, (False, False, False)),
    ("resident", viewer("resident"), (False, False, False)),
    ("moderator", viewer("moderator"), (False, False, False)),
    ("fire", viewer("fire"), (False, False, False)),
    ("staff of no department", viewer("staff"), (True, False, False)),
    ("staff of department A", viewer("staff", departments=["A"]), (True, True, False)),
    ("resident working for department A", viewer("resident", departments=["A"]), (True, True, False)),
    ("staff of A and B", viewer("staff", departments=["A", "B"]), (True, True, True)),
    ("administrator", viewer("admin"), (True, True, True)),
    ("suspended staff of A", viewer("staff", state="suspended", departments=["A"]), (False, False, False)),
    ("suspended administrator", viewer("admin", state="suspended"), (False, False, False)),
]


@pytest.mark.parametrize("who,v,expected", TABLE, ids=[row[0] for row in TABLE])
def test_dashboard_table(who, v, expected):
    assert answers(v if v is not None else ANONYMOUS) == expected
