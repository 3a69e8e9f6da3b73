"""Contact the city over the API: departments, inquiries, the staff's inbox and actions."""

import pytest

from sns.models import InquiryEntry
from sns.services import departments


@pytest.fixture(scope="module")
async def city(api, site):
    people = {name: await api.resident(name, role=role) for name, role in (
        ("apiresi", "resident"), ("apinosy", "resident"), ("apiroad", "staff"), ("apiroad2", "staff"),
        ("apiwelf", "staff"), ("apiboss", "admin"), ("apimodc", "moderator"))}
    boss = await site.ctx_for(people["apiboss"][0])
    roads = await departments.save_department(boss, name="Roads", name_ja="道路課", position=1)
    welfare = await departments.save_department(boss, name="Welfare", name_ja="福祉課", position=2)
    closed = await departments.save_department(boss, name="Old desk", active=False)
    for dept, name in ((roads, "apiroad"), (roads, "apiroad2"), (welfare, "apiwelf")):
        await departments.add_staff(boss, dept.id, name)
    # tokens were made before the staff assignments: the viewer is loaded per request, so that is fine
    return {"people": people, "roads": roads, "welfare": welfare, "closed": closed}


def client(city, name):
    return city["people"][name][1]


async def test_departments_are_listed_in_the_callers_language(city, api):
    r = await api.client(**{"Accept-Language": "ja"}).get("/api/v1/departments")
    names = [d["display_name"] for d in r.json()["items"]]
    assert names == ["道路課", "福祉課"]  # the closed desk is not offered


async def test_the_whole_thread(city):
    resi, road, road2 = client(city, "apiresi"), client(city, "apiroad"), client(city, "apiroad2")
    r = await resi.post("/api/v1/inquiries", json={"department_id": city["roads"].id, "subject": "Fallen tree",
                                                   "body": "A tree blocks Kita-machi 2."})
    assert r.status_code == 201, r.text
    thread = r.json()
    iid = thread["id"]
    assert thread["status"] == "received" and thread["permissions"] == {"reply": True, "work": False}
    assert iid in [i["id"] for i in (await resi.get("/api/v1/inquiries")).json()["items"]]

    inbox = (await road.get("/api/v1/city/inbox?who=unassigned")).json()
    assert iid in [i["id"] for i in inbox["items"]]
    r = await road.post(f"/api/v1/inquiries/{iid}/assign", json={"assignee": "apiroad2"})
    assert r.status_code == 200 and r.json()["assignee"]["username"] == "apiroad2"
    assert iid in [i["id"] for i in (await road2.get("/api/v1/city/inbox?who=mine")).json()["items"]]
    r = await road2.post(f"/api/v1/inquiries/{iid}/entries", json={"body": "We will clear it today."})
    assert r.status_code == 201 and r.json()["status"] == "answered"
    r = await resi.post(f"/api/v1/inquiries/{iid}/entries", json={"body": "Thanks!", "status": "closed"})
    assert r.status_code == 201 and r.json()["status"] == "in_progress"  # a resident cannot set the status
    r = await road2.post(f"/api/v1/inquiries/{iid}/status", json={"status": "closed", "note": "Cleared."})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    seen = (await resi.get(f"/api/v1/inquiries/{iid}")).json()
    assert [e["kind"] for e in seen["entries"]] == ["message", "assign", "message", "message", "status"]
    assert seen["assignee"] is None  # who works on it is for staff
    r = await resi.post(f"/api/v1/inquiries/{iid}/entries", json={"body": "Another thing"})
    assert r.status_code == 400 and "closed" in r.json()["error"]


async def test_nobody_else_sees_a_thread(city, api):
    resi = client(city, "apiresi")
    iid = (await resi.post("/api/v1/inquiries", json={"department_id": city["roads"].id, "subject": "Noise",
                                                      "body": "private words"})).json()["id"]
    for name in ("apinosy", "apiwelf", "apimodc"):
        other = client(city, name)
        r = await other.get(f"/api/v1/inquiries/{iid}")
        assert r.status_code == 404 and "private words" not in r.text
        assert iid not in (await other.get("/api/v1/inquiries")).text
        assert (await other.post(f"/api/v1/inquiries/{iid}/entries", json={"body": "x"})).status_code == 404
        assert (await other.post(f"/api/v1/inquiries/{iid}/status", json={"status": "closed"})).status_code == 404
    assert iid not in (await client(city, "apiwelf").get("/api/v1/city/inbox")).text
    assert (await client(city, "apinosy").get("/api/v1/city/inbox")).status_code == 403
    assert (await api.client().get(f"/api/v1/inquiries/{iid}")).status_code == 401
    assert (await client(city, "apiboss").get(f"/api/v1/inquiries/{iid}")).status_code == 200


@pytest.mark.parametrize("payload,status,field", [
    ({"department_id": "nope", "subject": "s", "body": "b"}, 404, None),
    ({"department_id": 5, "subject": "s", "body": "b"}, 400, "department_id"),
    ({"department_id": "a\x00b", "subject": "s", "body": "b"}, 404, None),
    ({"subject": "s", "body": "b"}, 404, None),
    ({"department_id": "CLOSED", "subject": "s", "body": "b"}, 404, None),
    ({"department_id": "ROADS", "subject": "", "body": "b"}, 400, "subject"),
    ({"department_id": "ROADS", "subject": "s", "body": "x" * 1_000_000}, 413, None),
    ({"department_id": "ROADS", "subject": "s", "body": ["b"]}, 400, "body"),
    ({"department_id": "ROADS", "subject": "s", "body": "b", "photo": "x"}, 400, "photo"),
])
async def test_bad_new_inquiries(city, payload, status, field):
    payload = dict(payload)
    if payload.get("department_id") == "ROADS":
        payload["department_id"] = city["roads"].id
    if payload.get("department_id") == "CLOSED":
        payload["department_id"] = city["closed"].id
    before = await InquiryEntry.all().count()
    r = await client(city, "apiresi").post("/api/v1/inquiries", json=payload)
    assert r.status_code in (status, 400), r.text
    assert 400 <= r.status_code < 500
    if field:
        assert r.json()["field"] == field
    assert await InquiryEntry.all().count() == before


async def test_bad_staff_input(city):
    resi, road = client(city, "apiresi"), client(city, "apiroad")
    iid = (await resi.post("/api/v1/inquiries", json={"department_id": city["roads"].id, "subject": "Sign",
                                                      "body": "Bent sign"})).json()["id"]
    for path, payload, field in (
            ("status", {"status": "exploded"}, "status"),
            ("status", {"status": 3}, "status"),
            ("entries", {"body": "ok", "status": "nope"}, "status"),
            ("entries", {"body": ""}, "body"),
            ("assign", {"assignee": "apiwelf"}, "assignee"),
            ("assign", {"assignee": ["apiroad2"]}, "assignee"),
            ("assign", {"assignee": "api\x00road2"}, "assignee")):
        r = await road.post(f"/api/v1/inquiries/{iid}/{path}", json=payload)
        assert r.status_code == 400 and r.json()["field"] == field, (path, payload, r.text)
    assert (await road.get("/api/v1/city/inbox?status=weird")).status_code == 400
    assert (await road.get(f"/api/v1/city/inbox?department={city['welfare'].id}")).status_code == 400
    assert (await resi.post(f"/api/v1/inquiries/{iid}/status", json={"status": "closed"})).status_code == 403
