"""The shelter table: viewer kind x action, for the rules and for every surface that applies them.

Everyone, visitors too, reads shelters and the uploaded map areas; the disaster desk and administrators
set a shelter's status; only administrators import the list, edit a shelter and manage map layers.
"""

import json

import pytest

from sns.policies import (
    ANONYMOUS, can_manage_map_layers, can_manage_shelters, can_read_shelters, can_set_shelter_status, load_viewer,
)
from sns.services import map_areas, shelters
from sns.services.tokens import create_token

ROLES = ("resident", "staff", "moderator", "fire", "disaster", "admin")
VIEWERS = ("visitor", *ROLES)
ALLOWED = {
    "read": set(VIEWERS),
    "set_status": {"disaster", "admin"},
    "import": {"admin"},
    "edit": {"admin"},
    "map_layers": {"admin"},
}
CSV = "名称,住所,緯度,経度\r\n表の体育館,表町1,32.5,130.6\r\n".encode("cp932")


@pytest.fixture(scope="module")
async def town(site):
    import httpx

    users = {role: await site.user(f"tab{role}", role=role) for role in ROLES}
    admin_ctx = await site.ctx_for(users["admin"])
    await shelters.import_shelters(admin_ctx, CSV, replace=False)
    [shelter] = await shelters.list_shelters(admin_ctx)
    area = await map_areas.upload_layer(admin_ctx, "Table zone", "", "", json.dumps(
        {"type": "Point", "coordinates": [130.6, 32.5]}).encode())
    pages, api = {"visitor": site.client()}, {}
    for role, user in users.items():
        pages[role] = site.client()
        await pages[role].login(f"tab{role}")
        _, secret = await create_token(await site.ctx_for(user), "t")
        api[role] = httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app), base_url="http://test.example",
                                      headers={"Authorization": f"Bearer {secret}"})
    api["visitor"] = httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app), base_url="http://test.example")
    return {"users": users, "shelter": shelter, "area": area, "pages": pages, "api": api}


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_rules(town, viewer):
    v = ANONYMOUS if viewer == "visitor" else await load_viewer(town["users"][viewer])
    got = {"read": can_read_shelters(v), "set_status": can_set_shelter_status(v), "import": can_manage_shelters(v),
           "edit": can_manage_shelters(v), "map_layers": can_manage_map_layers(v)}
    assert got == {action: viewer in who for action, who in ALLOWED.items()}


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_pages(town, viewer):
    page, sid = town["pages"][viewer], town["shelter"].id
    r = await page.get("/shelters")
    assert r.status_code == 200 and "表の体育館" in r.text
    expected_refusal = 303 if viewer == "visitor" else 403  # visitors are sent to sign in
    for action, path in (("set_status", "/admin/shelters"), ("edit", f"/admin/shelters/{sid}"),
                         ("map_layers", "/admin/map-layers")):
        r = await page.get(path)
        assert r.status_code == (200 if viewer in ALLOWED[action] else expected_refusal), (viewer, path)
    if viewer == "visitor":
        return  # the CSRF token comes with a page; a visitor's posts are refused above already
    r = await page.submit(f"/admin/shelters/{sid}/status", {"status": "full"})
    assert r.status_code == (303 if viewer in ALLOWED["set_status"] else 403)
    r = await page.submit("/admin/shelters/import", {}, files={"file": ("s.csv", CSV, "text/csv")})
    assert r.status_code == (303 if viewer in ALLOWED["import"] else 403)
    r = await page.submit(f"/admin/map-layers/{town['area'].id}/show", {"shown": "1"})
    assert r.status_code == (303 if viewer in ALLOWED["map_layers"] else 403)


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_api(town, viewer):
    client, sid = town["api"][viewer], town["shelter"].id
    r = await client.get("/api/v1/shelters")
    assert r.status_code == 200 and "表の体育館" in r.text
    assert town["area"].id in (await client.get("/api/v1/map-areas")).text
    refused = 401 if viewer == "visitor" else 403
    r = await client.post(f"/api/v1/shelters/{sid}/status", json={"status": "open"})
    assert r.status_code == (200 if viewer in ALLOWED["set_status"] else refused)
    r = await client.post("/api/v1/shelters/import", content=CSV)
    assert r.status_code == (200 if viewer in ALLOWED["import"] else refused)
