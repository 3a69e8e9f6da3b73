"""What followers on other servers are sent, as people use the site through its pages: the city's notices and
alerts (posted, changed, cancelled, deleted), a followable resident's diary entries through their whole life
(public, edited, made friends-only, public again, held by the filter and approved, removed by a moderator,
deleted), the resident switching "followable" off, and a followable resident asking to leave. Deliveries are
the queue's rows (sns/fediverse/queue.py), one per receiving server, each holding the whole activity the
delivery job signs and posts."""

from __future__ import annotations

import pytest

from fixtures import PASSWORD
from sns.models import BlockedServer, Delivery, Diary, Flag, Follower, User

AP = {"Accept": "application/activity+json"}
BASE = "http://test.example"
BAD = "What a fucking mess at the station"


async def _follow(actor: str, who: str, host: str, shared: str = "") -> None:
    await Follower.create(actor=actor, remote_actor=f"https://{host}/users/{who}",
                          inbox=f"https://{host}/users/{who}/inbox", shared_inbox=shared, host=host)


class Queue:
    """What was queued since the last look, per actor: [(inbox, activity)]."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    async def new(self, actor: str) -> list[tuple[str, dict]]:
        rows = await Delivery.filter(actor=actor).order_by("created_at", "id")
        fresh = [r for r in rows if r.id not in self.seen]
        self.seen |= {r.id for r in rows}
        return [(r.inbox, r.activity) for r in fresh]

    async def steps(self, actor: str) -> list[tuple[str, str]]:
        """(type, object id) of each activity queued since the last look, once per activity."""
        found = []
        for _, act in await self.new(actor):
            step = (act["type"], act["object"] if isinstance(act["object"], str) else act["object"]["id"])
            if step not in found:
                found.append(step)
        return found


@pytest.fixture(scope="module")
async def town(site):
    people = {name: await site.user(name, role=role) for name, role in
              (("pubclerk", "staff"), ("pubfire", "fire"), ("pubmod", "moderator"), ("aiko", "resident"),
               ("pubreader", "resident"))}
    clients = {}
    for name in people:
        clients[name] = site.client()
        await clients[name].login(name)
    await clients["aiko"].submit("/settings/fediverse", {"followable": "1"})
    aiko = people["aiko"].id
    await _follow(aiko, "ken", "social.example", shared="https://social.example/inbox")
    await _follow(aiko, "mio", "social.example", shared="https://social.example/inbox")
    await _follow(aiko, "rin", "misskey.example")
    await _follow(aiko, "troll", "blocked.example")
    await BlockedServer.create(host="blocked.example", reason="abuse")
    await _follow("city", "ken", "social.example", shared="https://social.example/inbox")
    return {"people": people, "clients": clients, "queue": Queue()}


def _id(response) -> str:
    assert response.status_code == 303, response.text
    return response.headers["location"].split("#")[0].rsplit("/", 1)[1]


async def test_the_citys_notices_and_alerts_reach_its_followers(site, town):
    clerk, fire, queue = town["clients"]["pubclerk"], town["clients"]["pubfire"], town["queue"]
    notice = _id(await clerk.submit("/notices/new", {"title": "Water stop", "body": "Tuesday **9-12**."}))
    sent = await queue.new("city")
    assert [inbox for inbox, _ in sent] == ["https://social.example/inbox"]
    create = sent[0][1]
    assert create["type"] == "Create" and create["id"] == f"{BASE}/notices/{notice}#create-1"
    assert create["@context"][0] == "https://www.w3.org/ns/activitystreams"
    assert create["actor"] == f"{BASE}/ap/users/city" and "<strong>9-12</strong>" in create["object"]["content"]
    assert create["object"] == {k: v for k, v in (await site.client().get(f"/notices/{notice}", headers=AP))
                                .json().items() if k != "@context"}  # what is sent is what is served

    alert = _id(await fire.submit("/alerts/new", {"kind": "flood", "title": "River rising", "description": "",
                                                  "instruction": "Move uphill.", "lat": "32.5", "lon": "130.6",
                                                  "severity": "Moderate", "radius_m": ""}))
    assert await queue.steps("city") == [("Create", f"{BASE}/alerts/{alert}")]
    assert (await fire.submit(f"/alerts/{alert}/status", {"status": "cancelled", "note": "false alarm"})) \
        .status_code == 303
    sent = await queue.new("city")
    assert [a["type"] for _, a in sent] == ["Update"] and "Cancelled" in sent[0][1]["object"]["content"]
    assert sent[0][1]["id"].startswith(f"{BASE}/alerts/{alert}#update-")
    assert (await site.client().get(f"/alerts/{alert}", headers=AP)).status_code == 200  # still readable

    assert (await clerk.submit(f"/notices/{notice}/delete")).status_code == 303
    sent = await queue.new("city")
    assert [a["type"] for _, a in sent] == ["Delete"]
    assert sent[0][1]["object"]["type"] == "Tombstone" and sent[0][1]["object"]["id"] == f"{BASE}/notices/{notice}"
    gone = await site.client().get(f"/notices/{notice}", headers=AP)
    assert gone.status_code == 410 and gone.json()["type"] == "Tombstone"


async def test_a_diary_entry_is_sent_only_while_a_visitor_could_read_it(site, town):
    aiko, mod, queue = town["clients"]["aiko"], town["clients"]["pubmod"], town["queue"]
    me = town["people"]["aiko"].id
    url = lambda d: f"{BASE}/diaries/{d}"  # noqa: E731

    entry = _id(await aiko.submit("/diaries/new", {"title": "Spring", "body": "Cherry *blossoms*.",
                                                   "visibility": "public"}))
    sent = await queue.new(me)
    # one delivery per server: the shared inbox once for two followers there, none to the blocked server
    assert sorted(inbox for inbox, _ in sent) == ["https://misskey.example/users/rin/inbox",
                                                  "https://social.example/inbox"]
    assert {a["type"] for _, a in sent} == {"Create"} and sent[0][1]["actor"] == f"{BASE}/ap/users/aiko"

    def edit(visibility, body="Cherry *blossoms*."):
        return aiko.submit(f"/diaries/{entry}/edit", {"title": "Spring", "body": body, "visibility": visibility})

    await edit("public", "Cherry *blossoms*, and rain.")
    assert await queue.steps(me) == [("Update", url(entry))]
    await edit("friends")
    assert await queue.steps(me) == [("Delete", url(entry))]
    assert (await site.client().get(f"/diaries/{entry}", headers=AP)).status_code == 404
    await edit("members")
    assert await queue.steps(me) == []  # still nothing a visitor sees: nothing said
    await edit("public")
    assert await queue.steps(me) == [("Create", url(entry))]
    await edit("public", BAD)  # held by the filter on the way: gone until a moderator approves
    assert (await Diary.get(id=entry)).state == "held" and await queue.steps(me) == [("Delete", url(entry))]
    flag = await Flag.filter(target_id=entry, resolved_at=None).first()
    assert (await mod.submit(f"/moderation/{flag.id}", {"action": "approve"})).status_code == 303
    assert await queue.steps(me) == [("Create", url(entry))]

    for visibility in ("members", "friends", "private"):  # never sent at all
        _id(await aiko.submit("/diaries/new", {"title": f"For {visibility}", "body": "x", "visibility": visibility}))
        assert await queue.steps(me) == []

    held = _id(await aiko.submit("/diaries/new", {"title": "Station", "body": BAD, "visibility": "public"}))
    assert (await Diary.get(id=held)).state == "held" and await queue.steps(me) == []
    flag = await Flag.get(target_id=held, resolved_at=None)
    assert (await mod.submit(f"/moderation/{flag.id}", {"action": "approve"})).status_code == 303
    assert await queue.steps(me) == [("Create", url(held))]

    reader = town["clients"]["pubreader"]
    assert (await reader.submit(f"/diaries/{held}/report", {"reason": "rude"})).status_code == 303
    report = await Flag.get(target_id=held, reason="report")
    assert (await mod.submit(f"/moderation/{report.id}", {"action": "remove"})).status_code == 303
    assert await queue.steps(me) == [("Delete", url(held))]

    assert (await aiko.submit(f"/diaries/{entry}/delete")).status_code == 303
    assert await queue.steps(me) == [("Delete", url(entry))]
    gone = await site.client().get(f"/diaries/{entry}", headers=AP)
    assert gone.status_code == 410 and gone.json()["type"] == "Tombstone"


async def test_switching_followable_off_tells_followers_and_hides_everything(site, town):
    aiko, queue = town["clients"]["aiko"], town["queue"]
    me = town["people"]["aiko"].id
    entry = _id(await aiko.submit("/diaries/new", {"title": "Last one", "body": "x", "visibility": "public"}))
    await queue.new(me)
    page = await aiko.get("/settings/fediverse")
    assert page.status_code == 200 and "no-store" in page.headers["cache-control"]
    assert "@aiko@test.example" in page.text and "4 accounts on other servers follow you" in page.text
    off = await aiko.submit("/settings/fediverse", {})
    assert off.status_code == 303
    sent = await queue.new(me)
    assert {a["type"] for _, a in sent} == {"Delete"} and len(sent) == 2
    assert all(a["object"] == a["actor"] == f"{BASE}/ap/users/aiko" for _, a in sent)
    assert await Follower.filter(actor=me).count() == 0
    for path in ("/ap/users/aiko", "/ap/users/aiko/outbox", f"/diaries/{entry}"):
        assert (await site.client().get(path, headers=AP)).status_code == 404, path
    finger = await site.client().get("/.well-known/webfinger", params={"resource": "acct:aiko@test.example"})
    assert finger.status_code == 404
    await aiko.submit("/diaries/new", {"title": "After", "body": "x", "visibility": "public"})
    await aiko.submit("/settings/fediverse", {})  # off again: nothing more to say
    assert await queue.new(me) == []
    assert "checked" not in (await aiko.get("/settings/fediverse")).text.split('name="followable"')[1][:40]


async def test_a_visitor_cannot_choose_a_form_needs_its_csrf_and_the_page_speaks_japanese(site, town):
    visitor = site.client()
    assert (await visitor.get("/settings/fediverse")).status_code in (302, 303)
    refused = await visitor.post("/settings/fediverse", data={"followable": "1"})
    assert refused.status_code == 403
    reader = town["clients"]["pubreader"]
    no_token = await reader.post("/settings/fediverse", data={"followable": "1"})
    assert no_token.status_code == 403
    assert not (await Follower.filter(actor=town["people"]["pubreader"].id).exists())
    reader.cookies.set("lang", "ja")
    japanese = await reader.get("/settings/fediverse")
    assert "フェディバースからのフォロー" in japanese.text and "@pubreader@test.example" in japanese.text
    assert 'href="/settings/fediverse"' in (await reader.get("/settings")).text


async def test_asking_to_leave_tells_followers_at_once(site, town):
    await site.user("leaver")
    leaver = site.client()
    await leaver.login("leaver")
    await leaver.submit("/settings/fediverse", {"followable": "1"})
    user_id = (await User.get(username="leaver")).id
    await _follow(user_id, "ken", "social.example", shared="https://social.example/inbox")
    await town["queue"].new(user_id)
    asked = await leaver.submit("/settings/delete", {"keep": "keep", "password": PASSWORD})
    assert asked.status_code == 303
    sent = await town["queue"].new(user_id)
    assert [(a["type"], a["object"]) for _, a in sent] == [("Delete", f"{BASE}/ap/users/leaver")]
    assert await Follower.filter(actor=user_id).count() == 0
    assert (await site.client().get("/ap/users/leaver", headers=AP)).status_code == 404
