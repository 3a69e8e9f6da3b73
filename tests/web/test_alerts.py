"""The fire department posts an alert; every page shows a banner until it is over; the history keeps each
step with who took it; drills are marked; bad input gets a clear answer; residents and admins cannot post."""

import pytest

from sns.models.alerts import Alert, AlertUpdate, StaffActionLog
from fixtures import make_site
from test_query_counts import count_queries


@pytest.fixture
async def site(tmp_path_factory):
    """A fresh site per test: the banner depends on every alert that is active."""
    async with make_site(tmp_path_factory.mktemp("alerts")) as s:
        yield s

FORM = {"kind": "fire", "title": "Fire at the old warehouse", "description": "Smoke over Minato-machi.",
        "instruction": "Keep windows closed.", "address": "Minato-machi 1-2", "lat": "32.5081", "lon": "130.5973",
        "radius_m": "300", "severity": "Severe"}


async def fire_client(site, name="fire1", role="fire"):
    await site.user(name, role=role, display_name=f"{name.title()} Station")
    client = site.client()
    await client.login(name)
    return client


async def warm_queries(client, path: str) -> int:
    assert (await client.get(path)).status_code == 200
    with count_queries() as seen:
        assert (await client.get(path)).status_code == 200
    return len(seen)


async def test_fire_posts_alert_banner_everywhere_history_until_over(site):
    fire = await fire_client(site)
    visitor = site.client()
    quiet = await warm_queries(visitor, "/shelters")
    r = await fire.submit("/alerts/new", {**FORM, "client_token": "tok-1"})
    assert r.status_code == 303, r.text
    # on a warm shared cache the banner costs no query
    assert await warm_queries(visitor, "/shelters") == quiet
    alert = await Alert.get()
    assert r.headers["location"] == f"/alerts/{alert.id}"
    assert (alert.sender, alert.identifier, alert.status, alert.radius_m) == (site.settings.origin, alert.id,
                                                                               "outbreak", 300)
    # a double submit posts once
    assert (await fire.submit("/alerts/new", {**FORM, "client_token": "tok-1"})).status_code == 303
    assert await Alert.all().count() == 1
    # a visitor sees the banner on other pages, with a link to the alert
    for path in ("/", "/diaries", "/shelters"):
        page = await visitor.get(path)
        assert 'class="alert-banner"' in page.text and f'href="/alerts/{alert.id}"' in page.text, path
        assert "Fire at the old warehouse" in page.text
    page = await visitor.get(f"/alerts/{alert.id}")
    assert "Keep windows closed." in page.text and "Minato-machi 1-2" in page.text
    assert "/map?lat=32.508100&amp;lon=130.597300&amp;zoom=15" in page.text
    assert "Within 300 m of the place" in page.text
    assert "/status" not in page.text  # no status form for a visitor
    # under control, then extinguished: each step in the history with who took it
    r = await fire.submit(f"/alerts/{alert.id}/status", {"status": "under_control",
                                                         "note": "Contained to one building."})
    assert r.status_code == 303
    assert "Under control" in (await visitor.get("/")).text
    r = await fire.submit(f"/alerts/{alert.id}/status", {"status": "extinguished"})
    assert r.status_code == 303
    page = await visitor.get(f"/alerts/{alert.id}")
    assert page.text.count("Fire1 Station") == 3 and "Contained to one building." in page.text
    assert "Extinguished" in page.text
    steps = await AlertUpdate.filter(alert_id=alert.id).order_by("created_at", "id")
    assert [s.status for s in steps] == ["outbreak", "under_control", "extinguished"]
    assert [s.cap_identifier for s in steps] == [alert.id, f"{alert.id}.1", f"{alert.id}.2"]
    # over: the banner is gone, the list shows it under "Recently over"
    assert 'class="alert-banner"' not in (await visitor.get("/")).text
    listing = await visitor.get("/alerts")
    assert "No alert is active." in listing.text and "Fire at the old warehouse" in listing.text
    # an alert that is over refuses any change: 409 with a message
    r = await fire.submit(f"/alerts/{alert.id}/status", {"status": "outbreak"})
    assert r.status_code == 409 and "This alert is over: post a new one." in r.text
    actions = await StaffActionLog.all().order_by("created_at").values_list("action", "target_id")
    assert actions == [("alert.post", alert.id), ("alert.status", alert.id), ("alert.status", alert.id)]


