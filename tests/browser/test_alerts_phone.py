"""On a phone: the fire department posts an alert with the form; a visitor on the narrowest phone,
without JavaScript, sees the banner on another page, follows it to the alert and its history; once the
fire is extinguished the banner is gone and the alert is listed as over. A drill is marked as one."""

from __future__ import annotations

import pytest

from browser.live import ONCE, sign_in

pytestmark = [pytest.mark.browser, ONCE]

NARROW = {"width": 320, "height": 640}


@pytest.fixture(scope="module")
def people(server):
    # The fire account of test_alerts_live.py when it ran first: every extra account pushes the oldest
    # ones off the first page of /people, which test_xss.py reads.
    try:
        server.create_user("firechief", "fire")
    except AssertionError:  # "That username is taken."
        pass
    return server


def post(page, title: str, drill: bool = False) -> None:
    page.goto("/alerts/new")
    page.select_option("#kind", "fire")
    page.fill("#title", title)
    page.fill("#description", "Smoke over the harbour warehouses.")
    page.fill("#instruction", "Close your windows.")
    page.fill("#address", "Minato-machi 1-2")
    page.fill("input[name=lat]", "32.5081")
    page.fill("input[name=lon]", "130.5973")
    page.fill("#radius_m", "300")
    if drill:
        page.check("input[name=exercise]")
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")


def test_post_see_banner_and_end_it(people, phones):
    fire = phones.page(java_script_enabled=False)
    sign_in(fire, "firechief")
    # a form missing its place keeps what was typed
    fire.goto("/alerts/new")
    fire.fill("#title", "Warehouse fire")
    with fire.expect_navigation():
        fire.click("form.stack button[type=submit]")
    assert "Say where" in fire.inner_text("main") and fire.input_value("#title") == "Warehouse fire"
    post(fire, "Warehouse fire")
    assert "The alert is posted" in fire.inner_text(".flash")
    alert_url = fire.url

    visitor = phones.page(viewport=NARROW, java_script_enabled=False)
    visitor.goto("/shelters")
    banner = visitor.locator(".alert-banner")
    assert "Warehouse fire" in banner.inner_text() and "Outbreak" in banner.inner_text()
    assert visitor.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    with visitor.expect_navigation():
        banner.locator("a", has_text="Warehouse fire").click()
    assert visitor.url == alert_url
    text = visitor.inner_text("main")
    assert "Close your windows." in text and "Within 300 m of the place" in text and "Firechief" in text
    assert visitor.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    fire.select_option("#status", "extinguished")
    fire.fill("#note", "The fire is out.")
    with fire.expect_navigation():
        fire.click("form[action$='/status'] button[type=submit]")
    assert "The alert's status is changed." in fire.inner_text(".flash")
    assert "Change the status" not in fire.inner_text("main")

    visitor.goto("/shelters")
    assert "Warehouse fire" not in visitor.inner_text("body")
    visitor.goto(alert_url)
    assert "Extinguished" in visitor.inner_text("main") and "The fire is out." in visitor.inner_text("main")


def test_drill_is_marked(people, phones):
    fire = phones.page(java_script_enabled=False)
    sign_in(fire, "firechief")
    post(fire, "Harbour fire drill", drill=True)
    try:
        visitor = phones.page(viewport=NARROW, java_script_enabled=False)
        visitor.goto("/diaries")
        assert "[Exercise] Harbour fire drill" in visitor.inner_text(".alert-banner")
        visitor.goto("/alerts")
        assert "Exercise" in visitor.locator(".alert-item", has_text="Harbour fire drill").inner_text()
    finally:  # other browser tests share this server: leave no alert active
        fire.select_option("#status", "cancelled")
        with fire.expect_navigation():
            fire.click("form[action$='/status'] button[type=submit]")
