"""On a 320 px phone, with and without JavaScript: a resident follows a request to its answer. They write to
a department that promises a first answer within two working days, see the promise in My requests, a clerk
answers, and they find it answered there and on My page, and open it."""

import pytest

from browser.live import ONCE
from browser.test_phone_layout import NARROW

pytestmark = [pytest.mark.browser, ONCE]


@pytest.fixture(scope="module")
def people(server):
    server.create_user("reqresident")
    server.create_user("parksclerk", "staff")
    return server


def set_up_parks(admin) -> None:
    """The administrator lists the department with its answer times and makes the clerk its staff."""
    admin.goto("/admin/departments")
    admin.fill("#name", "Parks and gardens")
    admin.fill("#first_answer_days", "2")
    admin.fill("#close_days", "10")
    with admin.expect_navigation():
        admin.click("main button:text-is('Add the department')")
    assert "The department is added." in admin.inner_text(".flash")
    section = admin.locator("section.department", has_text="Parks and gardens")
    assert section.locator("input[name=first_answer_days]").input_value() == "2"
    section.locator("input[name=username]").fill("parksclerk")
    with admin.expect_navigation():
        section.locator("button:text-is('Add')").click()


def test_a_resident_follows_a_request_to_its_answer(people, phones):
    set_up_parks(phones.signed_in("admin"))
    clerk = phones.signed_in("parksclerk")
    for javascript in (True, False):
        subject = f"Broken bench by the pond ({'with' if javascript else 'without'} JavaScript)"
        resident = phones.signed_in("reqresident", viewport=NARROW, java_script_enabled=javascript)
        resident.goto("/city/new")
        resident.select_option("#department", label="Parks and gardens")
        resident.fill("#subject", subject)
        resident.fill("#body", "The bench's back is broken. Children sit on it.")
        with resident.expect_navigation():
            resident.click("main button:text-is('Send')")

        resident.goto("/my/requests")
        card = resident.locator("li.request", has_text=subject)
        text = card.inner_text()
        assert "Received" in text and "Parks and gardens" in text and "Inquiry" in text
        assert "First answer within 2 working days" in text and "Closed within 10 working days" in text
        assert "Overdue" not in text
        assert resident.evaluate("document.documentElement.scrollWidth") <= 320

        clerk.goto("/city/inbox")
        assert "First answer within 2 working days" in clerk.locator("li.card", has_text=subject).inner_text()
        with clerk.expect_navigation():
            clerk.click(f"a:text-is('{subject}')")
        clerk.fill("#body", "Thank you. A new bench comes on Friday.")
        with clerk.expect_navigation():
            clerk.click("#reply button:text-is('Send')")

        resident.goto("/home")
        assert subject in resident.inner_text("#my-requests")  # still open: answered, not closed
        with resident.expect_navigation():
            resident.click("#my-requests a:text-is('All my requests')")
        card = resident.locator("li.request", has_text=subject)
        assert "Answered" in card.inner_text()
        with resident.expect_navigation():
            card.locator("a.title").click()
        assert resident.inner_text("#status") == "Answered"
        assert "A new bench comes on Friday." in resident.inner_text(".thread")
        assert "First answer within 2 working days" in resident.inner_text("main")
        assert resident.evaluate("document.documentElement.scrollWidth") <= 320
