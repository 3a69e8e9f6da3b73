"""On the narrowest phone, without JavaScript: staff post a water stop around a point (a radius out of bounds
comes back with a message and what was typed), and a resident whose home point is inside sees it first on
My page, with the distance from home, while the list of all notices names its area."""

from __future__ import annotations

import pytest

from browser.live import ONCE

pytestmark = [pytest.mark.browser, ONCE]

NARROW = {"width": 320, "height": 640}
CENTRE, HOME = ("32.50800", "130.59700"), ("32.51100", "130.59700")  # about 330 m apart


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def submit(page, form):
    with page.expect_navigation():
        page.click(f"form[action='{form}'] button[type=submit]")


def test_a_water_stop_reaches_my_page_first(phones):
    staff = phones.signed_in("admin", viewport=NARROW, java_script_enabled=False)
    staff.goto("/notices/new")
    assert fits(staff)
    staff.fill("#title", "Water stop on Thursday")
    staff.fill("#body", "The water is off from 9:00 to 12:00.")
    staff.check("input[name=scope][value=radius]")
    staff.fill("input[name=lat]", CENTRE[0])
    staff.fill("input[name=lon]", CENTRE[1])
    staff.fill("#radius_m", "5")
    staff.select_option("#category", "water")
    submit(staff, "/notices/new")
    assert "Give the radius in metres, from 50 to 20000." in staff.inner_text("main")
    assert staff.input_value("#title") == "Water stop on Thursday" and staff.input_value("input[name=lat]") == CENTRE[0]
    assert staff.is_checked("input[name=scope][value=radius]") and staff.input_value("#category") == "water"
    assert fits(staff)
    staff.fill("#radius_m", "600")
    submit(staff, "/notices/new")
    assert "Water stop · Within 600 m of 32.50800, 130.59700" in staff.inner_text("main")

    resident = phones.signed_in("dora", viewport=NARROW, java_script_enabled=False)
    resident.goto("/settings/alerts")
    resident.fill("input[name=lat]", HOME[0])
    resident.fill("input[name=lon]", HOME[1])
    resident.check("input[name=notice_push]")
    submit(resident, "/settings/alerts")
    assert resident.is_checked("input[name=notice_push]")
    resident.goto("/home")
    first = resident.locator("#near-home li").first
    assert "Water stop on Thursday" in first.inner_text() and "Within 600 m of your home" in first.inner_text()
    assert fits(resident)
    resident.goto("/notices")
    assert "Within 600 m of 32.50800, 130.59700" in resident.inner_text("main") and fits(resident)
