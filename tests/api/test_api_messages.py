"""Internal mail over the API: the same rules as the pages, and clear 4xx answers to bad input."""

import pytest

from sns.models import Message
from sns.services import friends


@pytest.fixture(scope="module")
async def mailers(api):
    out = {}
    for name in ("apiaya", "apiben", "apicai", "apidan"):
        out[name] = await api.resident(name)
    out["mod"] = await api.resident("apimod", role="moderator")
    out["admin"] = await api.resident("apiadm", role="admin")
    return out


async def test_write_list_read_reply_and_mark_read(mailers):
    (_, aya), (_, ben) = mailers["apiaya"], mailers["apiben"]
    r = await aya.post("/api/v1/conversations", json={"to": ["apiben"], "subject": "Hello", "body": "Hi Ben",
                                                      "client_token": "api-mail-1"})
    assert r.status_code == 201, r.text
    conversation = r.json()
    cid = conversation["id"]
    assert [m["body"] for m in conversation["messages"]] == ["Hi Ben"]
    assert {p["username"] for p in conversation["participants"]} == {"apiaya", "apiben"}
    again = await aya.post("/api/v1/conversations", json={"to": ["apiben"], "subject": "Hello", "body": "Hi Ben",
                                                          "client_token": "api-mail-1"})
    assert again.json()["id"] == cid  # a retry posts once

    listed = (await ben.get("/api/v1/conversations")).json()
    assert listed["unread"] >= 1 and listed["items"][0]["id"] == cid and listed["items"][0]["unread"]
    assert (await ben.get(f"/api/v1/conversations/{cid}")).json()["unread"]
    r = await ben.post(f"/api/v1/conversations/{cid}/messages", json={"body": "Hi Aya"})
    assert r.status_code == 201 and r.json()["author"]["username"] == "apiben"
    assert (await ben.put(f"/api/v1/conversations/{cid}/read")).json()["unread"] == 0
    detail = (await aya.get(f"/api/v1/conversations/{cid}")).json()
    assert [m["body"] for m in detail["messages"]] == ["Hi Ben", "Hi Aya"] and detail["may_reply"]


async def test_a_group_by_a_text_of_usernames(mailers):
    _, aya = mailers["apiaya"]
    r = await aya.post("/api/v1/conversations", json={"to": "apiben, apicai", "subject": "Group", "body": "All"})
    assert r.status_code == 201 and len(r.json()["participants"]) == 3


async def test_only_participants(mailers, api):
    _, aya = mailers["apiaya"]
    cid = (await aya.post("/api/v1/conversations", json={"to": ["apiben"], "subject": "Only us",
                                                         "body": "secret words"})).json()["id"]
    for name in ("apicai", "mod", "admin"):
        _, client = mailers[name]
        r = await client.get(f"/api/v1/conversations/{cid}")
        assert r.status_code == 404 and "secret words" not in r.text
        assert cid not in (await client.get("/api/v1/conversations")).text
        assert (await client.post(f"/api/v1/conversations/{cid}/messages", json={"body": "x"})).status_code == 404
        assert (await client.put(f"/api/v1/conversations/{cid}/read")).status_code == 404
    anonymous = api.client()
    assert (await anonymous.get(f"/api/v1/conversations/{cid}")).status_code == 401
    assert (await anonymous.get("/api/v1/conversations")).status_code == 401
    assert (await anonymous.post("/api/v1/conversations", json={"to": ["apiben"], "subject": "s",
                                                                "body": "b"})).status_code == 401


async def test_blocked_people_cannot_be_written_to(mailers, site):
    (dan_user, dan), (aya_user, _) = mailers["apidan"], mailers["apiaya"]
    await friends.block(await site.ctx_for(aya_user), dan_user.id)
    r = await dan.post("/api/v1/conversations", json={"to": ["apiaya"], "subject": "s", "body": "b"})
    assert r.status_code == 400 and r.json() == {"error": "apiaya cannot receive your mail.", "field": "to"}


@pytest.mark.parametrize("payload,field", [
    ({"to": ["nobody_at_all"], "subject": "s", "body": "b"}, "to"),
    ({"to": [f"crowd{n}" for n in range(21)], "subject": "s", "body": "b"}, "to"),
    ({"to": ["apiben"], "subject": "s", "body": ""}, "body"),
    ({"to": ["apiben"], "subject": "s", "body": "x" * 1_000_000}, None),
    ({"to": ["apiben"], "subject": "s", "body": 42}, "body"),
    ({"to": 7, "subject": "s", "body": "b"}, "to"),
    ({"to": [1, 2], "subject": "s", "body": "b"}, "to"),
    ({"to": ["apiben"], "subject": ["s"], "body": "b"}, "subject"),
    ({"to": ["api\x00ben"], "subject": "s", "body": "b"}, "to"),
    ({"to": ["<b>x</b>"], "subject": "s", "body": "b"}, "to"),
    ({"to": ["apiben"], "subject": "s", "body": "b", "cc": "x"}, "cc"),
    ({"to": ["apiben"], "subject": "s", "body": "b", "client_token": "a\x00b"}, "client_token"),
])
async def test_bad_input_gets_a_clear_4xx(mailers, payload, field):
    _, aya = mailers["apiaya"]
    before = await Message.all().count()
    r = await aya.post("/api/v1/conversations", json=payload)
    assert 400 <= r.status_code < 500, r.text
    if field:
        assert r.json()["field"] == field
    assert await Message.all().count() == before


async def test_nul_in_body_and_odd_requests(mailers):
    _, aya = mailers["apiaya"]
    r = await aya.post("/api/v1/conversations", json={"to": ["apiben"], "subject": "N\x00UL", "body": "a\x00b"})
    assert r.status_code == 201 and r.json()["messages"][0]["body"] == "ab" and r.json()["subject"] == "NUL"
    assert (await aya.get("/api/v1/conversations?page=zero")).status_code == 400
    assert (await aya.get("/api/v1/conversations?archived=maybe")).status_code == 400
    assert (await aya.get("/api/v1/conversations/not-an-id")).status_code == 404
    r = await aya.post("/api/v1/conversations", content=b"[1,2]", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
