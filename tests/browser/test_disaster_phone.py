"""On phones, in disaster mode: the disaster desk switches a drill on; a resident checks in "I'm safe" from
the light front page; her friend sees it on his My page; a visitor on the narrowest phone without JavaScript
gets the light front page (text only, no script, no image) and the banner on other pages. The drill is marked
as one everywhere, and is ended at the end (other tests see the site in normal mode)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser.live import ONCE

pytestmark = [pytest.mark.browser, ONCE]

NARROW = {"width": 320, "height": 640}


@pytest.fixture(scope="module")
def desk(server):
    server.ensure_user("shelterdesk", "disaster")  # the disaster desk of test_shelters_phone.py too
    return server


def befriend(asker, answerer, answerer_name: str, asker_display: str) -> None:
    asker.goto(f"/people/{answerer_name}")
    with asker.expect_navigation():
        asker.click("main button:text-is('Send friend request')")
    answerer.goto("/friends")
    with answerer.expect_navigation():
        answerer.locator("li.card", has_text=asker_display).locator("button:text-is('Accept')").click()
    assert "You are now friends." in answerer.inner_text(".flash")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_drill_check_in_and_friend_sees_it(desk, phones):
    bosai = phones.signed_in("shelterdesk")
    dora = phones.signed_in("dora")
    befriend(phones.signed_in("yuki"), dora, "dora", "Yuki")
    yuki = phones.signed_in("yuki", viewport=NARROW, java_script_enabled=False)  # Yuki's phone: no JavaScript
    dora.goto("/diaries/new")  # Dora is writing when the drill starts: her open page hears of it
    dora.fill("#title", "Half-typed")
    dora_banner = dora.locator("#disaster-banner")
    expect(dora_banner).to_have_text("")
    bosai.goto("/disaster")
    bosai.fill("#name", "Phone drill: river flood")
    bosai.select_option("#kind", "flood")
    bosai.check("input[name=drill]")
    with bosai.expect_navigation():
        bosai.click("form[action='/disaster/start'] button[type=submit]")
    try:
        assert "The drill has started" in bosai.inner_text(".flash")
        assert "[Exercise]" in bosai.inner_text(".disaster-banner")
        expect(dora_banner).to_contain_text("Phone drill: river flood", timeout=2000)  # no reload
        assert "[Exercise]" in dora_banner.inner_text() and dora.input_value("#title") == "Half-typed"

        # Yuki, on her narrow phone without JavaScript: the front page is the light one; she checks in from it.
        yuki.goto("/")
        assert fits(yuki)
        assert "Phone drill: river flood" in yuki.inner_text("body") and "[Exercise]" in yuki.inner_text("body")
        with yuki.expect_navigation():
            yuki.click("a:text-is('Check in: safe or need help')")
        assert fits(yuki)
        yuki.check("input[name=status][value=safe]")
        yuki.fill("#message", "At the school gym with my cat")
        with yuki.expect_navigation():
            yuki.click("form.checkin-form button[type=submit]")
        assert "Your friends and the staff can see that you are safe." in yuki.inner_text(".flash")
        assert "Safe" in yuki.inner_text(".checkin-mine") and fits(yuki)

        # Dora, her friend, sees it on My page.
        dora.goto("/home")
        safety = dora.locator("#safety")
        assert "Yuki" in safety.inner_text() and "Safe" in safety.inner_text()
        assert "At the school gym with my cat" in safety.inner_text() and fits(dora)

        # The disaster desk's count, on a phone.
        bosai.goto("/disaster/staff")
        assert "Check-ins per district" in bosai.inner_text("main") and fits(bosai)

        # A visitor on the narrowest phone, without JavaScript: the light front page, then the banner elsewhere.
        visitor = phones.page(viewport=NARROW, java_script_enabled=False)
        response = visitor.goto("/")
        assert response.status == 200 and fits(visitor)
        html = visitor.content()
        assert "<script" not in html and "<img" not in html and "At the school gym" not in html
        assert len(response.body()) < 6000
        assert "[Exercise]" in visitor.inner_text("header") and "This is a drill" in visitor.inner_text("header")
        with visitor.expect_navigation():
            visitor.click("a:text-is('Shelters and their status')")
        assert "Phone drill: river flood" in visitor.inner_text(".disaster-banner") and fits(visitor)
    finally:
        bosai.goto("/disaster")
        with bosai.expect_navigation():
            bosai.click("form[action='/disaster/end'] button[type=submit]")
    assert "The event is in the archive" in bosai.inner_text(".flash")
    dora.goto("/home")
    assert dora.locator("#safety").count() == 0
