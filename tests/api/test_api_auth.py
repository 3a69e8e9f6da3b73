"""Who the API thinks is calling: a bearer token, or the anonymous viewer. Nothing else."""

import pytest

from sns.services import accounts
from sns.services.diaries import write_diary
from sns.services.tokens import revoke_token


def assert_401(r):
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["error"] and r.headers["www-authenticate"].startswith("Bearer")


async def test_a_token_acts_as_its_resident(api):
    user, me = await api.resident("tokenholder")
    r = await me.get("/api/v1/me")
    assert r.status_code == 200 and r.json()["username"] == "tokenholder"
    assert "no-store" in r.headers["cache-control"] and "Authorization" in r.headers["vary"]


@pytest.mark.parametrize("header", [
    "Bearer sns_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000, "sns_abc",
])
async def test_a_bad_token_is_refused_even_for_public_reads(api, header):
    client = api.client(Authorization=header)
    assert_401(await client.get("/api/v1/diaries"))
    assert_401(await client.post("/api/v1/diaries", json={"title": "t", "body": "b", "visibility": "public"}))


async def test_anonymous_reads_public_data_but_cannot_write(api, site):
    user = await site.user("shy")
    ctx = await site.ctx_for(user)
    public = await write_diary(ctx, title="Open to all", body="hello", visibility="public")
    members = await write_diary(ctx, title="Residents only", body="hello", visibility="members")
    anon = api.client()
    assert (await anon.get(f"/api/v1/diaries/{public.id}")).status_code == 200
    r = await anon.get(f"/api/v1/diaries/{members.id}")
    assert r.status_code == 404 and r.json()["error"]
    titles = [d["title"] for d in (await anon.get("/api/v1/diaries?author=shy")).json()["items"]]
    assert titles == ["Open to all"]
    assert_401(await anon.post("/api/v1/diaries", json={"title": "t", "body": "b", "visibility": "public"}))
    assert_401(await anon.get("/api/v1/me"))
    assert_401(await anon.get("/api/v1/friends"))


async def test_a_browser_session_does_not_authenticate_the_api(api, site):
    await site.user("browser")
    browser = site.client()
    await browser.login("browser")
    r = await browser.post("/api/v1/diaries", json={"title": "Forged", "body": "from another site",
                                                    "visibility": "public"})
    assert_401(r)
    r = await browser.get("/api/v1/diaries?author=browser")
    assert r.status_code == 200 and r.json()["items"] == []


async def test_a_revoked_token_stops_working(api, site):
    user = await site.user("revoker")
    ctx = await site.ctx_for(user)
    from sns.services.tokens import create_token

    token, secret = await create_token(ctx, "laptop")
    client = api.client(secret)
    assert (await client.get("/api/v1/me")).status_code == 200
    await revoke_token(ctx, token.id)
    assert_401(await client.get("/api/v1/me"))


async def test_a_suspended_residents_token_stops_working(api, site):
    admin = await site.user("warden", role="admin")
    user, client = await api.resident("troublemaker")
    assert (await client.get("/api/v1/me")).status_code == 200
    await accounts.set_state(await site.ctx_for(admin), user.id, "suspended")
    assert_401(await client.get("/api/v1/me"))
    assert_401(await client.get("/api/v1/diaries"))
    await accounts.set_state(await site.ctx_for(admin), user.id, "active")
    assert (await client.get("/api/v1/me")).status_code == 200


async def test_errors_follow_accept_language(api):
    _, me = await api.resident("polyglot")
    missing = "/api/v1/diaries/01900000-0000-7000-8000-000000000000"
    r = await me.get(missing, headers={"Accept-Language": "ja"})
    assert r.status_code == 404 and r.json()["error"] == "この日記は存在しないか、あなたには公開されていません。"
    r = await me.get(missing, headers={"Accept-Language": "en"})
    assert r.json()["error"] == "This diary entry does not exist or is not shared with you."


async def test_unknown_addresses_and_methods_answer_in_json(api):
    anon = api.client()
    r = await anon.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json()["error"]
    r = await anon.put("/api/v1/diaries")
    assert r.status_code == 405 and r.json()["error"] and set(r.headers["allow"].split(", ")) >= {"GET", "POST"}


async def test_a_residents_own_language_applies_when_the_client_names_none(api, site):
    user, me = await api.resident("nihongo")
    await accounts.set_locale(await site.ctx_for(user), "ja")
    missing = "/api/v1/diaries/01900000-0000-7000-8000-000000000000"
    assert (await me.get(missing)).json()["error"] == "この日記は存在しないか、あなたには公開されていません。"
    r = await me.get(missing, headers={"Accept-Language": "en"})
    assert r.json()["error"] == "This diary entry does not exist or is not shared with you."
