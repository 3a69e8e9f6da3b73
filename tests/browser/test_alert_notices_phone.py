"""On the narrowest phone: a resident chooses to be told of alerts near home, without JavaScript (the
form alone) and with it (the Web Push part appears, its service worker registers under the strict CSP).
A bad distance comes back with a message and what was typed."""

from __future__ import annotations

import pytest

from browser.live import ONCE

pytestmark = [pytest.mark.browser, ONCE]

NARROW = {"width": 320, "height": 640}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_choose_alerts_near_home_without_javascript(phones):
    page = phones.signed_in("yuki", viewport=NARROW, java_script_enabled=False)
    page.goto("/settings")
    with page.expect_navigation():
        page.click("a[href='/settings/alerts']")
    assert page.is_hidden("#web-push") and "Web Push needs JavaScript" in page.inner_text("main")
    assert fits(page)
    page.check("input[name=near_home]")
    page.fill("#radius_km", "80")
    page.fill("input[name=lat]", "32.5081")
    page.fill("input[name=lon]", "130.5973")
    with page.expect_navigation():
        page.click("form[action='/settings/alerts'] button[type=submit]")
    assert "Give the distance in kilometres" in page.inner_text("#radius_km-error")
    assert page.input_value("input[name=lat]") == "32.5081" and page.is_checked("input[name=near_home]")
    assert fits(page)
    page.fill("#radius_km", "1.5")
    with page.expect_navigation():
        page.click("form[action='/settings/alerts'] button[type=submit]")
    # this account has no e-mail address (made by `sns user create`): the page says to choose Web Push
    assert "Your account has no e-mail address" in page.inner_text("#channels-error")
    page.uncheck("input[name=email]")
    with page.expect_navigation():
        page.click("form[action='/settings/alerts'] button[type=submit]")
    assert "Saved: you will be told of alerts as you chose." in page.inner_text(".flash")
    assert page.input_value("#radius_km") == "1.5"


def test_web_push_part_appears_with_javascript(phones):
    page = phones.signed_in("ken", viewport=NARROW)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.context.grant_permissions(["notifications"])
    page.goto("/settings/alerts")
    page.wait_for_selector("#web-push:not([hidden])")
    assert page.is_visible("#web-push .push-on") and fits(page)
    page.click("#web-push .push-on")
    # the service worker registers (its scope is /static/); subscribing needs the browser's own push
    # service, which a test machine cannot reach, so the page says whatever the browser answered
    page.wait_for_selector("#web-push .push-status:not(:empty)")
    scope = page.evaluate("navigator.serviceWorker.getRegistration('/static/').then(r => r && r.active && r.scope)")
    assert scope and scope.endswith("/static/")  # registered, and its worker is active
    assert not [p for p in problems if "Content Security Policy" in p], problems
