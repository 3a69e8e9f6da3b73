"""Street reports over the JSON API: file, read with history, list with filters, work, follow."""

import pytest

from sns.models import Notification, StreetReport
from sns.services import departments, report_lists


@pytest.fixture(scope="module")
async def town(api):
    site = api.site
    admin = await site.user("apimayor", role="admin")
    actx = await site.ctx_for(admin)
    roads = await departments.save_department(actx, name="Roads")
    staff, staff_api = await api.resident("apiroadie", role="staff")
    await departments.add_staff(actx, roads.id, "apiroadie")
    pothole = await report_lists.save_category(actx, name="Pothole", name_ja="道路の穴", department=roads.id)
    lamp = await report_lists.save_category(actx, name="Broken street light", department=roads.id)
    _, reporter = await api.resident("apirita")
    _, other = await api.resident("apifred")
    return {"pothole": pothole, "lamp": lamp, "reporter": reporter, "staff": api.client(await api.token(staff)),
            "other": other, "anon": api.client()}


def _new(town, **changes):
    data = {"category_id": town["pothole"].id, "title": "Pothole on Main Street", "body": "Deep and wide.",
            "place": "Main Street 3", "lat": 32.5073, "lon": 130.6016}
    data.update(changes)
    return data


async def test_file_read_work_and_follow(town):
    r = await town["reporter"].post("/api/v1/reports", json=_new(town, client_token="api-1"))
    assert r.status_code == 201, r.text
    data = r.json()
    assert r.headers["location"] == data["api_url"]
    assert data["status"] == "received" and data["lat"] == 32.5073 and data["following"] is True
    assert data["reporter"]["username"] == "apirita" and data["permissions"]["edit"] is True
    again = await town["reporter"].post("/api/v1/reports", json=_new(town, client_token="api-1"))
    assert again.json()["id"] == data["id"]  # a retry posts once
    # a visitor reads it, without the reporter's name
    public = (await town["anon"].get(f"/api/v1/reports/{data['id']}")).json()
    assert public["title"] == "Pothole on Main Street" and public["reporter"] is None
    assert public["permissions"] == {"edit": False, "work": False, "follow": False}
    # another resident follows; the department's staff set the status with a comment
    r = await town["other"].post(f"/api/v1/reports/{data['id']}/follow")
    assert r.status_code == 200 and r.json()["following"] is True
    r = await town["other"].post(f"/api/v1/reports/{data['id']}/status", json={"status": "resolved"})
    assert r.status_code == 403
    r = await town["staff"].post(f"/api/v1/reports/{data['id']}/status",
                                 json={"status": "in_progress", "comment": "On it."})
    assert r.status_code == 200, r.text
    assert r.json()["history"][-1]["comment"] == "On it." and r.json()["status"] == "in_progress"
    told = await Notification.filter(kind="report_status", url=f"/reports/{data['id']}").values_list(
        "user__username", flat=True)
    assert sorted(told) == ["apifred", "apirita"]
    assert (await town["other"].delete(f"/api/v1/reports/{data['id']}/follow")).status_code == 204
    assert (await town["other"].get(f"/api/v1/reports/{data['id']}")).json()["following"] is False
    # visitors cannot follow or file
    assert (await town["anon"].post(f"/api/v1/reports/{data['id']}/follow")).status_code == 401
    assert (await town["anon"].post("/api/v1/reports", json=_new(town))).status_code == 401


async def test_lists_and_categories(town):
    for n in range(3):
        await town["reporter"].post("/api/v1/reports", json=_new(town, title=f"Dark lamp {n}",
                                                                 category_id=town["lamp"].id))
    r = await town["anon"].get(f"/api/v1/reports?category={town['lamp'].id}&limit=2")
    page = r.json()
    assert [i["title"] for i in page["items"]] == ["Dark lamp 2", "Dark lamp 1"] and page["next"]
    rest = (await town["anon"].get(page["next"].replace("http://test.example", ""))).json()
    assert [i["title"] for i in rest["items"]] == ["Dark lamp 0"] and rest["next"] is None
    assert (await town["anon"].get("/api/v1/reports?status=exploded")).status_code == 400
    assert (await town["anon"].get("/api/v1/reports?mine=1")).status_code == 401
    mine = (await town["other"].get("/api/v1/reports?mine=1")).json()
    assert mine["items"] == []
    cats = (await town["anon"].get("/api/v1/report-categories", headers={"Accept-Language": "ja"})).json()
    assert [c["name"] for c in cats["items"]][:2] == ["Pothole", "Broken street light"]


@pytest.mark.parametrize("changes,field", [
    ({"lat": None, "lon": None}, "location"),
    ({"lat": 91.0}, "location"),
    ({"lon": "east"}, "location"),
    ({"category_id": "00000000-0000-7000-8000-000000000000"}, "category"),
    ({"category_id": 7}, "category_id"),
    ({"title": "t" * 201}, "title"),
    ({"body": "b" * 5001}, "body"),
    ({"blur": "yes"}, "blur"),
    ({"colour": "red"}, "colour"),
])
async def test_bad_input_stores_nothing(town, changes, field):
    before = await StreetReport.all().count()
    r = await town["reporter"].post("/api/v1/reports", json=_new(town, **changes))
    assert r.status_code == 400 and r.json()["field"] == field, r.text
    assert await StreetReport.all().count() == before


async def test_blurred_place(town):
    r = await town["reporter"].post("/api/v1/reports", json=_new(town, lat=32.50731, lon=130.60163, blur=True))
    data = r.json()
    assert (data["lat"], data["lon"]) != (32.50731, 130.60163)
    assert abs(data["lat"] - 32.50731) < 0.005 and abs(data["lon"] - 130.60163) < 0.005
