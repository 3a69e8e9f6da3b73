"""The fediverse table: what a fediverse server is served and sent, against what a visitor's page shows.

A fediverse server is a visitor (sns/policies/fediverse.py). For every diary visibility x moderation state x
deleted x whether its author chose "followable", each entry is brought to its state through the services, as
people do it; then its object route, its author's outbox and the activities queued for their followers must
say exactly what a visitor's page says (nothing more): a `Create` only for an entry a visitor could read, a
`Delete` once it stops being readable, nothing at all for one never readable. Notices, the city's own alerts,
imported alerts, check-ins and disaster-board posts the same way.
"""

from __future__ import annotations

import itertools

import pytest

from fixtures import make_site
from sns.models import Delivery, Flag, Follower, User
from sns.models.alerts import Alert
from sns.policies import ANONYMOUS, load_viewer
from sns.policies.fediverse import (
    can_choose_followable, fediverse_can_see_actor, fediverse_can_see_alert, fediverse_can_see_diary,
    fediverse_can_see_notice, is_followable,
)
from sns.services import alerts, diaries, disaster, disaster_board, fediverse_choice, notices, review, safety

AP = {"Accept": "application/activity+json"}
BASE = "http://test.example"
BAD = "What a fucking mess at the station"
VISIBILITIES = ("public", "members", "friends", "private")
STATES = ("published", "held", "removed")
CASES = [(v, s, d, f) for v, s, d, f in itertools.product(VISIBILITIES, STATES, (False, True), (True, False))
         if not (s == "removed" and d)]  # a removed entry is already gone: nobody deletes it again
ROLES = ("resident", "staff", "moderator", "fire", "disaster", "admin")


def case_id(case) -> str:
    v, s, d, f = case
    return f"{v}-{s}{'-deleted' if d else ''}-{'followable' if f else 'not_followable'}"


async def _bring(site, ctx, mod_ctx, reader_ctx, visibility, state, deleted):
    """A diary entry brought to its state the way it happens on the site."""
    entry = await diaries.write_diary(ctx, title=f"{visibility} {state} {deleted}",
                                      body=BAD if state == "held" else "A quiet day.", visibility=visibility)
    if state == "removed":
        flag = await review.report(reader_ctx, "diary", entry.id, "rude") if visibility in ("public", "members") \
            else None
        if flag is None:  # nobody else can see it to report it: the filter's flag, as a moderator finds it
            entry = await diaries.edit_diary(ctx, entry.id, title=entry.title, body=BAD, visibility=visibility)
            flag = await Flag.filter(target_id=entry.id, resolved_at=None).first()
        await review.act(mod_ctx, flag.id, "remove")
    if deleted:
        await diaries.delete_diary(ctx, entry.id)
    return entry.id


@pytest.fixture(scope="module")
async def site(tmp_path_factory):
    """Nobody turns "grey" here (many held entries by one author would hold their clean ones too), and no
    posting limit gets in the way of the table's 48 entries."""
    async with make_site(tmp_path_factory.mktemp("fediverse_table"), grey_threshold=0, posts_per_10min=1000) as s:
        yield s


@pytest.fixture(scope="module")
async def town(site):
    fol = await site.user("tabfol")
    nofol = await site.user("tabnofol")
    mod = await site.user("tabmod", role="moderator")
    reader = await site.user("tabreader")
    clerk = await site.user("tabclerk", role="staff")
    fire = await site.user("tabfire", role="fire")
    desk = await site.user("tabdesk", role="disaster")
    await fediverse_choice.set_followable(await site.ctx_for(fol), True)
    for user in (fol, nofol):
        await Follower.create(actor=user.id, remote_actor=f"https://peer.example/users/of-{user.username}",
                              inbox="https://peer.example/inbox", host="peer.example")
    await Follower.create(actor="city", remote_actor="https://peer.example/users/c", inbox="https://peer.example/inbox",
                          host="peer.example")
    mod_ctx, reader_ctx = await site.ctx_for(mod), await site.ctx_for(reader)
    entries = {}
    for case in CASES:
        v, s, d, f = case
        author = fol if f else nofol
        entries[case] = await _bring(site, await site.ctx_for(author), mod_ctx, reader_ctx, v, s, d)
    clerk_ctx, fire_ctx = await site.ctx_for(clerk), await site.ctx_for(fire)
    kept = await notices.post_notice(clerk_ctx, title="Kept notice", body="x")
    dropped = await notices.post_notice(clerk_ctx, title="Dropped notice", body="x")
    await notices.delete_notice(clerk_ctx, dropped.id)
    ours = await alerts.post_alert(fire_ctx, kind="fire", title="Our alert", description="", instruction="",
                                   lat="32.5", lon="130.6")
    cancelled = await alerts.post_alert(fire_ctx, kind="storm", title="Cancelled alert", description="",
                                        instruction="", lat="32.5", lon="130.6")
    await alerts.change_status(fire_ctx, cancelled.id, "cancelled")
    imported = await Alert.create(kind="flood", title="Imported", lat=32.5, lon=130.6, sender="pref@example.jp",
                                  identifier="x-1", source="https://pref.example.jp/cap", origin="pref.example.jp")
    await disaster.start_event(await site.ctx_for(desk), name="Table quake")
    checkin = await safety.check_in(await site.ctx_for(fol), status="safe", message="At the school, zq9")
    post = await disaster_board.write_post(await site.ctx_for(fol), body="Road closed by the bridge, zq8")
    outbox = []
    page = "/ap/users/tabfol/outbox?page=true"
    while page:
        body = (await site.client().get(page, headers=AP)).json()
        outbox += [item["object"]["id"] for item in body["orderedItems"]]
        page = body.get("next", "").replace(BASE, "")
    deliveries: dict[str, list[str]] = {}
    for row in await Delivery.all().order_by("created_at", "id"):
        obj = row.activity["object"]
        deliveries.setdefault(obj if isinstance(obj, str) else obj["id"], []).append(row.activity["type"])
    return {"entries": entries, "outbox": outbox, "deliveries": deliveries, "users": {"fol": fol, "nofol": nofol},
            "roles": {r: await site.user(f"tabrole{r}", role=r) for r in ROLES},
            "notices": {"kept": kept.id, "dropped": dropped.id},
            "alerts": {"ours": ours.id, "cancelled": cancelled.id, "imported": imported.id},
            "checkin": checkin.id, "post": post.id}


