"""The staff tick the districts an alert affects (the form and the API): kept on the alert, shown on its
page; a district that does not exist is refused with a clear message and everything typed kept."""

import pytest

from sns.models import Alert, District
from sns.services.site import set_districts
from api_client import Api

FORM = {"kind": "fire", "title": "Fire on the hill", "description": "", "instruction": "Close windows.",
        "address": "", "lat": "32.5081", "lon": "130.5973", "radius_m": "", "severity": "Severe"}


@pytest.fixture(scope="module")
async def desk(site):
    admin = await site.user("distadmin", role="admin")
    await set_districts(await site.ctx_for(admin), "Minato\nYamate\nHon-machi")
    await site.user("distfire", role="fire")
    client = site.client()
    await client.login("distfire")
    return client, {d.name: d.id for d in await District.all()}


async def test_form_ticks_districts_and_page_names_them(site, desk):
    client, ids = desk
    form = await client.get("/alerts/new")
    assert "Districts affected" in form.text and f'value="{ids["Yamate"]}"' in form.text
    r = await client.post("/alerts/new", data={**FORM, "districts": [ids["Minato"], ids["Yamate"]],
                                               "csrf_token": client.csrf})
    assert r.status_code == 303, r.text
    alert = await Alert.get(title="Fire on the hill")
    assert sorted(alert.districts) == sorted([ids["Minato"], ids["Yamate"]])
    page = await site.client().get(f"/alerts/{alert.id}")
    assert "Minato, Yamate" in page.text and "Hon-machi" not in page.text


async def test_unknown_district_refused_and_typed_kept(site, desk):
    client, ids = desk
    await client.get("/alerts/new")
    r = await client.post("/alerts/new", data={**FORM, "title": "Typed title kept", "districts": [ids["Minato"],
                                               "not-a-district"], "csrf_token": client.csrf})
    assert r.status_code == 400 and "Choose the districts affected from the list." in r.text
    assert 'value="Typed title kept"' in r.text and "Close windows." in r.text
    assert f'value="{ids["Minato"]}" checked' in r.text
    assert not await Alert.filter(title="Typed title kept").exists()


async def test_api_takes_and_gives_districts(site, desk):
    _, ids = desk
    api = Api(site)
    _, fire = await api.resident("distapifire", role="fire")
    new = {"kind": "flood", "title": "River over the bank", "lat": 32.5, "lon": 130.6, "districts": [ids["Hon-machi"]]}
    r = await fire.post("/api/v1/alerts", json=new)
    assert r.status_code == 201 and r.json()["districts"] == [ids["Hon-machi"]]
    r = await fire.post("/api/v1/alerts", json={**new, "districts": "Hon-machi"})
    assert r.status_code == 400 and r.json()["field"] == "districts"
    r = await fire.post("/api/v1/alerts", json={**new, "districts": [1, 2]})
    assert r.status_code == 400 and r.json()["field"] == "districts"