async def test_drill_marked_and_several_alerts_in_banner(site):
    fire = await fire_client(site, "desk1", role="disaster")
    await fire.submit("/alerts/new", {**FORM, "title": "Flood drill", "kind": "flood", "exercise": "1"})
    await fire.submit("/alerts/new", {**FORM, "title": "Second fire"})
    visitor = site.client()
    page = await visitor.get("/events")
    assert "Second fire" in page.text and "1 more alert" in page.text and "Flood drill" not in page.text
    drill = await Alert.get(title="Flood drill")
    assert drill.exercise and drill.kind == "flood"
    page = await visitor.get(f"/alerts/{drill.id}")
    assert "Exercise" in page.text and "This is a drill, not a real emergency." in page.text
    listing = await visitor.get("/alerts")
    assert listing.text.index("Second fire") < listing.text.index("Flood drill")
    assert listing.text.count('class="alert-drill"') == 1
    # Japanese: the drill is marked 訓練
    ja = site.client()
    ja.headers["Accept-Language"] = "ja"
    assert "訓練" in (await ja.get(f"/alerts/{drill.id}")).text


async def test_bad_input_keeps_what_was_typed(site):
    fire = await fire_client(site)
    r = await fire.submit("/alerts/new", {**FORM, "lat": "", "lon": ""})
    assert r.status_code == 400 and "Say where" in r.text
    assert 'value="Fire at the old warehouse"' in r.text and "Keep windows closed." in r.text
    r = await fire.submit("/alerts/new", {**FORM, "kind": "volcano"})
    assert r.status_code == 400 and "Choose the kind of hazard from the list." in r.text
    r = await fire.submit("/alerts/new", {**FORM, "severity": "Awful"})
    assert r.status_code == 400 and "Choose the severity from the list." in r.text
    r = await fire.submit("/alerts/new", {**FORM, "radius_m": "-5"})
    assert r.status_code == 400 and "radius" in r.text
    r = await fire.submit("/alerts/new", {**FORM, "lat": "95"})
    assert r.status_code == 400
    assert await Alert.all().count() == 0
    r = await fire.submit("/alerts/new", FORM)
    alert = await Alert.get()
    r = await fire.submit(f"/alerts/{alert.id}/status", {"status": "outbreak"})
    assert r.status_code == 400 and "already has this status" in r.text
    r = await fire.submit(f"/alerts/{alert.id}/status", {"status": "burning"})
    assert r.status_code == 400
    assert (await fire.submit("/alerts/nope/status", {"status": "cancelled"})).status_code == 404


async def test_an_outline_typed_into_the_form(site):
    """A flood's area as typed on a phone: one "lat, lon" per line, full-width digits and commas too."""
    fire = await fire_client(site)
    open_ring = "32.50, 130.59\n32.50, 130.61\n32.52, 130.61\n32.52, 130.59"
    r = await fire.submit("/alerts/new", {**FORM, "lat": "", "lon": "", "radius_m": "", "polygon": open_ring})
    assert r.status_code == 400 and "must end where it starts" in r.text
    assert "32.52, 130.59</textarea>" in r.text and 'value="Fire at the old warehouse"' in r.text  # kept
    r = await fire.submit("/alerts/new", {**FORM, "polygon": "32.50, 130.59\nsomewhere near the river"})
    assert r.status_code == 400 and "Line 2 of the outline" in r.text
    r = await fire.submit("/alerts/new", {**FORM, "polygon": "32.50, 130.59\n32.50, 130.59"})
    assert r.status_code == 400 and "at least 4 points" in r.text
    assert await Alert.all().count() == 0
    ring = open_ring + "\n３２．５０，　１３０．５９\n"
    r = await fire.submit("/alerts/new", {**FORM, "lat": "", "lon": "", "radius_m": "", "polygon": ring})
    assert r.status_code == 303, r.text
    alert = await Alert.get()
    assert alert.polygon == [[32.5, 130.59], [32.5, 130.61], [32.52, 130.61], [32.52, 130.59], [32.5, 130.59]]
    assert (alert.lat, alert.lon) == (32.51, 130.6)  # no place typed: the outline's centre


