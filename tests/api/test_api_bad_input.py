"""Malformed, mistyped and oversized input: a clear 4xx in JSON, never a 500, nothing stored."""

import json

import pytest

from sns.models import Comment, Diary

GOOD = {"title": "Fine", "body": "Fine", "visibility": "public"}
BAD_DIARIES = [
    # (what is sent, expected status, expected field)
    (b"{not json", 400, None),
    (b"", 400, None),
    (b"\xff\xfe\x00garbage", 400, None),
    (b"[1, 2, 3]", 400, None),
    (b'"just a string"', 400, None),
    (b"null", 400, None),
    (b"[" * 300_000 + b"]" * 300_000, 413, None),
    (b"[" * 20_000 + b"]" * 20_000, 400, None),
    (b'{"title": "x", "body": "y", "visibility": "public", "lat": ' + b"9" * 5000 + b', "lon": 1}', 400, None),
    ({**GOOD, "title": ["a", "list"]}, 400, "title"),
    ({**GOOD, "title": {"an": "object"}}, 400, "title"),
    ({**GOOD, "body": 42}, 400, "body"),
    ({**GOOD, "title": None}, 400, "title"),
    ({"body": "no title", "visibility": "public"}, 400, "title"),
    ({**GOOD, "title": "x" * 201}, 400, "title"),
    ({**GOOD, "body": "x" * 20_001}, 400, "body"),
    ({**GOOD, "visibility": "everyone"}, 400, "visibility"),
    ({**GOOD, "visibility": ["public"]}, 400, "visibility"),
    ({**GOOD, "visibility": None}, 400, "visibility"),
    ({**GOOD, "lat": "abc", "lon": 130}, 400, "location"),
    ({**GOOD, "lat": "32.5", "lon": "130.6"}, 400, "location"),
    ({**GOOD, "lat": True, "lon": False}, 400, "location"),
    ({**GOOD, "lat": 32.5}, 400, "location"),
    ({**GOOD, "lat": 91, "lon": 0}, 400, "location"),
    ({**GOOD, "lat": 10 ** 400, "lon": 0}, 400, None),  # the JSON parser refuses numbers this long
    ({**GOOD, "lat": [1], "lon": {"x": 1}}, 400, "location"),
    ({**GOOD, "client_token": "t" * 65}, 400, "client_token"),
    ({**GOOD, "client_token": 12}, 400, "client_token"),
    ({**GOOD, "client_token": "nul\u0000byte"}, 400, "client_token"),
    ({**GOOD, "title": "nul\u0000byte", "body": "\u0000", "visibility": "public\u0000"}, 400, None),
    ({**GOOD, "titel": "typo"}, 400, "titel"),
    ({**GOOD, "author": "someone_else"}, 400, "author"),
]


def encode(payload) -> bytes:
    return payload if isinstance(payload, bytes) else json.dumps(payload).encode()


@pytest.fixture(scope="module")
async def me(api):
    _, client = await api.resident("fuzzer")
    r = await client.post("/api/v1/diaries", json={**GOOD, "title": "Keep me"})
    return client, r.json()["id"]


