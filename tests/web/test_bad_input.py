"""Hostile, oversized and malformed input: a clear answer, never a 500, nothing already stored lost."""

from __future__ import annotations

import pytest

from sns.models import Diary

HOSTILE = [
    "",
    " ",
    "x" * 10_000,
    "\x00\x01\x02 nul and control",
    "\u202eevil right-to-left\u202c",
    "'; DROP TABLE diaries; --",
    "<script>alert(1)</script>",
    "%s %(title)s {{ 7*7 }} {% raw %}",
    "火事です！避難してください。🔥" * 50,
    "NaN",
    "1e309",
    "-91",
    "../../etc/passwd",
]


@pytest.fixture(scope="module")
async def clients(site):
    await site.user("resident1")
    await site.user("clerk1", role="staff")
    await site.user("boss1", role="admin")
    out = {}
    for name in ("resident1", "clerk1", "boss1"):
        out[name] = site.client()
        await out[name].login(name)
    posted = await out["resident1"].submit("/diaries/new", {"title": "Keep me", "body": "Stored before the storm.",
                                                             "visibility": "public"})
    out["entry"] = posted.headers["location"]
    return out


def forms(entry: str) -> list[tuple[str, str, list[str]]]:
    return [
        ("resident1", "/diaries/new", ["title", "body", "visibility", "lat", "lon", "client_token"]),
        ("resident1", f"{entry}/edit", ["title", "body", "visibility", "lat", "lon"]),
        ("resident1", f"{entry}/comments", ["body", "client_token"]),
        ("resident1", "/settings/profile", ["display_name", "introduction", "district", "visibility_district"]),
        ("resident1", "/settings/password", ["current_password", "new_password"]),
        ("resident1", "/settings/language", ["lang", "next"]),
        ("resident1", "/settings/tokens", ["name", "password", "code"]),
        ("resident1", "/settings/security/totp/new", ["setup", "name", "code"]),
        ("resident1", "/settings/security/recovery", ["password"]),
        ("resident1", "/settings/security/factors/nonexistent/remove", ["password"]),
        ("resident1", "/friends/request", ["user_id", "next"]),
        ("resident1", "/friends/block", ["user_id"]),
        ("clerk1", "/notices/new", ["title", "body"]),
        ("boss1", "/admin/site", ["town_name", "map_lat", "map_lon", "map_zoom", "districts"]),
        ("boss1", "/admin/invitations", ["email", "note"]),
        ("boss1", "/admin/alert-sources", ["url", "label", "poll_seconds"]),
        ("boss1", "/admin/mirror", ["url", "fingerprint", "acts_for_us"]),
        ("boss1", "/admin/mirror/neighbour.example/state", ["state"]),
        ("boss1", "/admin/mirror/neighbour.example/acting", ["acts_for_us"]),
        ("boss1", "/admin/users/nonexistent", ["action", "role"]),
    ]


async def test_no_form_answers_hostile_values_with_a_server_error(site, clients):
    before = await Diary.filter(deleted_at=None).count()
    for who, url, fields in forms(clients["entry"]):
        for value in HOSTILE:
            response = await clients[who].submit(url, {name: value for name in fields})
            assert response.status_code < 500, (url, value[:40], response.text[:300])
    kept = await clients["resident1"].get(clients["entry"])
    assert kept.status_code == 200 and "Stored before the storm." in kept.text
    assert await Diary.filter(deleted_at=None).count() >= before


async def test_anonymous_forms_and_odd_urls(site, clients):
    visitor = site.client()
    for value in HOSTILE:
        for url, fields in (("/login", ["username", "password", "next"]), ("/signup", ["username", "password"]),
                            ("/login/second-factor", ["code", "next", "recovery"]),
                            ("/password/forgot", ["who"]), ("/join/" + "x" * 40, ["username", "password"])):
            response = await visitor.submit(url, {name: value for name in fields})
            assert response.status_code < 500, (url, value[:40])
    for url in ("/diaries?before=garbage", "/diaries?before=" + "9" * 400, "/diaries/" + "z" * 300,
                "/people/%00", "/people/" + "名" * 200, "/notices?before=%ff", "/photos/../../keys/secret.key",
                "/photos/abc.png", "/feeds/people/nobody.atom", "/comments/nothing/delete"):
        response = await visitor.get(url)
        assert response.status_code < 500, url
        assert b"secret" not in response.content[:64]


async def test_bytes_that_are_not_utf8_are_refused_or_repaired(site, clients):
    client = clients["resident1"]
    token = await client.ensure_csrf()
    body = f"csrf_token={token}&title=".encode() + "火事".encode("shift_jis") + b"&body=%ff%fe%fd&visibility=public"
    response = await client.post("/diaries/new", content=body,
                                 headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code < 500


async def test_a_typed_post_comes_back_when_refused(site, clients):
    client = clients["resident1"]
    typed = "A long story about the river festival that I do not want to type again."
    response = await client.submit("/diaries/new", {"title": "t" * 500, "body": typed, "visibility": "public",
                                                    "lat": "95", "lon": "130"})
    assert response.status_code == 400
    assert typed in response.text and 't' * 500 in response.text
    assert 'class="error"' in response.text
