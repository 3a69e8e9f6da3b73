"""The mirroring table: viewer kind x action, for the rules and for the pages that apply them.

Only administrators add, pause, resume, remove and sync peers and say whether one may act for us; the
disaster desk reads their health; the fire role, staff, moderators, residents and visitors never see them.
"""

import pytest

from sns import areas
from sns.models import Peer
from sns.policies import ANONYMOUS, can_manage_peers, can_read_peers, load_viewer, offered

ROLES = ("resident", "staff", "moderator", "fire", "disaster", "admin")
VIEWERS = ("visitor", *ROLES)
ALLOWED = {"read": {"disaster", "admin"}, "manage": {"admin"}}
PAGE = "/admin/mirror"
ORIGIN = "table-neighbour.example"
# Every form of the page, with what it would change: none may work for anyone but an administrator.
FORMS = ((PAGE, {"url": "http://127.0.0.1:9", "fingerprint": "SHA256:x"}),
         (f"{PAGE}/{ORIGIN}/state", {"state": "active"}), (f"{PAGE}/{ORIGIN}/acting", {"acts_for_us": "1"}),
         (f"{PAGE}/{ORIGIN}/sync", {}), (f"{PAGE}/{ORIGIN}/remove", {}))


@pytest.fixture(scope="module")
async def town(site):
    users = {role: await site.user(f"mirtab{role}", role=role) for role in ROLES}
    await Peer.create(origin=ORIGIN, url="http://127.0.0.1:9", name="Table Town", fingerprint="SHA256:table",
                      public_key="AAAA", state="paused", acts_for_us=False)
    pages = {"visitor": site.client()}
    for role, user in users.items():
        pages[role] = site.client()
        await pages[role].login(user.username)
    return {"users": users, "pages": pages}


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_rules(town, viewer):
    v = ANONYMOUS if viewer == "visitor" else await load_viewer(town["users"][viewer])
    got = {"read": can_read_peers(v), "manage": can_manage_peers(v)}
    assert got == {action: viewer in who for action, who in ALLOWED.items()}
    assert offered(v, areas.site().offered)["mirror_peers"] == (viewer in ALLOWED["read"])


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_pages(town, viewer):
    page = town["pages"][viewer]
    r = await page.get(PAGE)
    if viewer == "visitor":
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    else:
        assert r.status_code == (200 if viewer in ALLOWED["read"] else 403)
    if r.status_code == 200:
        assert "Table Town" in r.text and "SHA256:table" in r.text
        for path, _ in FORMS:
            if path.endswith("/sync"):
                continue  # a paused peer offers no "Sync now"
            assert (f'action="{path}"' in r.text) == (viewer in ALLOWED["manage"]), path
        assert (f'action="{PAGE}/{ORIGIN}/remove"' in r.text) == (viewer in ALLOWED["manage"])
    if viewer != "visitor":
        nav = (await page.get("/disaster")).text
        assert (f'href="{PAGE}"' in nav) == (viewer in ALLOWED["read"])
    confirm = await page.get(f"{PAGE}/{ORIGIN}/remove")
    assert confirm.status_code == {"visitor": 303, "admin": 200}.get(viewer, 403)
    if viewer in ALLOWED["manage"]:
        return  # the web tests walk through what an administrator's forms do
    for path, data in FORMS:
        r = await page.submit(path, data)
        assert r.status_code == (303 if viewer == "visitor" else 403), (path, r.status_code)
        if viewer == "visitor":
            assert r.headers["location"].startswith("/login")
    peer = await Peer.get(origin=ORIGIN)
    assert (peer.state, peer.acts_for_us, peer.last_attempt_at) == ("paused", False, None)
    assert await Peer.all().count() == 1


async def test_a_post_without_its_csrf_token_is_refused(town):
    admin = town["pages"]["admin"]
    await admin.get(PAGE)
    r = await admin.post(f"{PAGE}/{ORIGIN}/state", data={"state": "active"})
    assert r.status_code == 403
    assert (await Peer.get(origin=ORIGIN)).state == "paused"
