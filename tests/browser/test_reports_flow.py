"""On a phone: a resident reports a pothole with a photo and a place tapped on the small map; the
department's clerk sets its status with a public comment; the reporter sees the new status on the
report and in News. Bad input (no place, an unknown category, coordinates out of range, too much
text) gets a clear message, keeps what was typed, and stores nothing."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from fixtures import jpeg_with_gps
from browser.live import ONCE

pytestmark = [pytest.mark.browser, ONCE]

TITLE = "Deep pothole at the fish market"
BODY = "A deep pothole by the fish market entrance.\nScooters swerve around it."


@pytest.fixture(scope="module")
def people(server):
    server.create_user("reporter", "resident")
    server.create_user("worksclerk", "staff")
    return server


def set_up_routing(admin) -> None:
    """The administrator lists a department with its clerk, and a category that goes to it."""
    admin.goto("/admin/departments")
    admin.fill("#name", "Street works")
    with admin.expect_navigation():
        admin.click("main button:text-is('Add the department')")
    section = admin.locator("section.department", has_text="Street works")
    section.locator("input[name=username]").fill("worksclerk")
    with admin.expect_navigation():
        section.locator("button:text-is('Add')").click()
    admin.goto("/admin/report-categories")
    admin.fill("#name", "Pothole")
    admin.fill("#name_ja", "道路の穴")
    admin.select_option("#department", label="Street works")
    with admin.expect_navigation():
        admin.click("main button:text-is('Add')")
    assert "The category is added." in admin.inner_text(".flash")


def fill_report(page, title: str = TITLE, body: str = BODY) -> None:
    page.goto("/reports/new")
    page.select_option("#category", label="Pothole")
    page.fill("#title", title)
    page.fill("#body", body)
    page.fill("#place", "Fish market")


def send(page) -> None:
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def refused(page, message: str) -> None:
    """The form came back with the message, and what was typed is still there."""
    assert message in page.inner_text("main form"), page.inner_text("main form")
    assert page.input_value("#title") == TITLE and page.input_value("#body") == BODY
    assert page.input_value("#place") == "Fish market"


def test_file_a_report_staff_change_its_status_reporter_sees_it(people, phones):
    set_up_routing(phones.signed_in("admin"))
    reporter, clerk = phones.signed_in("reporter"), phones.signed_in("worksclerk")

    # Bad input first: no place; an unknown category; a place outside the globe; too much text.
    fill_report(reporter)
    assert reporter.locator("input[name=lat][required]").count() == 1  # the browser asks for it first
    reporter.evaluate("document.querySelectorAll('input[required]').forEach(i => i.removeAttribute('required'))")
    send(reporter)
    refused(reporter, "Show where it is")
    reporter.evaluate("document.querySelector('#category option:checked').value = "
                      "'00000000-0000-7000-8000-000000000000'")
    reporter.fill("input[name=lat]", "32.5")
    reporter.fill("input[name=lon]", "130.6")
    send(reporter)
    refused(reporter, "Choose one of the categories in the list.")
    reporter.select_option("#category", label="Pothole")
    reporter.fill("input[name=lat]", "95")
    send(reporter)
    refused(reporter, "Latitude must be between -90 and 90")
    assert reporter.input_value("input[name=lat]") == "95"
    reporter.evaluate("document.querySelector('#body').removeAttribute('maxlength')")
    reporter.fill("#body", BODY + "x" * 5000)
    send(reporter)
    assert "too long" in reporter.inner_text("main form")
    reporter.goto("/reports")
    assert TITLE not in reporter.inner_text("main")  # nothing was stored

    # The report, with a photo and a place tapped on the small map.
    fill_report(reporter)
    reporter.set_input_files("#photos", files=[{"name": "hole.jpg", "mimeType": "image/jpeg",
                                                "buffer": jpeg_with_gps()}])
    # A report needs a place: its small map is open from the start.
    reporter.wait_for_selector(".place-picker .leaflet-container")
    box = reporter.locator(".place-picker .leaflet-container").bounding_box()
    reporter.mouse.click(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.6)
    expect(reporter.locator("input[name=lat]")).not_to_have_value("")
    lat, lon = float(reporter.input_value("input[name=lat]")), float(reporter.input_value("input[name=lon]"))
    assert -90 <= lat <= 90 and -180 <= lon <= 180
    send(reporter)
    assert re.search(r"/reports/[0-9a-f-]{36}$", reporter.url), reporter.content()[:2000]
    assert "Your report is sent to the city" in reporter.inner_text(".flash")
    url = "/reports/" + reporter.url.rsplit("/", 1)[1]
    assert reporter.inner_text("#status") == "Received"
    full = reporter.locator("article figure a").get_attribute("href")
    photo = reporter.context.request.get(full)  # the photo, without the phone's GPS position
    assert photo.status == 200 and photo.headers["content-type"] == "image/jpeg"
    assert dict(Image.open(io.BytesIO(photo.body())).getexif()) == {}

    # The clerk finds it in the department's queue and sets the status with a public comment.
    clerk.goto("/reports/queue")
    with clerk.expect_navigation():
        clerk.click(f"a:text-is('{TITLE}')")
    assert clerk.url.endswith(url)
    clerk.select_option("#status-select", "in_progress")
    clerk.fill("#comment", "A crew will fill it on Monday.")
    with clerk.expect_navigation():
        clerk.click("#work button[type=submit]")
    assert clerk.inner_text("#status") == "In progress"

    # The reporter sees the new status and the comment on the report, and the change in News.
    reporter.goto("/notifications")
    news = reporter.locator("main li", has_text=TITLE)
    assert "has a new status" in news.inner_text()
    reporter.goto(url)
    assert reporter.inner_text("#status") == "In progress"
    assert "A crew will fill it on Monday." in reporter.inner_text("#history")
    assert reporter.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone


def test_report_pages_fit_a_320px_phone(people, phones):
    """Run after the first test (its category and report exist): long words and long names wrap."""
    from browser.test_phone_layout import NARROW, TAP_TARGETS, TOO_WIDE

    def check(page, url: str) -> None:
        """As `test_phone_layout.check`, but the picker map's tiles may reach past its clipped edge."""
        assert page.goto(url).status == 200, url
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], url
        too_wide = TOO_WIDE.replace(".filter(el =>", ".filter(el => !el.closest('.leaflet-container') &&", 1)
        assert too_wide != TOO_WIDE
        assert page.evaluate(too_wide) == [], url
        assert page.evaluate(TAP_TARGETS) == [], url

    reporter = phones.signed_in("reporter", viewport=NARROW)
    check(reporter, "/reports/new")
    reporter.select_option("#category", label="Pothole")
    reporter.fill("#title", "A rather long title for a narrow screen: " + "Yatsushiro" * 8)
    reporter.fill("#body", "https://example.org/" + "a-very-long-address-without-spaces" * 5 + "\n" + "長い文" * 60)
    reporter.fill("#place", "Unbreakable" * 10)
    reporter.fill("input[name=lat]", "32.5073")
    reporter.fill("input[name=lon]", "130.6016")
    send(reporter)
    report = reporter.url
    for url in ("/reports", "/reports?mine=1", report, "/notifications"):
        check(reporter, url)
    clerk = phones.signed_in("worksclerk", viewport=NARROW)
    for url in ("/reports/queue", report):
        check(clerk, url)
    admin = phones.signed_in("admin", viewport=NARROW)
    check(admin, "/admin/report-categories")
