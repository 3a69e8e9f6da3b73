"""The alert table: viewer kind x action, for the rules and for every surface that applies them.

Everyone, visitors too, reads alerts (pages and API); only the fire department and the disaster desk
post them and change their status (administrators hold their own role, not these). An imported alert
changes at its source, so nobody changes it here.
"""

import httpx
import pytest

from sns.models.alerts import Alert
from sns.policies import ANONYMOUS, can_change_alert, can_post_alert, can_read_alerts, load_viewer
from sns.services import alerts
from sns.services.tokens import create_token

ROLES = ("resident", "staff", "moderator", "fire", "disaster", "admin")
VIEWERS = ("visitor", *ROLES)
ALLOWED = {
    "read": set(VIEWERS),
    "post": {"fire", "disaster"},
    "change": {"fire", "disaster"},
    "change_imported": set(),
}


@pytest.fixture(scope="module")
async def town(site):
    users = {role: await site.user(f"altab{role}", role=role) for role in ROLES}
    fire_ctx = await site.ctx_for(users["fire"])
    alert = await alerts.post_alert(fire_ctx, kind="fire", title="Table fire", description="", instruction="",
                                    lat="32.5", lon="130.6")
    imported = Alert(kind="flood", title="Imported", lat=32.5, lon=130.6, sender="pref@example.jp",
                     identifier="x-1", source="https://pref.example.jp/cap", origin="pref.example.jp")
    pages, api = {"visitor": site.client()}, {}
    base = {"transport": httpx.ASGITransport(app=site.app), "base_url": "http://test.example"}
    for role, user in users.items():
        pages[role] = site.client()
        await pages[role].login(user.username)
        _, secret = await create_token(await site.ctx_for(user), "t")
        api[role] = httpx.AsyncClient(**base, headers={"Authorization": f"Bearer {secret}"})
    api["visitor"] = httpx.AsyncClient(**base)
    return {"users": users, "alert": alert, "imported": imported, "pages": pages, "api": api}


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_rules(town, viewer):
    v = ANONYMOUS if viewer == "visitor" else await load_viewer(town["users"][viewer])
    got = {"read": can_read_alerts(v), "post": can_post_alert(v), "change": can_change_alert(v, town["alert"]),
           "change_imported": can_change_alert(v, town["imported"])}
    assert got == {action: viewer in who for action, who in ALLOWED.items()}


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_pages(town, viewer):
    page, aid = town["pages"][viewer], town["alert"].id
    assert (await page.get("/alerts")).status_code == 200
    detail = await page.get(f"/alerts/{aid}")
    assert detail.status_code == 200 and "Table fire" in detail.text
    assert (f'action="/alerts/{aid}/status"' in detail.text) == (viewer in ALLOWED["change"])
    form = await page.get("/alerts/new")
    if viewer == "visitor":
        assert form.status_code in (302, 303)
    else:
        assert (form.status_code == 200) == (viewer in ALLOWED["post"])


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_api(town, viewer):
    api = town["api"][viewer]
    assert (await api.get(f"/api/v1/alerts/{town['alert'].id}")).status_code == 200
    r = await api.post("/api/v1/alerts", json={"kind": "fire", "title": "x", "lat": 32.5, "lon": 130.6})
    expected = 401 if viewer == "visitor" else 201 if viewer in ALLOWED["post"] else 403
    assert r.status_code == expected
