"""Administrators and partners' Open311 keys, through the pages (/admin/partners, both databases): a key is issued
to a named partner and shown once, listed by name, prefix and use, revoked; every change is in the staff action
log; only administrators reach the page; a form without its CSRF token changes nothing; it reads in Japanese."""

from __future__ import annotations

import re

import pytest

from sns.models import PartnerKey, StaffActionLog, StreetReport, User
from sns.services import departments, report_lists

KEY_RE = re.compile(r'id="new-key" class="key-copy" value="(o311_[^"]+)"')


@pytest.fixture(scope="module")
async def people(site):
    admin = await site.user("chief", role="admin")
    await site.user("hana")
    await site.user("mod", role="moderator")
    actx = await site.ctx_for(admin)
    roads = await departments.save_department(actx, name="Roads")
    category = await report_lists.save_category(actx, name="Pothole", department=roads.id)
    clients = {}
    for name in ("chief", "hana", "mod"):
        clients[name] = site.client()
        await clients[name].login(name)
    return {"clients": clients, "category": category}


async def test_issue_use_list_and_revoke_a_key(site, people):
    chief = people["clients"]["chief"]
    page = await chief.get("/admin/partners")
    assert page.status_code == 200 and "No key has been issued yet." in page.text
    assert 'href="/admin/partners"' in (await chief.get("/admin/users")).text  # offered in the staff navigation
    issued = await chief.submit("/admin/partners", {"name": "FixMyTown <Ltd>"})
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "private, no-store"
    key = KEY_RE.search(issued.text).group(1)
    assert "FixMyTown &lt;Ltd&gt;" in issued.text and "shown only this once" in issued.text
    row = await PartnerKey.get(name="FixMyTown <Ltd>")
    assert row.prefix == key[:12] and key not in (row.key_hash, row.prefix)
    account = await User.get(id=row.account_id)
    assert account.state == "system" and account.password_hash == "" and "-" in account.username
    # shown once: the list names it by its prefix only
    listing = (await chief.get("/admin/partners")).text
    assert key not in listing and f"{row.prefix}…" in listing and "never" in listing
    # the partner files with it
    form = {"api_key": key, "service_code": people["category"].id, "lat": "32.5", "long": "130.6",
            "description": "A hole in the road"}
    assert (await site.client().post("/open311/v2/requests.json", data=form)).status_code == 200
    assert "never" not in (await chief.get("/admin/partners")).text.split("<h2>Keys</h2>", 1)[1]
    # the system account cannot sign in, and is no resident in the list
    login = await site.client().submit("/login", {"username": account.username, "password": ""})
    assert login.status_code != 303
    # revoked: it files nothing more
    revoked = await chief.submit(f"/admin/partners/{row.id}/revoke")
    assert revoked.status_code == 303
    assert "The key is revoked" in (await chief.get("/admin/partners")).text
    before = await StreetReport.all().count()
    assert (await site.client().post("/open311/v2/requests.json", data=form)).status_code == 403
    assert await StreetReport.all().count() == before
    again = await chief.submit(f"/admin/partners/{row.id}/revoke", follow=True)
    assert "This key is already revoked." in again.text
    actions = [(e.action, e.target_id) for e in await StaffActionLog.filter(target_kind="partner_key")]
    assert actions == [("partner.issue", row.id), ("partner.revoke", row.id)]
    audit = (await chief.get("/admin/audit")).text
    assert "Issued an Open311 key to a partner" in audit and "Revoked a partner's Open311 key" in audit
    assert key not in audit


async def test_a_bad_name_comes_back_with_the_message(site, people):
    chief = people["clients"]["chief"]
    before = await PartnerKey.all().count()
    for name, says in (("   ", "Please fill in this field."), ("x" * 101, "")):
        page = await chief.submit("/admin/partners", {"name": name})
        assert page.status_code == 400 and 'aria-invalid="true"' in page.text
        assert says in page.text
    assert await PartnerKey.all().count() == before


async def test_only_administrators_and_only_with_the_forms_token(site, people):
    for who in ("hana", "mod"):
        client = people["clients"][who]
        assert (await client.get("/admin/partners")).status_code == 403
        assert (await client.submit("/admin/partners", {"name": "Sneaky"})).status_code == 403
    visitor = site.client()
    assert (await visitor.get("/admin/partners")).status_code == 303  # to sign in
    before = await PartnerKey.all().count()
    chief = people["clients"]["chief"]
    forged = await chief.post("/admin/partners", data={"name": "Forged"})  # no CSRF token
    assert forged.status_code == 403
    assert await PartnerKey.all().count() == before
    assert 'href="/admin/partners"' not in (await people["clients"]["mod"].get("/moderation")).text


async def test_the_page_in_japanese(site, people):
    chief = people["clients"]["chief"]
    page = await chief.get("/admin/partners", headers={"Accept-Language": "ja"})
    assert "オープン311連携先" in page.text and "キーを発行する" in page.text and "連携先の名前" in page.text
