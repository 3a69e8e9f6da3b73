"""The disaster-mode table: viewer kind x action, for the rules and for every surface that applies them.

Only the disaster desk and administrators switch the mode; every signed-in account posts on the board and
checks in while it is on; a check-in is seen by the resident, their friends and the staff who organise help
(staff, disaster, fire, admin), and never by anyone else: not a stranger, not a moderator, not a visitor, on
no page, My page, list, search or API answer.
"""

import pytest

from sns.models import User
from sns.policies import (
    ANONYMOUS, can_check_in, can_post_on_board, can_see_safety_counts, can_switch_disaster, can_view_checkin,
    load_viewer,
)
from sns.services import disaster, friends, safety

ROLES = ("resident", "staff", "moderator", "fire", "disaster", "admin")
VIEWERS = ("visitor", "self", "friend", *ROLES)  # "resident": a stranger to the one who checks in
ALLOWED = {
    "switch": {"disaster", "admin"},
    "post_board": {"self", "friend", *ROLES},
    "check_in": {"self", "friend", *ROLES},
    "view_checkin": {"self", "friend", "staff", "fire", "disaster", "admin"},
    "counts": {"staff", "fire", "disaster", "admin"},
}
SECRET = "Trapped upstairs with grandmother, zq7"


@pytest.fixture(scope="module")
async def town(site):
    users = {role: await site.user(f"dstab{role}", role=role) for role in ROLES}
    users["self"] = await site.user("dstabself")
    users["friend"] = await site.user("dstabfriend")
    await friends.request_friend(await site.ctx_for(users["self"]), users["friend"].id)
    await friends.accept(await site.ctx_for(users["friend"]), users["self"].id)
    event = await disaster.start_event(await site.ctx_for(users["disaster"]), name="Table quake", drill=True)
    checkin = await safety.check_in(await site.ctx_for(users["self"]), status="need_help", message=SECRET,
                                    place="Table street 1")
    pages, api = await site.clients_of(users)
    return {"users": users, "event": event, "checkin": checkin, "pages": pages, "api": api}


async def viewer_of(town, who):
    return ANONYMOUS if who == "visitor" else await load_viewer(await User.get(id=town["users"][who].id))


@pytest.mark.parametrize("who", VIEWERS)
async def test_rules(town, who):
    v = await viewer_of(town, who)
    got = {"switch": can_switch_disaster(v), "post_board": can_post_on_board(v, town["event"]),
           "check_in": can_check_in(v, town["event"]), "view_checkin": can_view_checkin(v, town["checkin"]),
           "counts": can_see_safety_counts(v)}
    assert got == {action: who in allowed for action, allowed in ALLOWED.items()}


@pytest.mark.parametrize("who", VIEWERS)
async def test_pages(town, who):
    page = town["pages"][who]
    switch = await page.get("/disaster")
    assert switch.status_code == 200 and ('action="/disaster/end"' in switch.text) == (who in ALLOWED["switch"])
    staff = await page.get("/disaster/staff")
    expected = (302, 303) if who == "visitor" else (200,) if who in ALLOWED["counts"] else (403,)
    assert staff.status_code in expected
    board = await page.get("/disaster/board")
    assert ('action="/disaster/board"' in board.text) == (who in ALLOWED["post_board"])
    # the check-in's message: seen exactly where the rules allow, nowhere else
    seen = []
    for path in ("/", "/home", "/disaster", "/disaster/checkin", "/disaster/board", "/disaster/staff",
                 "/people/dstabself", "/search?q=grandmother", "/diaries", "/notifications",
                 "/map/features.json?bbox=120,20,150,50"):
        r = await page.get(path)
        if SECRET in r.text:
            seen.append(path)
    assert bool(seen) == (who in ALLOWED["view_checkin"]), seen
    if who == "friend":
        assert "/home" in seen  # friends see it on their My page


@pytest.mark.parametrize("who", VIEWERS)
async def test_api(town, who):
    api = town["api"][who]
    state = await api.get("/api/v1/disaster")
    assert state.status_code == 200 and state.json()["event"]["exercise"] is True
    listed = await api.get("/api/v1/disaster/checkins")
    if who == "visitor":
        assert listed.status_code == 401
    else:
        assert listed.status_code == 200
        assert any(c["message"] == SECRET for c in listed.json()["items"]) == (who in ALLOWED["view_checkin"])
    counts = await api.get("/api/v1/disaster/counts")
    assert counts.status_code == (401 if who == "visitor" else 200 if who in ALLOWED["counts"] else 403)
    board = await api.get("/api/v1/disaster/board")
    assert board.status_code == 200 and SECRET not in board.text
    r = await api.post("/api/v1/disaster/start", json={"name": "Table quake", "drill": True})
    # the same event again is the same event (a repeated call); others may not switch at all
    assert r.status_code == (401 if who == "visitor" else 201 if who in ALLOWED["switch"] else 403)
