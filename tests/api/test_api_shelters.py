"""Shelters over the API: anyone reads them, the disaster desk sets statuses, administrators import CSV."""

import json

import pytest

from sns.models.places import Shelter
from sns.services import map_areas

CSV = ("名称,所在地,緯度,経度,想定収容人数,地震,津波,備考\r\n"
       "港小学校,港町1,32.508,130.597,420,○,○,\r\n"
       "本町公民館,本町3,32.505,130.604,180,○,,福祉避難所\r\n").encode("cp932")


@pytest.fixture(scope="module")
async def people(api):
    return {name: await api.resident(name, role=role) for name, role in (
        ("shapiadmin", "admin"), ("shapidesk", "disaster"), ("shapires", "resident"), ("shapistaff", "staff"))}


def client(people, name):
    return people[name][1]


async def test_import_then_everyone_reads_and_the_desk_opens(people, api):
    admin, desk, resident = (client(people, n) for n in ("shapiadmin", "shapidesk", "shapires"))
    r = await desk.post("/api/v1/shelters/import", content=CSV, headers={"Content-Type": "text/csv"})
    assert r.status_code == 403
    r = await admin.post("/api/v1/shelters/import", content=CSV, headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.json() == {"added": 2, "updated": 0, "unchanged": 0, "removed": 0}
    r = await api.client().get("/api/v1/shelters")
    items = r.json()["items"]
    assert [s["name"] for s in items] == ["本町公民館", "港小学校"] and items[1]["hazards"] == ["earthquake", "tsunami"]
    hall = items[0]
    assert hall["status"] == "closed" and hall["status_changed_at"] is None and hall["capacity"] == 180
    # the desk opens the school; a resident and municipal staff cannot
    school = items[1]["id"]
    for who in (resident, client(people, "shapistaff")):
        assert (await who.post(f"/api/v1/shelters/{school}/status", json={"status": "open"})).status_code == 403
    assert (await api.client().post(f"/api/v1/shelters/{school}/status", json={"status": "open"})).status_code == 401
    r = await desk.post(f"/api/v1/shelters/{school}/status", json={"status": "open"})
    assert r.status_code == 200 and r.json()["status"] == "open" and r.json()["status_changed_at"]
    r = await desk.post(f"/api/v1/shelters/{school}/status", json={"status": "burning"})
    assert r.status_code == 400 and r.json()["field"] == "status"
    assert (await desk.post("/api/v1/shelters/nope/status", json={"status": "open"})).status_code == 404
    # open first; filters; Japanese labels
    r = await api.client(**{"Accept-Language": "ja"}).get("/api/v1/shelters?hazard=tsunami")
    assert [(s["name"], s["status_label"], s["hazard_labels"]) for s in r.json()["items"]] == [
        ("港小学校", "開設中", ["地震", "津波"])]
    r = await api.client().get("/api/v1/shelters?status=open")
    assert [s["name"] for s in r.json()["items"]] == ["港小学校"]
    assert (await api.client().get("/api/v1/shelters?status=maybe")).status_code == 400
    # replace: the hall is gone, the school keeps its status
    only_school = "\r\n".join(CSV.decode("cp932").split("\r\n")[:2]).encode("cp932")
    r = await admin.post("/api/v1/shelters/import?replace=true", content=only_school)
    assert r.json() == {"added": 0, "updated": 0, "unchanged": 1, "removed": 1}
    assert [(s["name"], s["status"]) for s in (await api.client().get("/api/v1/shelters")).json()["items"]] == [
        ("港小学校", "open")]


async def test_bad_csv_lists_the_lines_and_stores_nothing(people, api, site):
    admin = client(people, "shapiadmin")
    before = await Shelter.all().count()
    bad = CSV + "川辺,川1,abc,130.6,10,,,\r\n丘,丘1,32.5,130.6,many,,,\r\n".encode("cp932")
    r = await admin.post("/api/v1/shelters/import", content=bad)
    assert r.status_code == 400
    assert "Line 4: the latitude" in r.json()["error"] and "Line 5: the capacity" in r.json()["error"]
    r = await admin.post("/api/v1/shelters/import", content="名称,緯度,経度\r\nA,1,2\r\n".encode("euc_jp"))
    assert r.status_code == 400 and "Shift_JIS" in r.json()["error"]
    r = await admin.post("/api/v1/shelters/import", content=b"x" * (site.settings.max_upload_bytes + 1))
    assert r.status_code == 413
    assert await Shelter.all().count() == before


async def test_map_areas_are_listed(people, api, site):
    ctx = await site.ctx_for(people["shapiadmin"][0])
    line = {"type": "LineString", "coordinates": [[130.60, 32.50], [130.61, 32.51]]}
    layer = await map_areas.upload_layer(ctx, "Evacuation route", "避難経路", "To the hill", json.dumps(line).encode())
    r = await api.client(**{"Accept-Language": "ja"}).get("/api/v1/map-areas")
    [area] = [a for a in r.json()["items"] if a["id"] == layer.id]
    assert area["label"] == "避難経路" and area["layer"] == f"area:{layer.id}" and area["vertices"] == 2
    assert area["bbox"] == [130.60, 32.50, 130.61, 32.51]
    await map_areas.show_layer(ctx, layer.id, False)
    assert layer.id not in (await api.client().get("/api/v1/map-areas")).text
