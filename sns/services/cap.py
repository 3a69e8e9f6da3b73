"""Alerts as CAP 1.2 documents (OASIS Common Alerting Protocol, urn:oasis:names:tc:emergency:cap:1.2).

`alert_to_cap(alert, updates, settings)` gives the document for an alert's newest state: msgType Alert
while nothing has changed since it was posted, Update after a status change, Cancel once cancelled;
an Update or Cancel references the original Alert message. See docs/cap.md for the field mapping.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from lxml import etree

from sns.models.alerts import Alert, AlertUpdate

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_MEDIA = "application/cap+xml"
CATEGORIES = {"fire": "Fire", "flood": "Met", "storm": "Met", "landslide": "Geo", "earthquake": "Geo",
              "tsunami": "Geo", "other": "Safety"}
EVENTS = {"fire": "Fire", "flood": "Flood", "landslide": "Landslide", "earthquake": "Earthquake",
          "tsunami": "Tsunami", "storm": "Storm", "other": "Hazard"}
POSTING_GRACE_SECONDS = 2  # an AlertUpdate written with the alert itself is its posting step, not a change


def cap_time(moment: datetime, tz: str = "UTC") -> str:
    """CAP's dateTime: ISO 8601 with an explicit offset, no fraction (e.g. 2026-11-23T19:20:00+09:00)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        zone: Any = ZoneInfo(tz)
    except Exception:  # an unknown zone name: UTC is still a correct offset
        zone = timezone.utc
    return moment.astimezone(zone).replace(microsecond=0).isoformat()


def original_identifier(alert: Alert) -> str:
    return alert.identifier or str(alert.id)


def changes(alert: Alert, updates: Iterable[AlertUpdate]) -> list[AlertUpdate]:
    """The alert's later messages, oldest first: its history less the step that posted it."""
    steps = sorted((u for u in updates if u.deleted_at is None), key=lambda u: u.created_at)
    out = []
    for i, step in enumerate(steps):
        if step.cap_identifier and step.cap_identifier == original_identifier(alert):
            continue
        if i == 0 and (step.created_at - alert.created_at).total_seconds() <= POSTING_GRACE_SECONDS:
            continue
        out.append(step)
    return out


def _num(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def polygon_text(points: list) -> str:
    """CAP polygon: "lat,lon lat,lon ..." with the first point repeated at the end."""
    pts = [(float(p[0]), float(p[1])) for p in points]
    if pts and pts[0] != pts[-1]:
        pts.append(pts[0])
    return " ".join(f"{_num(lat)},{_num(lon)}" for lat, lon in pts)


def circle_text(lat: float, lon: float, radius_m: int) -> str:
    return f"{_num(lat)},{_num(lon)} {_num(radius_m / 1000)}"


def message_type(alert: Alert, later: list[AlertUpdate]) -> str:
    if alert.status == "cancelled":
        return "Cancel"
    return "Update" if later else "Alert"


def alert_to_cap(alert: Alert, updates: Iterable[AlertUpdate], settings) -> bytes:
    """The CAP 1.2 document (UTF-8 bytes) for the alert's newest state."""
    tz = getattr(settings, "timezone", "UTC")
    later = changes(alert, updates)
    msg_type = message_type(alert, later)
    newest = later[-1] if later else None
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})

    def add(parent, name: str, text: str | None):
        if text is None or text == "":
            return None
        el = etree.SubElement(parent, f"{{{CAP_NS}}}{name}")
        el.text = text
        return el

    original_sent = cap_time(alert.sent_at, tz)
    if newest is not None:
        add(root, "identifier", newest.cap_identifier or f"{original_identifier(alert)}.{newest.id}")
        sent = cap_time(newest.created_at, tz)
    else:
        add(root, "identifier", original_identifier(alert))
        sent = original_sent
    add(root, "sender", alert.sender)
    add(root, "sent", sent)
    add(root, "status", "Exercise" if alert.exercise else "Actual")
    add(root, "msgType", msg_type)
    add(root, "scope", "Public")
    if newest is not None and newest.note:
        add(root, "note", newest.note)
    if msg_type != "Alert":
        add(root, "references", f"{alert.sender},{original_identifier(alert)},{original_sent}")
    info = etree.SubElement(root, f"{{{CAP_NS}}}info")
    add(info, "language", "en-US")
    add(info, "category", CATEGORIES.get(alert.kind, "Safety"))
    add(info, "event", EVENTS.get(alert.kind, "Hazard"))
    add(info, "urgency", "Past" if alert.status == "extinguished" else alert.urgency)
    add(info, "severity", alert.severity)
    add(info, "certainty", alert.certainty)
    if alert.expires_at is not None:
        add(info, "expires", cap_time(alert.expires_at, tz))
    add(info, "senderName", alert.source_name)  # a mirrored city's alert: that city's name (else left out)
    add(info, "headline", alert.title)
    add(info, "description", alert.description)
    add(info, "instruction", alert.instruction)
    add(info, "web", f"{settings.base_url}/alerts/{alert.id}")
    area = etree.SubElement(info, f"{{{CAP_NS}}}area")
    add(area, "areaDesc", alert.address or alert.title)
    if alert.polygon:
        add(area, "polygon", polygon_text(alert.polygon))
    if alert.radius_m or not alert.polygon:  # a bare point is a circle of radius 0
        add(area, "circle", circle_text(alert.lat, alert.lon, alert.radius_m or 0))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