@pytest.mark.parametrize("payload,status,field", BAD_DIARIES, ids=[str(i) for i in range(len(BAD_DIARIES))])
async def test_bad_diary_input_is_a_clear_4xx(me, payload, status, field):
    client, diary_id = me
    before = await Diary.all().count()
    for method, url in (("POST", "/api/v1/diaries"), ("PATCH", f"/api/v1/diaries/{diary_id}")):
        r = await client.request(method, url, content=encode(payload), headers={"Content-Type": "application/json"})
        if method == "PATCH" and isinstance(payload, dict) and "title" not in payload and field == "title":
            assert r.status_code == 200  # leaving the title out of an edit keeps it
            continue
        assert r.status_code == status, (method, r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith("application/json")
        body = r.json()
        assert isinstance(body["error"], str) and body["error"]
        if field:
            assert body["field"] == field, (method, body)
    assert await Diary.all().count() == before
    assert (await client.get(f"/api/v1/diaries/{diary_id}")).json()["title"] == "Keep me"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
async def test_a_body_that_is_not_json_is_415(me, content_type):
    client, _ = me
    r = await client.post("/api/v1/diaries", content=json.dumps(GOOD).encode(),
                          headers={"Content-Type": content_type})
    assert r.status_code == 415 and r.json()["error"]


async def test_a_declared_oversized_body_is_refused_before_reading(me):
    client, _ = me
    r = await client.post("/api/v1/diaries", content=b"{}", headers={"Content-Type": "application/json",
                                                                       "Content-Length": "999999999"})
    assert r.status_code == 413 and "KB" in r.json()["error"]


@pytest.mark.parametrize("url", [
    "/api/v1/diaries/not-an-id",
    "/api/v1/diaries/" + "x" * 300,
    "/api/v1/diaries/01900000-0000-7000-8000-000000000000",
    "/api/v1/diaries/01900000-0000-7000-8000-000000000000/comments",
    "/api/v1/people/" + "x" * 300,
    "/api/v1/people/%00",
    "/api/v1/people/%ED%A0%80",
    "/api/v1/people/ab%ffcd",
    "/api/v1/diaries/%00",
    "/api/v1/notices/a%00b",
    "/api/v1/notices/" + "9" * 50,
])
async def test_unknown_ids_are_404_json(me, url):
    client, _ = me
    r = await client.get(url)
    assert r.status_code == 404 and r.json()["error"], r.text
    for method in ("PATCH", "DELETE"):
        if "/diaries/" in url and "/comments" not in url:
            r = await client.request(method, url, json={"title": "x"})
            assert r.status_code == 404, (method, url, r.text)
    assert (await client.delete("/api/v1/comments/" + url.rsplit("/", 1)[-1])).status_code == 404


@pytest.mark.parametrize("query,field", [
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=abc", "limit"), ("limit=-1", "limit"),
    ("limit=²", "limit"), ("limit=" + "9" * 5000, "limit"), ("before=yesterday", "before"),
    ("author=nobody_at_all", None), ("author=%00", None), ("author=" + "x" * 300, None),
])
async def test_bad_list_parameters(me, query, field):
    client, _ = me
    r = await client.get("/api/v1/diaries?" + query)
    assert r.status_code in (400, 404) and r.json()["field"] == field, r.text


@pytest.mark.parametrize("payload,field", [
    ({"body": ["x"]}, "comment"), ({"body": ""}, "comment"), ({"body": "x" * 5001}, "comment"),
    ({}, "comment"), ({"text": "wrong name"}, "text"),
])
async def test_bad_comments(me, payload, field):
    client, diary_id = me
    r = await client.post(f"/api/v1/diaries/{diary_id}/comments", json=payload)
    assert r.status_code == 400 and r.json()["field"] == field
    assert not await Comment.filter(diary_id=diary_id).exists()


@pytest.mark.parametrize("payload,field", [
    ({"display_name": ""}, "display_name"), ({"display_name": 7}, "display_name"),
    ({"introduction": ["x"]}, "introduction"), ({"district_id": 5}, "district_id"),
    ({"district_id": "x" * 300}, "district_id"), ({"district_id": "\u0000"}, "district_id"),
    ({"field_visibility": "public"}, "field_visibility"),
    ({"field_visibility": {"introduction": "everyone"}}, "visibility_introduction"),
    ({"field_visibility": {"email": "public"}}, "field_visibility.email"),
    ({"field_visibility": {"avatar": 1}}, "field_visibility.avatar"),
    ({"remove_avatar": "yes"}, "remove_avatar"), ({"role": "admin"}, "role"),
])
async def test_bad_profile_edits(me, payload, field):
    client, _ = me
    r = await client.patch("/api/v1/me/profile", json=payload)
    assert r.status_code == 400 and r.json()["field"] == field, r.text
    assert (await client.get("/api/v1/me")).json()["role"] == "resident"


async def test_bad_notices(api):
    _, clerk = await api.resident("clerk_fuzz", role="staff")
    for payload, field in (({"title": 1, "body": "b"}, "title"), ({"title": "t"}, "body"),
                           ({"title": "t", "body": "b", "pinned": True}, "pinned")):
        r = await clerk.post("/api/v1/notices", json=payload)
        assert r.status_code == 400 and r.json()["field"] == field
