"""On the narrowest phone (320 px): an administrator opens a counter, then a resident with JavaScript and one
without book a time from the list of free times (with a note), see it, and cancel it with a reason; the place
is offered again. Nothing is wider than the screen."""

import pytest

from browser.live import ONCE

pytestmark = [pytest.mark.browser, ONCE]
NARROW = {"width": 320, "height": 640}
EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def open_counter(admin) -> str:
    admin.goto("/admin/departments")
    admin.fill("main form[action='/admin/departments'] #name", "Registry")
    with admin.expect_navigation():
        admin.click("main form[action='/admin/departments'] button[type=submit]")
    admin.goto("/admin/counters")
    assert fits(admin)
    admin.select_option("#department_id", label="Registry")
    admin.fill("#name", "Window 7")
    admin.fill("#place", "City hall, 2nd floor")
    for day in EVERY_DAY:
        admin.fill(f"#hours_{day}", "09:00-12:00")
    admin.fill("#capacity", "1")
    with admin.expect_navigation():
        admin.click("main form[action='/admin/counters'] button[type=submit]")
    assert "/admin/counters/" in admin.url, admin.content()[:2000]
    return admin.url.rsplit("/", 1)[1]


def book_and_cancel(page, counter_id: str, note: str) -> None:
    page.goto(f"/counters/{counter_id}")
    assert fits(page) and "Window 7" in page.inner_text("h1")
    second_day = page.locator("section.slot-day").nth(2)  # two days on: never past, whatever the hour
    first_time = second_day.locator("a.slot").first
    chosen = first_time.inner_text().strip()
    with page.expect_navigation():
        first_time.click()
    assert "Confirm your appointment" in page.inner_text("h1") and fits(page)
    page.fill("#note", note)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/appointments/" in page.url and "Your appointment is booked." in page.inner_text(".flash")
    assert note in page.inner_text("main") and chosen in page.inner_text("main") and fits(page)
    page.fill("#reason", "The letter came by post")
    with page.expect_navigation():
        page.click("section.cancel button[type=submit]")
    assert "Your appointment is cancelled." in page.inner_text(".flash")
    assert "Cancelled" in page.inner_text("main") and "The letter came by post" in page.inner_text("main")
    page.goto(f"/counters/{counter_id}")
    assert chosen in page.locator("section.slot-day").nth(2).inner_text()  # offered again


def test_book_and_cancel_at_320_px_with_and_without_javascript(phones):
    counter_id = open_counter(phones.signed_in("admin", viewport=NARROW))
    book_and_cancel(phones.signed_in("taro", viewport=NARROW), counter_id, "Bringing my mother")
    book_and_cancel(phones.signed_in("yuki", viewport=NARROW, java_script_enabled=False), counter_id,
                    "I use a wheelchair")
