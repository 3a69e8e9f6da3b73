"""On a phone: a resident posts an event, another answers "going" and finds it in the calendar; the
event's .ics file opens in a calendar app."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from browser.live import ONCE

pytestmark = [pytest.mark.browser, ONCE]


@pytest.fixture(scope="module")
def people(server):
    for name in ("eventhost", "eventguest"):
        server.create_user(name)
    return server


def test_rsvp_and_see_it_in_the_calendar(people, phones):
    host, guest = phones.signed_in("eventhost"), phones.signed_in("eventguest")
    day = (datetime.now(timezone.utc) + timedelta(days=4)).astimezone(ZoneInfo("Asia/Tokyo")).date()
    host.goto("/events/new")
    host.fill("#title", "Beach cleanup at dawn")
    host.fill("input[name=start_date]", day.isoformat())
    host.fill("input[name=start_time]", "06:00")
    host.fill("input[name=end_time]", "08:00")
    host.fill("#place", "South beach")
    host.fill("#capacity", "10")
    host.check("input[name=visibility][value=members]")
    with host.expect_navigation():
        host.click("main button:text-is('Save')")
    assert "Your event is posted." in host.inner_text(".flash")
    url = host.url

    guest.goto("/events")
    with guest.expect_navigation():
        guest.click("a:text-is('Beach cleanup at dawn')")
    assert guest.url == url
    with guest.expect_navigation():
        guest.click("#rsvp button:text-is('Going')")
    assert "You are going." in guest.inner_text(".flash")
    assert "1 of 10 places taken" in guest.inner_text(".facts")

    guest.goto(f"/calendar?month={day.isoformat()[:7]}")
    entry = guest.locator(".calendar-day", has_text="Beach cleanup at dawn")
    assert entry.locator("h2 time").get_attribute("datetime") == day.isoformat()
    assert day.strftime("%B") in entry.locator("h2").inner_text()  # a date people read: "Saturday, November 28"
    # a phone's screen: nothing wider than the viewport
    assert guest.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    ics = guest.context.request.get(url + ".ics")
    assert ics.status == 200 and ics.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(ics.body()).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Beach cleanup at dawn"]

    # the organizer sees who answered
    host.goto(url)
    assert "Eventguest" in host.inner_text("#answers")
