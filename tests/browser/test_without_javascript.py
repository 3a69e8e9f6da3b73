"""With JavaScript switched off, a resident signs in, writes, comments and changes the language:
everything is a plain form post."""

import pytest

from browser.live import ONCE, PASSWORD, write_diary
from sns.i18n import gettext, using_locale

pytestmark = [pytest.mark.browser, ONCE]


def japanese(message: str) -> str:
    with using_locale("ja"):
        text = gettext(message)
    assert text != message, f"no Japanese for {message!r}"
    return text


def test_a_phone_without_javascript_does_everything(phones):
    page = phones.page(java_script_enabled=False)
    page.goto("/login")
    page.fill("#username", "yuki")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith("/home")

    url = write_diary(page, "Snow on the castle", "The first snow of the winter.", visibility="members")
    assert "Your diary entry is saved." in page.inner_text(".flash")

    # The footer's language buttons post a form and come back to the same page.
    with page.expect_navigation():
        page.click("footer form.lang button[value=ja]")
    assert page.url.endswith(url)
    assert page.get_attribute("html", "lang") == "ja"
    nav = page.inner_text("header nav")
    for label in ("My page", "Communities", "Mail", "Search"):  # what a phone shows before "Menu"
        assert japanese(label) in nav, (label, nav)

    page.fill("#comment", "Beautiful. 雪がきれいですね。")
    with page.expect_navigation():
        page.click("#comments form.stack button[type=submit]")
    assert japanese("Your comment is posted.") in page.inner_text(".flash")
    assert "雪がきれいですね。" in page.inner_text("#comments")
    assert japanese("Comments") in page.inner_text("#comments h2")

    # The choice stays with the account: a new sign-in on another phone is in Japanese too.
    other = phones.page(java_script_enabled=False)
    other.goto("/login")
    other.fill("#username", "yuki")
    other.fill("#password", PASSWORD)
    with other.expect_navigation():
        other.click("main form button[type=submit]")
    assert other.get_attribute("html", "lang") == "ja"
    assert japanese("My page") in other.inner_text("header nav")

    # And back to English.
    with page.expect_navigation():
        page.click("footer form.lang button[value=en]")
    assert page.get_attribute("html", "lang") == "en" and "My page" in page.inner_text("header nav")
