"""Download my data, as a table: viewer x state of the export x action (ask, see, download), by the rulebook
(`sns/policies/my_data.py`) and through the app (the page's download and the API's). Only the owner, signed
in, ever sees or downloads an export: not another resident, not a moderator, not an administrator, not a
visitor, not the owner once suspended."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from sns import tasks
from sns.models import DataExport, User
from sns.models.base import utcnow
from sns.policies import load_viewer
from sns.policies.my_data import can_ask_export, can_download_export, can_see_export
from sns.services.tokens import create_token

VIEWERS = ("anonymous", "owner", "resident", "moderator", "admin", "suspended_owner")
STATES = ("waiting", "ready", "expired", "failed")
SEE = {"owner"}
DOWNLOAD = {("owner", "ready")}
ASK = {"owner", "resident", "moderator", "admin"}


@pytest.fixture(scope="module")
async def table(site):
    users = {"owner": await site.user("p_owner"), "resident": await site.user("p_resident"),
             "moderator": await site.user("p_mod", role="moderator"),
             "admin": await site.user("p_admin", role="admin")}
    exports = {}
    client = site.client()
    await client.login("p_owner")
    for state in ("failed", "ready", "expired", "waiting"):  # each asked on the page; the job prepares two
        assert (await client.submit("/settings/data")).status_code == 303
        export = await DataExport.filter(user_id=users["owner"].id, state="waiting").get()
        if state == "failed":
            await DataExport.filter(id=export.id).update(state="failed")
        elif state != "waiting":
            await tasks.run_once("data_export", site.settings, site.app.state.site)
        # asked days ago, as far as the day's limit is concerned
        await DataExport.filter(id=export.id).update(created_at=utcnow() - timedelta(days=2))
        exports[state] = export.id
    await DataExport.filter(id=exports["expired"]).update(expires_at=utcnow() - timedelta(minutes=1))
    exports = {state: await DataExport.get(id=export_id) for state, export_id in exports.items()}
    assert [exports[s].state for s in STATES] == ["waiting", "ready", "ready", "failed"]
    clients, tokens = {"anonymous": site.client()}, {"anonymous": None}
    for kind in ("owner", "resident", "moderator", "admin"):
        clients[kind] = site.client()
        await clients[kind].login(users[kind].username)
        tokens[kind] = (await create_token(await site.ctx_for(users[kind]), "table"))[1]
    clients["suspended_owner"] = clients["owner"]
    return {"users": users, "exports": exports, "clients": clients, "tokens": tokens}


async def viewer_of(table, kind):
    if kind == "anonymous":
        return await load_viewer(None)
    user = await User.get(id=table["users"]["owner" if kind == "suspended_owner" else kind].id)
    if kind == "suspended_owner":
        user.state = "suspended"
    return await load_viewer(user)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("kind", VIEWERS)
async def test_rulebook(table, kind, state):
    v = await viewer_of(table, kind)
    export = table["exports"][state]
    assert can_ask_export(v) == (kind in ASK)
    assert can_see_export(v, export) == (kind in SEE)
    assert can_download_export(v, export, utcnow()) == ((kind, state) in DOWNLOAD)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("kind", ("anonymous", "owner", "resident", "moderator", "admin"))
async def test_through_the_page_and_the_api(site, table, kind, state):
    export = table["exports"][state]
    page = await table["clients"][kind].get(f"/settings/data/exports/{export.id}/download")
    headers = {"Authorization": f"Bearer {table['tokens'][kind]}"} if table["tokens"][kind] else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app), base_url="http://test.example",
                                 headers=headers) as api:
        answer = await api.get(f"/api/v1/me/exports/{export.id}/download")
    if (kind, state) in DOWNLOAD:
        assert page.status_code == answer.status_code == 200
        assert page.content == answer.content and page.content[:2] == b"PK"
    elif kind == "anonymous":
        assert page.status_code == 303 and answer.status_code == 401
    else:
        assert page.status_code == answer.status_code == 404, "another's export is not there, never forbidden"
