"""Alerts over the API: the fire role posts and changes status with a token; everyone reads them."""

import pytest

from sns.models.alerts import StaffActionLog

NEW = {"kind": "fire", "title": "Fire near the station", "description": "Smoke.", "instruction": "Stay away.",
       "lat": 32.5073, "lon": 130.6016, "radius_m": 500, "severity": "Severe"}


@pytest.fixture(scope="module")
async def people(api):
    return {name: await api.resident(name, role=role) for name, role in (
        ("alapifire", "fire"), ("alapidesk", "disaster"), ("alapires", "resident"), ("alapiadmin", "admin"))}


def client(people, name):
    return people[name][1]


async def test_fire_posts_changes_status_and_everyone_reads(people, api):
    fire = client(people, "alapifire")
    r = await fire.post("/api/v1/alerts", json={**NEW, "client_token": "api-1"})
    assert r.status_code == 201, r.text
    alert = r.json()
    assert alert["status"] == "outbreak" and alert["active"] and alert["radius_m"] == 500
    assert alert["url"].endswith(f"/alerts/{alert['id']}") and alert["identifier"] == alert["id"]
    assert [s["status"] for s in alert["history"]] == ["outbreak"]
    again = await fire.post("/api/v1/alerts", json={**NEW, "client_token": "api-1"})
    assert again.json()["id"] == alert["id"]  # a retried request posts once
    visitor = api.client()
    listed = (await visitor.get("/api/v1/alerts")).json()["items"]
    assert [a["id"] for a in listed].count(alert["id"]) == 1
    r = await fire.post(f"/api/v1/alerts/{alert['id']}/status",
                        json={"status": "under_control", "note": "Contained."})
    assert r.status_code == 200 and r.json()["status"] == "under_control"
    r = await fire.patch(f"/api/v1/alerts/{alert['id']}", json={"instruction": "Stay indoors.", "note": "Wind."})
    assert r.status_code == 200 and r.json()["instruction"] == "Stay indoors." and r.json()["title"] == NEW["title"]
    assert r.json()["history"][-1]["note"] == "Wind."
    r = await client(people, "alapidesk").post(f"/api/v1/alerts/{alert['id']}/status", json={"status": "cancelled"})
    assert r.status_code == 200 and not r.json()["active"]
    detail = (await visitor.get(f"/api/v1/alerts/{alert['id']}")).json()
    assert [(s["status"], s["note"]) for s in detail["history"]] == [
        ("outbreak", ""), ("under_control", "Contained."), ("under_control", "Wind."), ("cancelled", "")]
    assert detail["history"][1]["by"] == "alapifire"
    # cancelled: over, any change refused with 409 and a message
    r = await fire.post(f"/api/v1/alerts/{alert['id']}/status", json={"status": "outbreak"})
    assert r.status_code == 409 and "This alert is over" in r.text
    # no longer active; still in ?all=true
    assert alert["id"] not in [a["id"] for a in (await visitor.get("/api/v1/alerts")).json()["items"]]
    assert alert["id"] in [a["id"] for a in (await visitor.get("/api/v1/alerts?all=true")).json()["items"]]
    assert await StaffActionLog.filter(target_id=alert["id"]).count() == 4
    r = await fire.patch(f"/api/v1/alerts/{alert['id']}", json={"title": "Too late"})
    assert r.status_code == 409
    ja = (await api.client(**{"Accept-Language": "ja"}).get(f"/api/v1/alerts/{alert['id']}")).json()
    assert ja["status_label"] != "Cancelled"


async def test_polygon_drill_and_bad_input(people, api):
    fire = client(people, "alapifire")
    ring = [[32.50, 130.59], [32.50, 130.61], [32.52, 130.61], [32.52, 130.59], [32.50, 130.59]]
    body = {**NEW, "kind": "flood", "title": "Flood drill", "lat": None, "lon": None, "radius_m": None,
            "polygon": ring, "exercise": True}
    r = await fire.post("/api/v1/alerts", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["exercise"] is True and (r.json()["lat"], r.json()["lon"]) == (32.51, 130.6)
    for bad, field, words in (
        ({**body, "polygon": ring[:-1]}, "polygon", "must end where it starts"),
        ({**body, "polygon": ring[:2] + ring[:1]}, "polygon", "at least 4 points"),
        ({**body, "polygon": [[95, 130.6]] * 5}, "polygon", "latitude"),
        ({**body, "polygon": None}, "location", "Say where"),
        ({**NEW, "kind": "meteor"}, "kind", "kind of hazard"),
        ({**NEW, "severity": "Catastrophic"}, "severity", "severity"),
        ({**NEW, "radius_m": 0}, "radius_m", "radius"),
        ({**NEW, "title": ""}, "title", ""),
    ):
        r = await fire.post("/api/v1/alerts", json=bad)
        assert r.status_code == 400, (bad, r.text)
        assert r.json()["field"] == field and words in r.json()["error"], r.json()
    r = await fire.post("/api/v1/alerts", json={**NEW, "colour": "red"})
    assert r.status_code == 400


async def test_residents_admins_and_visitors_cannot_post(people, api):
    for name in ("alapires", "alapiadmin"):
        r = await client(people, name).post("/api/v1/alerts", json=NEW)
        assert r.status_code == 403, name
    assert (await api.client().post("/api/v1/alerts", json=NEW)).status_code == 401
    posted = (await client(people, "alapifire").post("/api/v1/alerts", json=NEW)).json()
    r = await client(people, "alapiadmin").post(f"/api/v1/alerts/{posted['id']}/status", json={"status": "cancelled"})
    assert r.status_code == 403
    r = await client(people, "alapires").patch(f"/api/v1/alerts/{posted['id']}", json={"title": "Mine now"})
    assert r.status_code == 403
    assert (await api.client().get("/api/v1/alerts/nope")).status_code == 404
