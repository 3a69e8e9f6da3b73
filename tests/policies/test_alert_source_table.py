"""The alert-source table: viewer kind x action, for the rules and for the pages that apply them.

Only administrators add, pause, remove and poll CAP sources; the disaster desk reads their health; the fire
role, staff, moderators, residents and visitors never see them.
"""

import pytest

from sns import areas
from sns.models.cap_sources import CapSource
from sns.policies import ANONYMOUS, can_manage_alert_sources, can_read_alert_sources, load_viewer, offered

ROLES = ("resident", "staff", "moderator", "fire", "disaster", "admin")
VIEWERS = ("visitor", *ROLES)
ALLOWED = {"read": {"disaster", "admin"}, "manage": {"admin"}}
PAGE = "/admin/alert-sources"


@pytest.fixture(scope="module")
async def town(site):
    users = {role: await site.user(f"srctab{role}", role=role) for role in ROLES}
    source = await CapSource.create(url="http://127.0.0.1:9/never.cap", label="Table source", enabled=False)
    pages = {"visitor": site.client()}
    for role, user in users.items():
        pages[role] = site.client()
        await pages[role].login(user.username)
    return {"users": users, "source": source, "pages": pages}


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_rules(town, viewer):
    v = ANONYMOUS if viewer == "visitor" else await load_viewer(town["users"][viewer])
    got = {"read": can_read_alert_sources(v), "manage": can_manage_alert_sources(v)}
    assert got == {action: viewer in who for action, who in ALLOWED.items()}
    assert offered(v, areas.site().offered)["alert_sources"] == (viewer in ALLOWED["read"])


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_pages(town, viewer):
    page, sid = town["pages"][viewer], town["source"].id
    r = await page.get(PAGE)
    if viewer == "visitor":
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    else:
        assert r.status_code == (200 if viewer in ALLOWED["read"] else 403)
    if r.status_code == 200:
        assert "Table source" in r.text
        assert (f'action="{PAGE}/{sid}/remove"' in r.text) == (viewer in ALLOWED["manage"])
        assert (f'action="{PAGE}"' in r.text) == (viewer in ALLOWED["manage"])
    alerts_page = (await page.get("/alerts")).text
    assert (f'href="{PAGE}"' in alerts_page) == (viewer in ALLOWED["read"])
    for path, data in ((PAGE, {"url": f"https://{viewer}.example/cap", "label": viewer}),
                       (f"{PAGE}/{sid}/enable", {"enabled": "1"}), (f"{PAGE}/{sid}/poll", {}),
                       (f"{PAGE}/{sid}/remove", {})):
        r = await page.submit(path, data)
        if viewer in ALLOWED["manage"]:
            continue  # the web tests walk through what an administrator's forms do
        expected = 303 if viewer == "visitor" else 403
        assert r.status_code == expected, (path, r.status_code)
    if viewer not in ALLOWED["manage"]:
        source = await CapSource.get(id=sid)
        assert (source.enabled, source.last_polled_at) == (False, None)
        assert not await CapSource.exists(label=viewer)
