"""iCalendar (RFC 5545) files of events, written with the `icalendar` library (escaping of , ; \\ and
newlines, line folding at 75 octets, CRLF line ends). Times are in UTC; the UID is the event's global
id at its origin, so a calendar program keeps one copy of an event it gets from several feeds."""

from __future__ import annotations

from datetime import timezone

from icalendar import Calendar
from icalendar import Event as VEvent

from sns.models import Event

PRODID = "-//local-sns//events//EN"


def _utc(moment):
    return moment.astimezone(timezone.utc)


def calendar_ics(events: list[Event], *, name: str, base_url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(_vevent(event, base_url))
    return cal.to_ical()


def _vevent(event: Event, base_url: str) -> VEvent:
    v = VEvent()
    url = f"{base_url}/events/{event.id}"
    v.add("uid", f"{event.id}@{event.origin}")
    v.add("dtstamp", _utc(event.updated_at))
    v.add("created", _utc(event.created_at))
    v.add("last-modified", _utc(event.updated_at))
    v.add("sequence", max(0, event.version - 1))
    v.add("dtstart", _utc(event.starts_at))
    if event.ends_at > event.starts_at:  # an event that ends as it starts has no DTEND (RFC 5545 3.6.1)
        v.add("dtend", _utc(event.ends_at))
    v.add("summary", event.title)
    description = (event.description + "\n\n" + url).strip() if event.description else url
    v.add("description", description)
    if event.place:
        v.add("location", event.place)
    if event.lat is not None and event.lon is not None:
        v.add("geo", (event.lat, event.lon))
    v.add("url", url)
    v.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    v.add("class", "PUBLIC" if event.community_id is None and event.visibility == "public" else "PRIVATE")
    return v
