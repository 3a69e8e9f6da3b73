"""Alerts over HTTP in standard formats: each alert's CAP 1.2 document and the Atom feed of alerts."""

from __future__ import annotations

from datetime import timedelta

from lxml import etree

from cap_helpers import CAP, schema
from sns.models.alerts import Alert, AlertUpdate
from sns.models.base import utcnow
from sns.services.shared import public_changed

ATOM = "{http://www.w3.org/2005/Atom}"
SAFE = etree.XMLParser(resolve_entities=False, no_network=True)


async def make_alert(site, **fields) -> Alert:
    alert = Alert(origin=site.settings.origin, sender=f"fire@{site.settings.origin}", lat=35.66, lon=139.70,
                  **fields)
    alert.identifier = str(alert.id)
    await alert.save()
    await AlertUpdate(alert=alert, status=alert.status, origin=site.settings.origin,
                      created_at=alert.created_at).save()
    public_changed()
    return alert


async def test_cap_endpoint_serves_a_valid_document_before_the_alert_route(site):
    alert = await make_alert(site, title="Fire at the station", radius_m=300, address="Station square")
    response = await site.client().get(f"/api/v1/alerts/{alert.id}.cap")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/cap+xml")
    root = etree.fromstring(response.content, SAFE)
    assert schema().validate(root)
    assert root.find(f"{CAP}identifier").text == alert.id
    assert root.find(f"{CAP}info/{CAP}headline").text == "Fire at the station"
    assert root.find(f"{CAP}info/{CAP}area/{CAP}circle").text == "35.66,139.7 0.3"

    missing = await site.client().get("/api/v1/alerts/0190aaaa-0000-7000-8000-000000000000.cap")
    assert missing.status_code == 404 and missing.json()["error"]
    alert.deleted_at = utcnow()
    await alert.save()
    assert (await site.client().get(f"/api/v1/alerts/{alert.id}.cap")).status_code == 404


async def test_openapi_describes_the_cap_document(site):
    doc = (await site.client().get("/api/v1/openapi.json")).json()
    operation = doc["paths"]["/api/v1/alerts/{id}.cap"]["get"]
    assert "application/cap+xml" in operation["description"]
    assert "404" in operation["responses"]


def entries(response) -> dict[str, etree._Element]:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = etree.fromstring(response.content, SAFE)
    assert root.tag == f"{ATOM}feed"
    return {e.find(f"{ATOM}title").text: e for e in root.findall(f"{ATOM}entry")}


async def test_atom_feed_lists_recent_alerts_with_page_and_cap_links(site):
    drill = await make_alert(site, title="Evacuation drill", exercise=True, kind="tsunami")
    old = await make_alert(site, title="Last year's grass fire", status="extinguished")
    await Alert.filter(id=old.id).update(updated_at=utcnow() - timedelta(days=40))
    still = await make_alert(site, title="Smouldering landfill", status="under_control")
    await Alert.filter(id=still.id).update(updated_at=utcnow() - timedelta(days=60))
    public_changed()

    feed = entries(await site.client().get("/feeds/alerts.atom"))
    assert "[Exercise] Outbreak: Evacuation drill" in feed
    assert "Under control: Smouldering landfill" in feed  # still active, however old
    assert not any("grass fire" in title for title in feed)
    entry = feed["[Exercise] Outbreak: Evacuation drill"]
    links = {link.get("type"): link.get("href") for link in entry.findall(f"{ATOM}link")}
    assert links["text/html"] == f"http://test.example/alerts/{drill.id}"
    cap_url = links["application/cap+xml"]
    assert cap_url == f"http://test.example/api/v1/alerts/{drill.id}.cap"
    cap = etree.fromstring((await site.client().get(cap_url.removeprefix("http://test.example"))).content, SAFE)
    assert cap.find(f"{CAP}status").text == "Exercise"

    page = await site.client().get("/notices")
    assert 'href="/feeds/alerts.atom"' in page.text


async def test_atom_feed_in_japanese_says_drill(site):
    client = site.client()
    response = await client.get("/feeds/alerts.atom", headers={"Accept-Language": "ja"})
    titles = entries(response)
    assert any(title.startswith("[訓練]") for title in titles), titles


async def test_an_alert_posted_and_changed_by_the_fire_desk_follows_in_cap_and_atom(site):
    from sns.services import alerts as alert_service

    chief = await site.user("firechief_cap", role="fire")
    ctx = await site.ctx_for(chief)
    alert = await alert_service.post_alert(ctx, kind="fire", title="House fire on Sakura street",
                                           description="Two houses", instruction="Keep the road clear",
                                           lat="35.661", lon="139.701", radius_m="250")
    client = site.client()

    async def cap_of():
        response = await client.get(f"/api/v1/alerts/{alert.id}.cap")
        root = etree.fromstring(response.content, SAFE)
        assert schema().validate(root), schema().error_log
        return root

    first = await cap_of()
    assert first.find(f"{CAP}msgType").text == "Alert"
    assert first.find(f"{CAP}identifier").text == alert.id
    await alert_service.change_status(ctx, alert.id, "under_control", note="Fire contained")
    update = await cap_of()
    assert update.find(f"{CAP}msgType").text == "Update"
    assert update.find(f"{CAP}identifier").text != alert.id
    sent = first.find(f"{CAP}sent").text
    assert update.find(f"{CAP}references").text == f"{alert.sender},{alert.id},{sent}"
    assert "Under control: House fire on Sakura street" in entries(await client.get("/feeds/alerts.atom"))
    await alert_service.change_status(ctx, alert.id, "cancelled")
    cancel = await cap_of()
    assert cancel.find(f"{CAP}msgType").text == "Cancel"
    assert cancel.find(f"{CAP}references").text == f"{alert.sender},{alert.id},{sent}"
    assert "Cancelled: House fire on Sakura street" in entries(await client.get("/feeds/alerts.atom"))
