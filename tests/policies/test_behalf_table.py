"""Who may act on behalf of a fallen city (docs/mirroring.md, "Acting on behalf"), as tables.

1. The person: role x account state -> may hold standby codes, post an alert, post a notice, change an
   alert (never an imported one). The same rules decide on the neighbour and again at adoption.
2. The city: our peer row (missing, paused, removed, not letting us act, letting us) x its health -> may
   anyone sign in here to act for it.
3. The surfaces: /admin/standby and `make_codes` for each kind of viewer; codes for each role.
"""

from types import SimpleNamespace

import pytest

from sns.errors import Forbidden, Invalid
from sns.policies import (
    acting_refusal, can_manage_standby_codes, load_viewer, may_change_alert_acting, may_hold_standby_codes,
    may_post_alert_acting, may_post_notice_acting,
)
from sns.services import standby_codes

ROLES = ("resident", "staff", "moderator", "fire", "disaster", "admin")
ALLOWED = {  # for an active account
    "hold": {"fire", "disaster", "admin"},
    "post_alert": {"fire", "disaster"},
    "post_notice": {"fire", "disaster", "admin"},
    "change_alert": {"fire", "disaster"},
    "change_imported": set(),
}


def person(role: str, state: str = "active", deleted: bool = False):
    return SimpleNamespace(id=f"u-{role}", role=role, state=state, deleted_at="gone" if deleted else None)


def answers(user) -> dict[str, bool]:
    local = SimpleNamespace(source="", deleted_at=None)
    imported = SimpleNamespace(source="https://pref.example.jp/cap", deleted_at=None)
    return {"hold": may_hold_standby_codes(user), "post_alert": may_post_alert_acting(user),
            "post_notice": may_post_notice_acting(user), "change_alert": may_change_alert_acting(user, local),
            "change_imported": may_change_alert_acting(user, imported)}


@pytest.mark.parametrize("role", ROLES)
def test_role_table(role):
    assert answers(person(role)) == {action: role in allowed for action, allowed in ALLOWED.items()}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state,deleted", [("suspended", False), ("pending", False), ("active", True)])
def test_no_account_but_an_active_one_acts(role, state, deleted):
    assert not any(answers(person(role, state, deleted)).values())


def test_nobody_acts_without_a_person():
    assert not may_hold_standby_codes(None) and not may_post_notice_acting(None)


def peer(state="active", acts_for_them=True):
    return SimpleNamespace(state=state, acts_for_them=acts_for_them)


CITIES = {
    "no peer": (None, "not_a_peer"),
    "paused": (peer("paused"), "not_a_peer"),
    "removed": (peer("removed"), "not_a_peer"),
    "not letting us": (peer(acts_for_them=False), "not_allowed"),
    "letting us": (peer(), None),
}


@pytest.mark.parametrize("city", CITIES)
@pytest.mark.parametrize("health", ["ok", "behind", "never", "paused", "down"])
def test_city_table(city, health):
    row, refusal = CITIES[city]
    expected = refusal or (None if health == "down" else "origin_up")
    assert acting_refusal(row, health, person("fire")) == expected
    if expected is None:  # the city allows it: then the person decides
        assert acting_refusal(row, health, person("resident")) == "not_staff"
        assert acting_refusal(row, health, person("fire", "suspended")) == "not_staff"


@pytest.fixture(scope="module")
async def people(site):
    return {role: await site.user(f"sbtab{role}", role=role) for role in ROLES}


async def test_only_administrators_make_codes(site, people):
    for role, user in people.items():
        ctx = await site.ctx_for(user)
        assert can_manage_standby_codes(ctx.viewer) == (role == "admin")
        page = site.client()
        await page.login(user.username)
        assert (await page.get("/admin/standby")).status_code == (200 if role == "admin" else 403)
        if role != "admin":
            with pytest.raises(Forbidden):
                await standby_codes.make_codes(ctx, "sbtabfire")
    assert (await site.client().get("/admin/standby")).status_code == 303  # a visitor: to sign in


async def test_codes_only_for_acting_roles(site, people):
    admin = await site.ctx_for(people["admin"])
    for role, user in people.items():
        if role in ALLOWED["hold"]:
            _, codes = await standby_codes.make_codes(admin, user.username, 2)
            assert len(codes) == 2
        else:
            with pytest.raises(Invalid):
                await standby_codes.make_codes(admin, user.username, 2)
    assert (await load_viewer(people["admin"])).user.role == "admin"
