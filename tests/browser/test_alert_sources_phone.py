"""On the narrowest phone (320 px): the administrator adds a CAP source (a bad address first: the message
is next to the field and the typed text kept), polls it now, and reads why a broken one fails; the
disaster desk reads the same page without its forms. Nothing scrolls sideways."""

from __future__ import annotations

import pytest

from cap_server import cap, cap_server, ref
from browser.test_phone_layout import NARROW, check
from browser.live import ONCE

pytestmark = [pytest.mark.browser, ONCE]


@pytest.fixture(scope="module")
def people(server):
    server.create_user("sourceadmin", "admin")
    server.create_user("sourcedesk", "disaster")
    return server


def test_add_poll_and_read_sources_on_a_phone(people, phones):
    with cap_server() as sources:
        sources.serve("/prefecture/fire/alerts/current-alert-document.cap", cap("PHONE-1", headline="Brush fire"))
        sources.serve("/down", b"<!DOCTYPE html><html><body>Service unavailable</body></html>", status=503,
                      content_type="text/html")
        admin = phones.signed_in("sourceadmin", viewport=NARROW)
        check(admin, "/admin/alert-sources")
        admin.fill("#url", "ftp://prefecture.example/" + "very-long-path-without-spaces" * 4)
        admin.fill("#label", "Prefecture fire desk")
        with admin.expect_navigation():
            admin.click("main form[action='/admin/alert-sources'] button[type=submit]")
        assert "This is not a web address" in admin.inner_text("#url-error")
        assert admin.input_value("#label") == "Prefecture fire desk"
        assert admin.input_value("#url").startswith("ftp://prefecture.example/")
        for path, label in (("/prefecture/fire/alerts/current-alert-document.cap", "Prefecture fire desk"),
                            ("/down", "A desk that is down")):
            admin.fill("#url", sources.url(path))
            admin.fill("#label", label)
            with admin.expect_navigation():
                admin.click("main form[action='/admin/alert-sources'] button[type=submit]")
        polls = admin.locator("section.alert-source form[action$='/poll'] button")
        for i in range(polls.count()):
            with admin.expect_navigation():
                polls.nth(i).click()
        check(admin, "/admin/alert-sources")
        text = admin.inner_text("main")
        assert "The server answered with an error" in text and "HTTP 503 Service Unavailable" in text
        assert "working" in text and "Brush fire" in admin.inner_text("#alert-banner")
        desk = phones.signed_in("sourcedesk", viewport=NARROW)
        check(desk, "/admin/alert-sources")
        assert "HTTP 503" in desk.inner_text("main") and desk.query_selector("form[action$='/poll']") is None
        # cancelled at the source (so later tests see no banner), then both sources removed
        sources.serve("/prefecture/fire/alerts/current-alert-document.cap",
                      cap("PHONE-1.c", "Cancel", ref("PHONE-1"), sent="2026-11-23T21:00:00+09:00"))
        with admin.expect_navigation():
            polls.nth(0).click()
        assert admin.inner_text("#alert-banner").strip() == ""
        for _ in range(2):
            with admin.expect_navigation():
                admin.locator("section.alert-source form[action$='/remove'] button").first.click()
        assert "No alert sources yet." in admin.inner_text("main")
