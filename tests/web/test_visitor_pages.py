"""Visitors get the alerts page and the front page rendered once for all of them (sns/web/visitors.py), and
that is safe: each visitor has their own CSRF cookie and token (which work, and only for them), each
language its own page, signed-in residents and flash messages never come from it, and a new alert shows
at once."""

from __future__ import annotations

import re

import pytest

from fixtures import make_site
from test_query_counts import count_queries

from sns.services.alerts import post_alert
from sns.web.http import CLIENT_TOKEN_SLOT, CSRF_SLOT

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
async def site(tmp_path_factory):
    async with make_site(tmp_path_factory.mktemp("visitors")) as s:
        yield s


async def test_visitors_share_one_rendering_each_with_their_own_working_token(site):
    first, second = site.client(), site.client()
    page = await first.get("/alerts")
    assert page.status_code == 200
    with count_queries() as seen:
        again = await second.get("/alerts")
    assert again.status_code == 200 and seen == []  # kept: no query, no rendering
    tokens = [TOKEN.search(p.text).group(1) for p in (page, again)]
    cookies = [c.cookies.get("sns_csrf") for c in (first, second)]
    assert all(cookies) and cookies[0] != cookies[1] and tokens[0] != tokens[1]
    for text in (page.text, again.text):
        assert CSRF_SLOT.decode() not in text and CLIENT_TOKEN_SLOT.decode() not in text
    assert again.headers["content-security-policy"] == page.headers["content-security-policy"]
    assert again.headers["content-encoding"] == "gzip"  # still compressed for those who accept it
    plain = await second.get("/alerts", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and int(plain.headers["content-length"]) == len(plain.content)
    # Each token works with its own cookie (the language form on every page) ...
    r = await second.post("/settings/language", data={"csrf_token": tokens[1], "lang": "ja", "next": "/alerts"})
    assert r.status_code == 303
    # ... and not with another visitor's cookie.
    r = await first.post("/settings/language", data={"csrf_token": tokens[1], "lang": "ja", "next": "/alerts"})
    assert r.status_code == 403
    # A visitor who already has a cookie keeps it, and the token matches it.
    page = await first.get("/")
    assert "set-cookie" not in page.headers and first.cookies.get("sns_csrf") == cookies[0]
    assert TOKEN.search(page.text).group(1) == tokens[0]


async def test_each_language_has_its_page_and_residents_never_get_a_visitors_page(site):
    english = await site.client().get("/alerts")
    japanese = await site.client().get("/alerts", headers={"Accept-Language": "ja"})
    assert '<html lang="en">' in english.text and '<html lang="ja">' in japanese.text
    chose = site.client()
    chose.cookies.set("lang", "ja")
    assert '<html lang="ja">' in (await chose.get("/alerts")).text
    await site.user("visitpages")
    resident = site.client()
    await resident.login("visitpages")
    assert (await resident.get("/")).status_code == 303  # My page, not the visitors' front page
    page = await resident.get("/alerts")
    assert "visitpages" in page.text and 'action="/logout"' in page.text
    # Signed out, the confirmation shows once, to them alone.
    r = await resident.submit("/logout")
    assert r.status_code == 303
    assert "You are signed out." in (await resident.get("/")).text
    assert "You are signed out." not in (await site.client().get("/")).text
    # With a query string the page is rendered for the request.
    with count_queries() as seen:
        assert (await site.client().get("/alerts?page=2")).status_code == 200
    assert seen


async def test_a_new_alert_shows_to_visitors_at_once(site):
    visitor = site.client()
    before = await visitor.get("/")
    assert "Grass fire by the river" not in before.text
    await site.user("visitfire", role="fire")
    from sns.models import User

    ctx = await site.ctx_for(await User.get(username="visitfire"))
    await post_alert(ctx, kind="fire", title="Grass fire by the river", description="", instruction="",
                     lat=32.5, lon=130.6)
    for path in ("/", "/alerts"):
        assert "Grass fire by the river" in (await visitor.get(path)).text, path
