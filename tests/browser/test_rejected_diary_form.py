"""A rejected diary form comes back with the message next to the field and everything typed still there."""

import pytest

from browser.live import ONCE

pytestmark = [pytest.mark.browser, ONCE]

BODY = "Three paragraphs I typed on the bus.\n\nThe second one.\n\nAnd the third, with 日本語 too."


def fill_diary(page, title: str, lat: str = "", lon: str = "") -> None:
    page.goto("/diaries/new")
    page.fill("#title", title)
    page.fill("#body", BODY)
    page.check("input[name=visibility][value=friends]")
    page.fill("input[name=lat]", lat)
    page.fill("input[name=lon]", lon)


def submit(page) -> int:
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.click("main form button[type=submit]")
    page.wait_for_load_state()
    return posted.value.status


def assert_kept(page, title: str, lat: str, lon: str) -> None:
    assert page.input_value("#title") == title
    assert page.input_value("#body") == BODY
    assert page.is_checked("input[name=visibility][value=friends]")
    assert page.input_value("input[name=lat]") == lat and page.input_value("input[name=lon]") == lon


def test_too_long_title_comes_back_with_the_text(phones):
    page = phones.signed_in("dora")
    title = "A title that goes on " * 12  # 252 characters; the limit is 200
    fill_diary(page, "x")
    # The field's maxlength stops typing at 200; an old browser or a pasted draft does not.
    page.eval_on_selector("#title", "el => el.removeAttribute('maxlength')")
    page.fill("#title", title)
    assert submit(page) == 400
    assert page.url.endswith("/diaries/new")
    message = page.locator("#title + p.error")  # right under the title field
    assert message.is_visible() and "200" in message.inner_text(), page.inner_text("main")
    assert_kept(page, title, "", "")


@pytest.mark.parametrize("lat,lon", [("north", "130.6"), ("95", "130.6"), ("32.5", "")])
def test_bad_place_comes_back_with_the_text(phones, lat, lon):
    page = phones.signed_in("dora")
    fill_diary(page, "Lunch at the port", lat, lon)
    assert submit(page) == 400
    assert page.url.endswith("/diaries/new")
    message = page.locator("fieldset:has(input[name=lat]) p.error")  # inside the Place box
    assert message.is_visible() and message.get_attribute("role") == "alert"
    assert "atitude" in message.inner_text()
    assert_kept(page, "Lunch at the port", lat, lon)
    # Put right, it goes through.
    page.fill("input[name=lat]", "32.5073")
    page.fill("input[name=lon]", "130.6016")
    assert submit(page) == 303
    assert "/diaries/" in page.url and not page.url.endswith("/new")
    assert "32.50730, 130.60160" in page.inner_text(".place")
