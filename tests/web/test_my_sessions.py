"""My sessions (/settings/sessions) and my security log (/settings/security/log), through the app: the browsers
and apps signed in to my account with their browser and rough address, signing one or all others out (and
the signed-out cookie no longer works), another person's session refused, last-seen kept roughly true, and
the log of password and token changes, mine only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from fixtures import PASSWORD
from sns.models import AccountEvent, Session
from sns.models.base import utcnow
from sns.services.sessions import SEEN_EVERY, browser_name, short_address

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.1 Mobile/15E148 Safari/604.1")
ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/120.0.0.0 Mobile Safari/537.36")
HANDLE_RE = re.compile(r'name="session" value="([0-9a-f]+)"')


async def signed_in(site, username: str, user_agent: str):
    client = site.client()
    client.headers["user-agent"] = user_agent
    await client.login(username)
    return client


def session_id_of(client) -> str:
    return client.cookies["sns_session"].rsplit(".", 1)[0]


async def is_signed_in(client) -> bool:
    response = await client.get("/settings")
    return response.status_code == 200


@pytest.fixture(scope="module")
async def people(site):
    return {name: await site.user(name) for name in ("alice", "bob", "carol", "dora")}


def test_addresses_are_shown_roughly():
    assert short_address("203.0.113.77") == "203.0.113.x"
    assert short_address("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    assert short_address("::ffff:198.51.100.9") == "198.51.100.x"
    assert short_address("") == "" and short_address("not an address") == ""


def test_browsers_are_named_by_family_and_system():
    assert browser_name(FIREFOX) == "Firefox 121, Windows 10"
    assert browser_name(IPHONE) == "Mobile Safari 17, iOS 17"
    assert browser_name(ANDROID) == "Chrome Mobile 120, Android 14"
    assert browser_name("") == "" and browser_name("\x00" * 300) == ""


async def test_my_sessions_list_browsers_and_tokens_and_mark_this_one(site, people):
    desk, phone = await signed_in(site, "alice", FIREFOX), await signed_in(site, "alice", IPHONE)
    await desk.submit("/settings/tokens", {"name": "calendar sync", "password": PASSWORD})
    other = await signed_in(site, "bob", ANDROID)
    response = await desk.get("/settings/sessions")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    page = response.text
    assert "Firefox 121, Windows 10" in page and "Mobile Safari 17, iOS 17" in page and "127.0.0.x" in page
    assert "Chrome Mobile" not in page  # bob's session is his
    assert page.count("This browser") == 1 and len(HANDLE_RE.findall(page)) == 1  # only the phone's to sign out
    assert "calendar sync" in page and 'href="/settings"' in page
    for client in (desk, phone, other):  # a session id is the cookie's secret: never on the page
        assert session_id_of(client) not in page
    assert 'href="/settings/sessions"' in (await desk.get("/settings")).text


async def test_a_session_signed_out_from_the_list_is_really_signed_out(site, people):
    desk, phone = await signed_in(site, "carol", FIREFOX), await signed_in(site, "carol", IPHONE)
    [handle] = HANDLE_RE.findall((await desk.get("/settings/sessions")).text)
    response = await desk.submit("/settings/sessions/end", {"session": handle})
    assert response.status_code == 303
    assert not await is_signed_in(phone)  # the phone's cookie signs nobody in any more
    assert await is_signed_in(desk)
    assert await Session.filter(id=session_id_of(phone)).count() == 0
    assert await AccountEvent.filter(user_id=people["carol"].id, kind="session_ended").count() == 1
    again = await desk.submit("/settings/sessions/end", {"session": handle}, follow=True)
    assert "That session is already signed out." in again.text


async def test_another_persons_session_handle_is_refused(site, people):
    dora, bob = await signed_in(site, "dora", FIREFOX), await signed_in(site, "bob", IPHONE)
    await signed_in(site, "bob", FIREFOX)
    bobs_handles = HANDLE_RE.findall((await bob.get("/settings/sessions")).text)
    assert bobs_handles
    for handle in bobs_handles:
        response = await dora.submit("/settings/sessions/end", {"session": handle}, follow=True)
        assert "That session is already signed out." in response.text
    assert await is_signed_in(bob) and await Session.filter(user_id=people["bob"].id).count() >= 2
    # without the form's CSRF field nothing is signed out either
    refused = await dora.post("/settings/sessions/end", data={"session": bobs_handles[0]})
    assert refused.status_code == 403


async def test_signing_out_every_other_session_keeps_this_one(site, people):
    user = await site.user("erin")
    here, *others = [await signed_in(site, "erin", ua) for ua in (FIREFOX, IPHONE, ANDROID)]
    response = await here.submit("/settings/sessions/end-others", {}, follow=True)
    assert "Every other session is signed out." in response.text
    assert await is_signed_in(here)
    assert not any([await is_signed_in(c) for c in others])
    assert await Session.filter(user_id=user.id).count() == 1
    assert await AccountEvent.filter(user_id=user.id, kind="sessions_ended").count() == 1


async def test_last_seen_is_kept_roughly_true_with_few_writes(site, people):
    client = await signed_in(site, "alice", ANDROID)
    session_id = session_id_of(client)
    long_ago = utcnow() - SEEN_EVERY - timedelta(minutes=10)
    await Session.filter(id=session_id).update(last_seen_at=long_ago)
    await client.get("/home")
    seen = (await Session.get(id=session_id)).last_seen_at
    assert utcnow() - seen < timedelta(minutes=1)
    a_moment_ago = utcnow() - timedelta(minutes=1)  # recent enough: the hot path writes nothing
    await Session.filter(id=session_id).update(last_seen_at=a_moment_ago)
    await client.get("/home")
    assert abs((await Session.get(id=session_id)).last_seen_at - a_moment_ago) < timedelta(seconds=1)


async def test_my_security_log_tells_of_passwords_and_tokens_in_my_language(site, people):
    user = await site.user("frank")
    client = await signed_in(site, "frank", FIREFOX)
    await client.submit("/settings/tokens", {"name": "home assistant", "password": PASSWORD})
    token_id = re.search(r'name="token_id" value="([^"]+)"', (await client.get("/settings")).text).group(1)
    await client.submit("/settings/tokens/revoke", {"token_id": token_id})
    await client.submit("/settings/password", {"current_password": PASSWORD, "new_password": "another long password"})
    response = await client.get("/settings/security/log")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    page = response.text
    for label in ("Password changed", "API token created", "API token revoked", "Signed in"):
        assert label in page
    assert "home assistant" in page and "Firefox 121, Windows 10" in page and "127.0.0.x" in page
    assert page.index("Password changed") < page.index("API token created")  # newest first
    kinds = [e.kind for e in await AccountEvent.filter(user_id=user.id).order_by("created_at")]
    assert kinds[-3:] == ["token_created", "token_revoked", "password_changed"]
    assert "calendar sync" not in page  # alice's token is in alice's log only
    await client.submit("/settings/language", {"lang": "ja", "next": "/settings"})
    ja = (await client.get("/settings/security/log")).text
    assert "パスワード" in ja and "Password changed" not in ja
    sessions_ja = (await client.get("/settings/sessions")).text
    assert "ログイン中のブラウザーとアプリ" in sessions_ja and "このブラウザー" in sessions_ja
    assert "接続元" in sessions_ja
    assert "This browser" not in sessions_ja and "Last seen" not in sessions_ja


async def test_visitors_are_sent_to_sign_in(site):
    client = site.client()
    for path in ("/settings/sessions", "/settings/security/log"):
        response = await client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