@pytest.mark.parametrize("case", CASES, ids=case_id)
async def test_a_diary_leaves_exactly_as_a_visitor_sees_it(site, town, case):
    visibility, state, deleted, followable = case
    entry = town["entries"][case]
    oid = f"{BASE}/diaries/{entry}"
    visitor_reads = (await site.client().get(f"/diaries/{entry}")).status_code == 200
    assert visitor_reads == (visibility == "public" and state == "published" and not deleted)
    published = visitor_reads and followable
    served = await site.client().get(f"/diaries/{entry}", headers=AP)
    assert (served.status_code == 200) == published
    if not published:
        assert served.status_code in (404, 410) and "A quiet day" not in served.text and "fucking" not in served.text
        # gone (410) only for a public entry its followable author deleted (a removed one may never have been
        # readable: held, then removed; it is 404 like anything else)
        assert (served.status_code == 410) == (followable and visibility == "public" and state == "published"
                                               and deleted)
    assert (oid in town["outbox"]) == published
    once_readable = followable and visibility == "public" and state != "held"
    expected = ([] if not once_readable else ["Create"] if published else ["Create", "Delete"])
    assert town["deliveries"].get(oid, []) == expected


async def test_the_rules_behind_the_table(site, town):
    fol, nofol = [await load_viewer(await User.get(id=town["users"][k].id)) for k in ("fol", "nofol")]
    assert is_followable(fol.user) and not is_followable(nofol.user)
    assert fediverse_can_see_actor(fol.user, "city") and not fediverse_can_see_actor(fol.user, "tabfol")
    assert not can_choose_followable(ANONYMOUS)
    for role, user in town["roles"].items():  # every active account with a password may choose, staff too
        assert can_choose_followable(await load_viewer(user)), role
    # an account nobody signs in as (an Open311 partner's) is never followable
    partner = town["roles"]["resident"]
    partner.password_hash, partner.fediverse_followable = "", True
    assert not is_followable(partner)
    suspended = await User.get(id=fol.id)
    suspended.state = "suspended"
    assert not is_followable(suspended) and not fediverse_can_see_actor(suspended, "city")

    class Rec:
        def __init__(self, **kw):
            self.__dict__.update(kw)

    public = Rec(deleted_at=None, state="published", visibility="public", author_id=fol.id)
    assert fediverse_can_see_diary(public, fol.user, "city")
    assert not fediverse_can_see_diary(Rec(**{**public.__dict__, "author_id": nofol.id}), nofol.user, "city")
    for visibility in ("members", "friends", "private"):
        assert not fediverse_can_see_diary(Rec(**{**public.__dict__, "visibility": visibility}), fol.user, "city")
    assert fediverse_can_see_notice(Rec(deleted_at=None)) and not fediverse_can_see_notice(Rec(deleted_at=1))
    assert fediverse_can_see_alert(Rec(deleted_at=None, source="", origin="test.example"), "test.example")
    assert not fediverse_can_see_alert(Rec(deleted_at=None, source="https://x", origin="test.example"), "test.example")
    assert not fediverse_can_see_alert(Rec(deleted_at=None, source="", origin="next.example"), "test.example")


@pytest.mark.parametrize("which,served,sent", [
    ("kept", 200, ["Create"]), ("dropped", 410, ["Create", "Delete"]),
])
async def test_notices(site, town, which, served, sent):
    nid = town["notices"][which]
    assert (await site.client().get(f"/notices/{nid}", headers=AP)).status_code == served
    assert town["deliveries"].get(f"{BASE}/notices/{nid}", []) == sent


@pytest.mark.parametrize("which,served,sent", [
    ("ours", 200, ["Create"]), ("cancelled", 200, ["Create", "Update"]), ("imported", 404, []),
])
async def test_alerts(site, town, which, served, sent):
    aid = town["alerts"][which]
    visitor = await site.client().get(f"/alerts/{aid}")
    assert visitor.status_code == 200  # every visitor reads every alert; the city publishes only its own
    assert (await site.client().get(f"/alerts/{aid}", headers=AP)).status_code == served
    assert town["deliveries"].get(f"{BASE}/alerts/{aid}", []) == sent


async def test_checkins_and_board_posts_never_leave(site, town):
    for path in ("/disaster/checkin", f"/disaster/board/{town['post']}", "/disaster/board", "/disaster"):
        answer = await site.client().get(path, headers=AP)
        assert "activity+json" not in answer.headers.get("content-type", ""), path
    everything = str(town["deliveries"]) + str([d.activity for d in await Delivery.all()])
    assert "zq9" not in everything and "zq8" not in everything
    assert town["checkin"] not in everything and town["post"] not in everything
    assert not any("disaster" in oid for oid in town["deliveries"])
