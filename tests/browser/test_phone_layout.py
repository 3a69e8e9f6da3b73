"""On the narrowest phone (320 px), no page scrolls sideways and everything to tap is large enough."""

import pytest

from browser.live import ONCE, comment, write_diary
from fixtures import jpeg_with_gps

pytestmark = [pytest.mark.browser, ONCE]

NARROW = {"width": 320, "height": 640}
MIN_TAP = 40  # px; the stylesheet aims at 44

# What a thumb taps: navigation, form controls, buttons, list titles and links that stand alone.
TAP_TARGETS = """() => [...document.querySelectorAll([
  'header a', 'nav a', '.menu a', '.more a', '.counts a', '.filters a', '.card a.title', 'a.button',
  'main > p > a:only-child', 'main > section > p > a:only-child', 'footer a', 'label.check', 'button',
  'input:not([type=hidden]):not([type=checkbox]):not([type=radio])', 'select', 'textarea',
].join(','))].filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .map(el => ({what: el.outerHTML.slice(0, 90), height: el.getBoundingClientRect().height}))
  .filter(t => t.height < %d)""" % MIN_TAP

TOO_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .map(el => el.outerHTML.slice(0, 90)).slice(0, 5)"""


def check(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, (url, response.status)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], (url, width, page.evaluate(TOO_WIDE))
    assert page.evaluate(TOO_WIDE) == [], url
    assert page.evaluate(TAP_TARGETS) == [], url


def test_every_main_page_fits_a_320px_phone(phones):
    admin = phones.signed_in("admin", viewport=NARROW)
    for url in ("/diaries/new", "/settings/profile"):  # the forms with a file input, before they are used
        check(admin, url)
    diary = write_diary(admin, "A rather long title for a narrow screen: " + "Yatsushiro" * 8,
                        "https://example.org/" + "a-very-long-address-without-spaces" * 5 + "\n\n" + "長い文" * 60,
                        visibility="public", photo=jpeg_with_gps("teal"))
    comment(admin, diary, "Unbreakable" * 20)
    comment(admin, diary, "A shitty " + "Unbreakable" * 20)  # held: the review queue shows it
    admin.goto("/notices/new")
    admin.fill("#title", "Water supply stops on Sunday")
    admin.fill("#body", "From 9:00 to 12:00 in the harbour district.")
    with admin.expect_navigation():
        admin.click("main form button[type=submit]")
    notice = "/notices/" + admin.url.split("/notices/")[1]

    visitor = phones.page(viewport=NARROW)
    for url in ("/", "/login", "/password/forgot", "/signup", "/diaries", diary, "/notices", notice):
        check(visitor, url)
    for url in ("/home", "/diaries", diary, f"{diary}/edit", "/friends", "/people",
                "/people/hanako", "/people/admin", "/notices", notice, "/notices/new", "/settings",
                "/settings/profile", "/settings/password", "/settings/delete", "/admin/users", "/admin/invitations",
                "/admin/site",
                "/moderation", "/moderation/log", "/moderation/mine", "/admin/words"):
        check(admin, url)
