"""Our alerts as CAP 1.2: every kind of message validates against the OASIS schema and says what it should."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from lxml import etree

from cap_helpers import change_status, make_alert, schema, text, updates_of
from sns.services.cap import alert_to_cap, cap_time


@pytest.fixture(scope="module")
def xsd():
    return schema()


def valid(xsd, document: bytes):
    root = etree.fromstring(document)
    assert xsd.validate(root), xsd.error_log
    return root


def test_cap_time_has_an_offset_and_no_fraction():
    moment = datetime(2026, 11, 23, 10, 20, 0, 123456, tzinfo=timezone.utc)
    assert cap_time(moment, "Asia/Tokyo") == "2026-11-23T19:20:00+09:00"
    assert cap_time(moment.replace(tzinfo=None)) == "2026-11-23T10:20:00+00:00"


async def test_a_new_alert_is_msgtype_alert(site, xsd):
    alert = await make_alert(site, kind="fire", address="2-1 Honcho", description="Smoke visible",
                             instruction="Keep away from the area", severity="Severe", radius_m=500)
    root = valid(xsd, alert_to_cap(alert, await updates_of(alert), site.settings))
    assert text(root, "cap:identifier") == alert.identifier == str(alert.id)
    assert text(root, "cap:sender") == alert.sender
    assert text(root, "cap:status") == "Actual"
    assert text(root, "cap:msgType") == "Alert"
    assert text(root, "cap:scope") == "Public"
    assert root.find("{urn:oasis:names:tc:emergency:cap:1.2}references") is None
    assert text(root, "cap:sent").endswith("+09:00")  # the site's time zone, Asia/Tokyo
    assert text(root, "cap:info/cap:category") == "Fire"
    assert text(root, "cap:info/cap:event") == "Fire"
    assert text(root, "cap:info/cap:urgency") == "Immediate"
    assert text(root, "cap:info/cap:headline") == "Fire at the old rice warehouse"
    assert text(root, "cap:info/cap:instruction") == "Keep away from the area"
    assert text(root, "cap:info/cap:web") == f"http://test.example/alerts/{alert.id}"
    assert text(root, "cap:info/cap:area/cap:areaDesc") == "2-1 Honcho"
    assert text(root, "cap:info/cap:area/cap:circle") == "35.6581,139.7017 0.5"


async def test_a_status_change_is_an_update_referencing_the_original(site, xsd):
    alert = await make_alert(site, kind="flood")
    step = await change_status(site, alert, "under_control", note="Water is receding")
    root = valid(xsd, alert_to_cap(alert, await updates_of(alert), site.settings))
    assert text(root, "cap:msgType") == "Update"
    assert text(root, "cap:identifier") == step.cap_identifier != alert.identifier
    original = alert_to_cap(alert, [], site.settings)
    sent = text(etree.fromstring(original), "cap:sent")
    assert text(root, "cap:references") == f"{alert.sender},{alert.identifier},{sent}"
    assert text(root, "cap:info/cap:category") == "Met"
    assert text(root, "cap:note") == "Water is receding"
    # no circle radius: the point itself
    assert text(root, "cap:info/cap:area/cap:circle") == "35.6581,139.7017 0"


async def test_extinguished_is_past_and_cancelled_is_cancel(site, xsd):
    alert = await make_alert(site)
    await change_status(site, alert, "extinguished")
    root = valid(xsd, alert_to_cap(alert, await updates_of(alert), site.settings))
    assert text(root, "cap:info/cap:urgency") == "Past"
    assert text(root, "cap:msgType") == "Update"

    other = await make_alert(site, kind="landslide", title="Slope failure on route 3")
    await change_status(site, other, "cancelled", note="False report")
    root = valid(xsd, alert_to_cap(other, await updates_of(other), site.settings))
    assert text(root, "cap:msgType") == "Cancel"
    assert text(root, "cap:references").startswith(f"{other.sender},{other.identifier},")
    assert text(root, "cap:info/cap:category") == "Geo"


async def test_a_drill_is_status_exercise(site, xsd):
    alert = await make_alert(site, exercise=True, kind="tsunami", title="Tsunami drill")
    root = valid(xsd, alert_to_cap(alert, await updates_of(alert), site.settings))
    assert text(root, "cap:status") == "Exercise"
    assert text(root, "cap:info/cap:category") == "Geo"


async def test_a_polygon_is_latitude_first_and_closed(site, xsd):
    ring = [[35.0, 139.0], [35.0, 139.1], [35.1, 139.1], [35.1, 139.0]]  # not closed: the document closes it
    alert = await make_alert(site, kind="other", polygon=ring, lat=35.05, lon=139.05)
    root = valid(xsd, alert_to_cap(alert, await updates_of(alert), site.settings))
    assert text(root, "cap:info/cap:area/cap:polygon") == "35,139 35,139.1 35.1,139.1 35.1,139 35,139"
    assert root.find(".//{urn:oasis:names:tc:emergency:cap:1.2}circle") is None
    assert text(root, "cap:info/cap:category") == "Safety"


async def test_every_kind_and_level_validates(site, xsd):
    from sns.models.alerts import ALERT_KINDS, CERTAINTIES, SEVERITIES, URGENCIES

    for i, kind in enumerate(ALERT_KINDS):
        alert = await make_alert(site, kind=kind, severity=SEVERITIES[i % 5], urgency=URGENCIES[i % 5],
                                 certainty=CERTAINTIES[i % 5], description="", instruction="", address="",
                                 title=f"<&> {kind} \u6d88\u9632")
        root = valid(xsd, alert_to_cap(alert, await updates_of(alert), site.settings))
        assert text(root, "cap:info/cap:area/cap:areaDesc") == f"<&> {kind} \u6d88\u9632"
