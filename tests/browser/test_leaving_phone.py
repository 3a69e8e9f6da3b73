"""Delete my account on a phone (320 px, no JavaScript needed): a wrong password comes back with the choice
kept, the right one signs the person out with a message, and signing in again cancels the deletion."""

import pytest

from browser.live import ONCE, PASSWORD, sign_in

pytestmark = [pytest.mark.browser, ONCE]
NARROW = {"width": 320, "height": 640}


def test_asking_to_leave_and_changing_ones_mind(phones, server):
    server.ensure_user("leaving_rin")
    page = phones.page(viewport=NARROW, java_script_enabled=False)
    sign_in(page, "leaving_rin")
    page.goto("/settings")
    with page.expect_navigation():
        page.click("main a:text-is('Delete my account')")
    assert page.url.endswith("/settings/delete")
    assert "a former resident" in page.inner_text("main")
    page.check("input[name=keep][value=remove]")
    page.fill("#password", "this is not the password")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "Your password is not right." in page.inner_text("#password-error")
    assert page.is_checked("input[name=keep][value=remove]")

    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "Your account will be deleted after the grace period" in page.inner_text(".flash")
    page.goto("/home")
    assert "/login" in page.url  # signed out

    sign_in(page, "leaving_rin")
    assert "Your account will not be deleted." in page.inner_text(".flash")


def test_the_page_fits_a_320px_phone(phones, server):
    server.ensure_user("leaving_ken")
    page = phones.page(viewport=NARROW)
    sign_in(page, "leaving_ken")
    page.goto("/settings/delete")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    for selector in ("input[name=keep][value=keep]", "#password", "main form button[type=submit]"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, selector
