"""The table of notices near my home: viewer kind x action, for the rules and the surfaces that apply them.

Staff post notices for districts or around a point (as they post any notice); every signed-in resident may
list the notices near their own home; what concerns a resident is theirs alone, and nobody, administrators
included, sees whom a notice concerns.
"""

import pytest

from sns.models import District
from sns.policies import ANONYMOUS, load_viewer
from sns.policies.notices import (
    can_choose_notice_telling, can_filter_near_home, can_post_area_notice, can_see_near_home,
    can_see_who_notice_concerns,
)
from sns.services.site import set_districts

ROLES = ("resident", "staff", "moderator", "admin")
VIEWERS = ("visitor", *ROLES)
SIGNED_IN = set(ROLES)
ALLOWED = {
    "post_area": {"staff", "admin"},  # as any notice: `can_post_notice`
    "filter_near_home": SIGNED_IN,
    "see_my_near_home": SIGNED_IN,
    "see_anothers_near_home": set(),
    "see_who_concerned": set(),
    "choose_telling": SIGNED_IN,
}


@pytest.fixture(scope="module")
async def town(site):
    users = {role: await site.user(f"nrtab{role}", role=role) for role in ROLES}
    await set_districts(await site.ctx_for(users["admin"]), "Higashi")
    other = await site.user("nrtab_other")
    pages = {"visitor": site.client()}
    for role, user in users.items():
        pages[role] = site.client()
        await pages[role].login(user.username)
    return {"users": users, "other": other, "pages": pages, "district": await District.get(name="Higashi")}


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_rules(town, viewer):
    v = ANONYMOUS if viewer == "visitor" else await load_viewer(town["users"][viewer])
    got = {"post_area": can_post_area_notice(v), "filter_near_home": can_filter_near_home(v),
           "see_my_near_home": can_see_near_home(v, v.id) if v.id else False,
           "see_anothers_near_home": can_see_near_home(v, town["other"].id),
           "see_who_concerned": can_see_who_notice_concerns(v), "choose_telling": can_choose_notice_telling(v)}
    assert got == {action: viewer in who for action, who in ALLOWED.items()}


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_pages(town, viewer):
    page = town["pages"][viewer]
    listed = await page.get("/notices")
    assert listed.status_code == 200
    assert ('href="/notices?near=1"' in listed.text) == (viewer in ALLOWED["filter_near_home"])
    near = await page.get("/notices?near=1")  # a visitor gets the town's list, not someone's
    assert near.status_code == 200 and ("Notices for the whole town, for your district" in near.text) == \
        (viewer in ALLOWED["filter_near_home"])
    posted = await page.submit("/notices/new", {"title": f"For Higashi from {viewer}", "body": "Text.",
                                                "scope": "districts", "district_ids": [town["district"].id]})
    assert (posted.status_code == 303) == (viewer in ALLOWED["post_area"]), posted.status_code
    home = await page.get("/home")
    assert ('id="near-home"' in home.text) == (viewer in ALLOWED["see_my_near_home"])
