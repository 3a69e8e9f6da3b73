"""On a phone: a resident writes to the roads department; a staff member answers and closes the
thread; the resident sees the answer and the status change."""

import pytest

from browser.live import ONCE

pytestmark = [pytest.mark.browser, ONCE]


@pytest.fixture(scope="module")
def people(server):
    server.create_user("cityresident")
    server.create_user("roadclerk", "staff")
    return server


def set_up_roads(admin) -> None:
    """The administrator lists the department and makes the clerk its staff."""
    admin.goto("/admin/departments")
    admin.fill("#name", "Roads")
    admin.fill("#name_ja", "道路課")
    admin.fill("#description", "Potholes and street lights")
    with admin.expect_navigation():
        admin.click("main button:text-is('Add the department')")
    assert "The department is added." in admin.inner_text(".flash")
    section = admin.locator("section.department", has_text="Roads")
    section.locator("input[name=username]").fill("roadclerk")
    with admin.expect_navigation():
        section.locator("button:text-is('Add')").click()
    assert "roadclerk" in admin.locator("section.department", has_text="Roads").inner_text()


def test_resident_writes_staff_answer_and_close(people, phones):
    set_up_roads(phones.signed_in("admin"))
    resident, clerk = phones.signed_in("cityresident"), phones.signed_in("roadclerk")

    resident.goto("/city")
    with resident.expect_navigation():
        resident.click("a.title:text-is('Roads')")
    assert resident.locator("#department option:checked").inner_text() == "Roads"
    resident.fill("#subject", "Pothole on Harbour Street")
    resident.fill("#body", "A deep pothole in front of the post office.\nCyclists swerve around it.")
    with resident.expect_navigation():
        resident.click("main button:text-is('Send')")
    assert "Your message is sent to the department." in resident.inner_text(".flash")
    thread_url = resident.url
    assert resident.inner_text("#status") == "Received"

    clerk.goto("/city/inbox")
    with clerk.expect_navigation():
        clerk.click("a:text-is('Pothole on Harbour Street')")
    assert clerk.url == thread_url
    assert "Cyclists swerve around it." in clerk.inner_text(".thread")
    clerk.fill("#body", "Thank you. We repaired it this morning.")
    clerk.select_option("#reply-status", "closed")
    with clerk.expect_navigation():
        clerk.click("#reply button:text-is('Send')")
    assert clerk.inner_text("#status") == "Closed"

    resident.goto("/city")
    card = resident.locator("li.card", has_text="Pothole on Harbour Street")
    assert "Closed" in card.inner_text() and "New:" in card.inner_text()
    with resident.expect_navigation():
        card.locator("a.title").click()
    assert resident.inner_text("#status") == "Closed"
    assert "We repaired it this morning." in resident.inner_text(".thread")
    assert "This inquiry is closed." in resident.inner_text("main")
    assert resident.locator("#reply").count() == 0  # no reply form on a closed thread
    width = resident.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    resident.goto("/notifications")
    assert "The city answered “Pothole on Harbour Street”" in resident.inner_text("main")


def test_mail_and_city_pages_fit_a_320px_phone(people, phones):
    from browser.test_phone_layout import NARROW, check

    resident = phones.signed_in("cityresident", viewport=NARROW)
    resident.goto("/mail/new")
    resident.fill("#to", "roadclerk")
    resident.fill("#subject", "A question about " + "Yatsushiro" * 8)
    resident.fill("#body", "https://example.org/" + "a-very-long-address-without-spaces" * 5 + "\n" + "長い文" * 60)
    with resident.expect_navigation():
        resident.click("main button:text-is('Send')")
    assert "Your message is sent." in resident.inner_text(".flash")
    conversation = resident.url
    for url in ("/mail", "/mail/sent", "/mail/new", conversation, "/city", "/city/new"):
        check(resident, url)
    resident.goto("/city")
    with resident.expect_navigation():
        resident.click("li.card a.title >> nth=-1")  # the last card is one of my inquiries (departments come first)
    check(resident, resident.url)
    clerk = phones.signed_in("roadclerk", viewport=NARROW)
    for url in ("/city/inbox", conversation):
        check(clerk, url)
    clerk.goto("/city/inbox")
    with clerk.expect_navigation():
        clerk.click("li.card a.title >> nth=0")
    check(clerk, clerk.url)
