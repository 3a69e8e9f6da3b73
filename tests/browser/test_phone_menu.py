"""On a small phone the header keeps to the everyday links; "Menu" opens the rest, also without JavaScript."""

import pytest

from browser.live import ONCE

pytestmark = [pytest.mark.browser, ONCE]
SMALL = {"width": 320, "height": 640}


@pytest.fixture(scope="module")
def menu_user(server):
    server.create_user("mina_menu")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_menu_opens_the_rest_of_the_links_on_a_small_phone(phones, menu_user, javascript):
    page = phones.signed_in("mina_menu", viewport=SMALL, java_script_enabled=javascript)
    page.goto("/home")
    header = page.locator("header nav")
    notices = header.locator("a[href='/notices']")
    assert header.locator("a[href='/mail']").is_visible() and not notices.is_visible()
    # The header no longer fills the phone's screen: the page's own heading shows near the top.
    assert page.locator("main h1").bounding_box()["y"] < 260

    page.click("header nav a.menu-open")
    assert notices.is_visible() and header.locator("a[href='/city']").is_visible()
    assert header.locator("a[href='/albums']").is_visible()
    with page.expect_navigation():
        notices.click()
    assert page.url.endswith("/notices")
    assert not page.locator("header nav a[href='/settings']").is_visible()  # closed again on the next page


def test_a_wide_screen_shows_every_link_and_no_menu_button(phones, menu_user):
    page = phones.signed_in("mina_menu", viewport={"width": 1024, "height": 768})
    page.goto("/home")
    header = page.locator("header nav")
    assert header.locator("a[href='/notices']").is_visible() and header.locator("a[href='/settings']").is_visible()
    assert not header.locator("a.menu-open").is_visible()