async def test_cancelled_alert_refuses_changes(site):
    fire = await fire_client(site)
    await fire.submit("/alerts/new", FORM)
    alert = await Alert.get()
    assert (await fire.submit(f"/alerts/{alert.id}/status", {"status": "cancelled"})).status_code == 303
    page = await fire.get(f"/alerts/{alert.id}")
    assert "Change the status" not in page.text and "Cancelled" in page.text
    r = await fire.submit(f"/alerts/{alert.id}/status", {"status": "under_control"})
    assert r.status_code == 409 and "This alert is over: post a new one." in r.text
    assert (await Alert.get()).status == "cancelled"


async def test_residents_and_admins_cannot_post(site):
    for name, role in (("res1", "resident"), ("admin1", "admin"), ("staff1", "staff")):
        client = await fire_client(site, name, role=role)
        assert (await client.get("/alerts/new")).status_code == 403
        assert (await client.submit("/alerts/new", FORM)).status_code == 403
        assert "/alerts/new" not in (await client.get("/alerts")).text
    assert (await site.client().get("/alerts/new")).status_code in (302, 303)
    fire = await fire_client(site)
    assert "/alerts/new" in (await fire.get("/alerts")).text
    await fire.submit("/alerts/new", FORM)
    alert = await Alert.get()
    resident = site.client()
    await resident.login("admin1")
    assert (await resident.submit(f"/alerts/{alert.id}/status", {"status": "cancelled"})).status_code == 403
    assert (await Alert.get()).status == "outbreak"
    assert await StaffActionLog.all().count() == 1


async def test_map_layer_shows_active_alerts_with_radius_and_polygon(site):
    from sns.services import alerts as alert_service

    fire_user = await site.user("fire1", role="fire")
    ctx = await site.ctx_for(fire_user)
    ring = [[32.50, 130.59], [32.50, 130.61], [32.52, 130.61], [32.52, 130.59], [32.50, 130.59]]
    a = await alert_service.post_alert(ctx, kind="flood", title="River rising", description="", instruction="",
                                       polygon=ring, radius_m=None)
    assert (a.lat, a.lon) == (32.51, 130.6)  # the outline's centre
    r = await site.client().get("/api/v1/map/features", params={"bbox": "130.5,32.4,130.7,32.6", "layers": "alerts"})
    assert r.status_code == 200, r.text
    features = r.json()["features"]
    kinds = sorted(f["geometry"]["type"] for f in features)
    assert kinds == ["Point", "Polygon"]
    polygon = next(f for f in features if f["geometry"]["type"] == "Polygon")
    assert polygon["geometry"]["coordinates"][0][1] == [130.61, 32.5]  # [lon, lat]
    point = next(f for f in features if f["geometry"]["type"] == "Point")
    assert point["properties"]["url"] == f"/alerts/{a.id}" and point["properties"]["exercise"] is False
    await alert_service.change_status(ctx, a.id, "cancelled")
    r = await site.client().get("/api/v1/map/features", params={"bbox": "130.5,32.4,130.7,32.6", "layers": "alerts"})
    assert r.json()["features"] == []


async def test_fire_corrects_the_text_while_active(site):
    fire = await fire_client(site)
    await fire.submit("/alerts/new", FORM)
    alert = await Alert.get()
    correction = {"title": "Fire at the new warehouse", "description": "Smoke over Hon-machi.",
                  "instruction": "Keep away from the river road.", "note": "Wrong building at first."}
    r = await fire.submit(f"/alerts/{alert.id}/correct", {**correction, "title": ""})
    assert r.status_code == 400 and "Keep away from the river road." in r.text  # kept what was typed
    r = await fire.submit(f"/alerts/{alert.id}/correct", correction)
    assert r.status_code == 303
    page = await site.client().get(f"/alerts/{alert.id}")
    assert "Fire at the new warehouse" in page.text and "Keep away from the river road." in page.text
    assert "Wrong building at first." in page.text  # in the history
    assert await StaffActionLog.filter(action="alert.correct", target_id=alert.id).count() == 1
    await site.user("res9")
    resident = site.client()
    await resident.login("res9")
    r = await resident.submit(f"/alerts/{alert.id}/correct", correction)
    assert r.status_code == 403
    await fire.submit(f"/alerts/{alert.id}/status", {"status": "extinguished"})
    r = await fire.submit(f"/alerts/{alert.id}/correct", correction)
    assert r.status_code == 409 and "This alert is over" in r.text
