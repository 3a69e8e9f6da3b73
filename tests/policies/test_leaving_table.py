"""Leaving (docs/privacy.md, "Leaving"), as tables.

1. Every model in `sns.models` has a decision: what deleting an account does to it (a new kind of record
   fails here until someone decides).
2. Who may ask for their own account to be deleted: role x account state x other administrators.
3. Which of a leaving person's posts stay: the choice x visibility x moderation state.
"""

import inspect

import pytest
from tortoise.models import Model

import sns.models
from sns.models import ROLES, TEXT_STATES, VISIBILITIES, User
from sns.policies import Viewer
from sns.policies.leaving import can_ask_deletion, is_public_post, stays_after_leaving
from sns.services import erasure
from sns.services.erasure_table import ANONYMISED, CHOICE, DECISIONS, NOT_PERSONAL, REMOVED


def _models() -> set[str]:
    return {name for name, obj in vars(sns.models).items()
            if inspect.isclass(obj) and issubclass(obj, Model) and not obj._meta.abstract}


def test_every_model_has_a_decision():
    missing = _models() - DECISIONS.keys()
    assert not missing, f"no leaving decision for {sorted(missing)}: add them to sns/services/erasure_table.py"
    assert DECISIONS.keys() <= _models(), "decisions for models that no longer exist"
    assert {decision for decision, _ in DECISIONS.values()} <= {REMOVED, CHOICE, ANONYMISED, NOT_PERSONAL}
    assert all(why for _, why in DECISIONS.values())


def test_every_kind_that_holds_text_of_the_person_is_carried_out():
    """The models the table removes or leaves to the choice are each named by a step of the erasure."""
    source = inspect.getsource(erasure)
    for name, (decision, _) in DECISIONS.items():
        if decision in (REMOVED, CHOICE) and name != "Session":
            assert name in source, f"{name} is {decision} but sns/services/erasure.py never touches it"


def viewer(role: str, state: str = "active") -> Viewer:
    return Viewer(user=User(id=f"u-{role}", username=role, display_name=role, role=role, state=state, origin="x"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", ("active", "suspended", "pending"))
@pytest.mark.parametrize("others", (0, 1))
def test_who_may_ask_to_leave(role, state, others):
    expected = state == "active" and not (role == "admin" and others == 0)
    assert can_ask_deletion(viewer(role, state), other_active_admins=others) is expected


def test_a_visitor_cannot_ask():
    assert not can_ask_deletion(Viewer(), other_active_admins=3)


@pytest.mark.parametrize("keep", (True, False))
@pytest.mark.parametrize("visibility", (*VISIBILITIES, None))
@pytest.mark.parametrize("state", TEXT_STATES)
def test_which_posts_stay(keep, visibility, state):
    public = state == "published" and visibility in ("public", "members", None)
    assert is_public_post(visibility, state) is public
    assert stays_after_leaving(keep, visibility, state) is (keep and public)
