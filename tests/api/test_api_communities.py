"""Communities, members, topics and replies over the JSON API: the same rules as the pages."""

from sns.models import JournalEntry, Membership, Notification, Topic


async def _community(client, **fields):
    body = {"name": "Riverside walkers", "description": "We *walk*.", "join_policy": "open", "readable_by": "public",
            **fields}
    r = await client.post("/api/v1/communities", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def test_community_topics_replies_and_pages(api):
    owner, o = await api.resident("apic_owner")
    _, m = await api.resident("apic_member")
    anon = api.client()
    c = await _community(o)
    assert c["membership"] == {"state": "active", "role": "admin"} and c["permissions"]["edit"] is True
    assert await JournalEntry.filter(record_id=c["id"]).count() == 1
    assert (await anon.get(f"/api/v1/communities/{c['id']}")).json()["permissions"]["join"] is False
    # a non-member may not post; after joining they may
    r = await m.post(f"/api/v1/communities/{c['id']}/topics", json={"title": "Hi", "body": "there"})
    assert r.status_code == 403
    r = await m.post(f"/api/v1/communities/{c['id']}/membership", json={"action": "join"})
    assert r.status_code == 200 and r.json() == {"state": "active", "role": "member"}
    ids = []
    for n in range(5):
        r = await m.post(f"/api/v1/communities/{c['id']}/topics", json={"title": f"Walk {n}", "body": "x"})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    r = await o.post(f"/api/v1/topics/{ids[0]}/actions", json={"action": "pin"})
    assert r.status_code == 200 and r.json()["pinned"] is True
    assert (await m.post(f"/api/v1/topics/{ids[1]}/actions", json={"action": "pin"})).status_code == 403
    seen, url = [], f"/api/v1/communities/{c['id']}/topics?limit=2"
    while url:
        page = (await anon.get(url)).json()
        seen += [t["id"] for t in page["items"]]
        url = page["next"]
    assert seen == [ids[0], *reversed(ids[1:])]  # pinned first, then newest
    # replies bump a topic to the top of the unpinned ones and notify its followers
    r = await o.post(f"/api/v1/topics/{ids[1]}/replies", json={"body": "Nice *walk*"})
    assert r.status_code == 201 and r.json()["body_html"] == "<p>Nice <em>walk</em></p>\n"
    listing = (await anon.get(f"/api/v1/communities/{c['id']}/topics")).json()["items"]
    assert [t["id"] for t in listing[:2]] == [ids[0], ids[1]] and listing[1]["reply_count"] == 1
    assert await Notification.filter(kind="reply", url__startswith=f"/topics/{ids[1]}#reply-").count() == 1
    replies = (await anon.get(f"/api/v1/topics/{ids[1]}/replies")).json()["items"]
    assert [x["body"] for x in replies] == ["Nice *walk*"]
    # lock: a reply is refused with 409 and nothing is stored
    await o.post(f"/api/v1/topics/{ids[1]}/actions", json={"action": "lock"})
    r = await m.post(f"/api/v1/topics/{ids[1]}/replies", json={"body": "late"})
    assert r.status_code == 409 and "locked" in r.json()["error"]
    assert (await Topic.get(id=ids[1])).reply_count == 1
    # edit and delete
    r = await m.patch(f"/api/v1/topics/{ids[2]}", json={"title": "Walk two, edited"})
    assert r.status_code == 200 and r.json()["title"] == "Walk two, edited"
    assert (await o.patch(f"/api/v1/topics/{ids[2]}", json={"title": "hijack"})).status_code == 403
    assert (await o.delete(f"/api/v1/topics/{ids[2]}")).status_code == 204
    assert (await anon.get(f"/api/v1/topics/{ids[2]}")).status_code == 404
    # follow and unfollow
    r = await o.post(f"/api/v1/topics/{ids[3]}/actions", json={"action": "follow"})
    assert r.status_code == 200 and r.json()["following"] is True
    r = await o.post(f"/api/v1/topics/{ids[3]}/actions", json={"action": "unfollow"})
    assert r.json()["following"] is False
    # members list, ban by username
    members = (await o.get(f"/api/v1/communities/{c['id']}/members")).json()
    assert {x["username"] for x in members["active"]} == {"apic_owner", "apic_member"}
    r = await o.post(f"/api/v1/communities/{c['id']}/members/apic_member", json={"action": "ban"})
    assert r.status_code == 200 and r.json()["state"] == "banned"
    r = await m.post(f"/api/v1/communities/{c['id']}/topics", json={"title": "back", "body": "again"})
    assert r.status_code == 403 and "banned" in r.json()["error"]
    r = await m.post(f"/api/v1/communities/{c['id']}/membership", json={"action": "join"})
    assert r.status_code == 403
    # the last admin cannot leave
    r = await o.post(f"/api/v1/communities/{c['id']}/membership", json={"action": "leave"})
    assert r.status_code == 409
    assert (await Membership.get(community_id=c["id"], user_id=owner.id)).state == "active"


async def test_members_only_community_is_hidden(api):
    _, o = await api.resident("apic_private")
    _, s = await api.resident("apic_stranger")
    c = await _community(o, name="Secret garden", readable_by="community", join_policy="approval")
    t = (await o.post(f"/api/v1/communities/{c['id']}/topics", json={"title": "Hidden", "body": "x"})).json()
    anon = api.client()
    assert (await anon.get(f"/api/v1/communities/{c['id']}")).status_code == 404
    assert c["id"] not in [x["id"] for x in (await anon.get("/api/v1/communities?limit=100")).json()["items"]]
    r = await s.get(f"/api/v1/communities/{c['id']}")
    assert r.status_code == 200 and r.json()["permissions"]["read"] is False
    for who in (anon, s):
        assert (await who.get(f"/api/v1/topics/{t['id']}")).status_code == 404
        assert (await who.get(f"/api/v1/communities/{c['id']}/topics")).status_code == 404
        assert (await who.get(f"/api/v1/topics/{t['id']}/replies")).status_code == 404
    r = await s.post(f"/api/v1/communities/{c['id']}/membership", json={"action": "join"})
    assert r.json() == {"state": "pending", "role": "member"}
    assert (await s.get(f"/api/v1/topics/{t['id']}")).status_code == 404
    r = await o.post(f"/api/v1/communities/{c['id']}/members/apic_stranger", json={"action": "accept"})
    assert r.json()["state"] == "active"
    assert (await s.get(f"/api/v1/topics/{t['id']}")).status_code == 200


async def test_bad_input_is_a_clear_4xx(api):
    _, o = await api.resident("apic_bad")
    _, staffer = await api.resident("apic_staff", role="staff")
    anon = api.client()
    assert (await anon.post("/api/v1/communities", json={"name": "x"})).status_code == 401
    assert (await o.post("/api/v1/communities", json={"name": "Fake", "official": True})).status_code == 403
    assert (await staffer.post("/api/v1/communities", json={"name": "City", "official": True})).json()["official"]
    for body in ({"name": 5}, {"name": ["a"]}, {"name": "x" * 101}, {"name": "ok", "join_policy": 3},
                 {"name": "ok", "readable_by": "friends"}, {"name": "ok", "official": "yes"}, {"name": "ok", "x": 1},
                 {"name": "\x00"}):
        r = await o.post("/api/v1/communities", json=body)
        assert r.status_code == 400, (body, r.text)
    c = await _community(o, name="Bad input club")
    base = f"/api/v1/communities/{c['id']}"
    for body in ({"title": "t", "body": "x" * 200_000}, {"title": None, "body": "b"}, {"title": "t", "body": {}},
                 {"title": "t", "body": "b", "lat": "north", "lon": 1}, {"title": "a\x00", "body": "\x00"}):
        r = await o.post(base + "/topics", json=body)
        assert r.status_code in (400, 413), (body, r.text)
    assert (await o.post(base + "/topics", content=b"[1", headers={"content-type": "application/json"})).status_code == 400
    assert (await o.get(base + "/topics?before=zzz")).status_code == 400
    assert (await o.get(base + "/topics?limit=0")).status_code == 400
    for url in ("/api/v1/communities/nope", "/api/v1/topics/" + "x" * 300, "/api/v1/topics/%00/replies"):
        assert (await o.get(url)).status_code == 404, url
    assert (await o.post("/api/v1/topics/nope/actions", json={"action": "pin"})).status_code == 404
    assert (await o.post(base + "/membership", json={"action": "dance"})).status_code == 400
    assert (await o.post(base + "/members/nobody", json={"action": "ban"})).status_code == 404
    t = (await o.post(base + "/topics", json={"title": "T", "body": "b"})).json()
    assert (await o.post(f"/api/v1/topics/{t['id']}/actions", json={"action": "explode"})).status_code == 400
    r = await o.post(f"/api/v1/topics/{t['id']}/actions", json={"action": "move", "community_id": "nope"})
    assert r.status_code == 400
    assert (await o.get(f"/api/v1/topics/{t['id']}")).json()["title"] == "T"
