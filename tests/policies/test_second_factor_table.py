"""Who must have a second factor (docs/privacy.md, "Second factors"), as a table: role x has a factor x
action, under the default `second_factor_roles`, and under a city that asks it of nobody."""

from types import SimpleNamespace

import pytest

from sns.policies.second_factors import (
    asks_second_factor_at_sign_in, held_for_second_factor, may_make_recovery_codes, may_remove_factor,
    must_have_second_factor, token_confirmation,
)
from sns.settings import Settings

ROLES = ("resident", "staff", "moderator", "fire", "disaster", "admin")
MUST = {"staff", "moderator", "fire", "disaster", "admin"}  # the default second_factor_roles


def person(role: str):
    return SimpleNamespace(id=f"u-{role}", role=role, state="active", deleted_at=None)


def answers(user, has_factor: bool, settings) -> dict:
    factors = 1 if has_factor else 0
    return {
        "must": must_have_second_factor(user, settings),
        "held": held_for_second_factor(user, has_factor, settings),
        "asked_at_sign_in": asks_second_factor_at_sign_in(has_factor),
        "remove_the_only_one": has_factor and may_remove_factor(user, factors - 1, settings),
        "remove_one_of_two": has_factor and may_remove_factor(user, factors, settings),
        "recovery_codes": may_make_recovery_codes(has_factor),
        "token_asks": token_confirmation(has_factor),
    }


def expected(role: str, has_factor: bool, must_roles: set) -> dict:
    must = role in must_roles
    return {
        "must": must,
        "held": must and not has_factor,
        "asked_at_sign_in": has_factor,
        "remove_the_only_one": has_factor and not must,
        "remove_one_of_two": has_factor,
        "recovery_codes": has_factor,
        "token_asks": "code" if has_factor else "password",
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("has_factor", [False, True])
def test_default_roles_table(role, has_factor):
    settings = Settings()
    assert settings.second_factor_role_set == MUST
    assert answers(person(role), has_factor, settings) == expected(role, has_factor, MUST)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("has_factor", [False, True])
def test_a_city_that_asks_it_of_nobody(role, has_factor):
    settings = Settings(second_factor_roles="")
    assert answers(person(role), has_factor, settings) == expected(role, has_factor, set())


@pytest.mark.parametrize("has_factor", [False, True])
def test_a_city_that_asks_it_of_residents_too(has_factor):
    settings = Settings(second_factor_roles=" resident ,admin")
    assert held_for_second_factor(person("resident"), has_factor, settings) is not has_factor
    assert not must_have_second_factor(person("fire"), settings)


def test_nobody_signed_in_is_never_held_and_removes_nothing():
    settings = Settings()
    assert not must_have_second_factor(None, settings) and not held_for_second_factor(None, False, settings)
    assert not may_remove_factor(None, 3, settings)
