"""/admin/fediverse through the app: an administrator sees the followers per server (the city's and
residents', since when), the delivery queue and the refused inbox posts; removes a server's followers, blocks
a server with a reason (its followers go, nothing more is queued to it), unblocks it; every change is in the
audit log; a bad server name comes back with a message next to the field and what was typed; in Japanese
too; nobody but an administrator opens it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from sns.fediverse.addresses import CITY
from sns.fediverse.queue import enqueue
from sns.models import BlockedServer, Delivery, Follower, InboxRefusal, StaffActionLog
from sns.models.base import utcnow

PAGE = "/admin/fediverse"


@pytest.fixture(scope="module")
async def people(site):
    admin, hana = await site.user("fediadmin", role="admin"), await site.user("hana")
    client = site.client()
    await client.login("fediadmin")
    return admin, hana, client


def section(html: str, anchor: str) -> str:
    return html.split(f'id="{anchor}"', 1)[1].split("</section>", 1)[0]


async def test_followers_per_server_removing_blocking_and_unblocking(site, people):
    admin, hana, client = people
    long_ago = utcnow() - timedelta(days=40)
    for n in range(3):
        await Follower.create(actor=CITY, remote_actor=f"https://social.example/users/{n}", host="social.example",
                              inbox=f"https://social.example/users/{n}/inbox", shared_inbox="https://social.example/inbox",
                              created_at=long_ago if n == 0 else utcnow())
    await Follower.create(actor=hana.id, remote_actor="https://social.example/users/0", host="social.example",
                          inbox="https://social.example/users/0/inbox")
    await Follower.create(actor=CITY, remote_actor="https://misskey.example/@x", host="misskey.example",
                          inbox="https://misskey.example/users/x/inbox")
    await Delivery.create(actor=CITY, inbox="https://down.example/inbox", host="down.example", activity={},
                          state="failed", last_error="ConnectError: refused")
    await InboxRefusal.create(host="spam.example", reason="bad_signature", detail="does not verify")

    page = await client.get(PAGE)
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert f'href="{PAGE}"' in page.text  # offered in the staff navigation
    servers = section(page.text, "servers")
    social = servers.split("social.example", 1)[1].split("</li>", 1)[0]
    assert "<dd>3</dd>" in social and "<dd>1</dd>" in social and long_ago.isoformat() in social
    assert servers.index("social.example") < servers.index("misskey.example")  # the most followers first
    assert "down.example" in section(page.text, "queue") and "ConnectError: refused" in page.text
    refused = section(page.text, "refused")
    assert "spam.example" in refused and "Bad signature" in refused

    r = await client.submit(PAGE + "/remove", {"host": "misskey.example"})
    assert r.status_code == 303
    assert not await Follower.filter(host="misskey.example").exists()
    assert await Follower.filter(host="social.example").count() == 4

    r = await client.submit(PAGE + "/remove", {"host": "social.example", "block": "1", "reason": "harassment"})
    assert r.status_code == 303
    assert not await Follower.filter(host="social.example").exists()
    blocked = await BlockedServer.get(host="social.example")
    assert (blocked.reason, blocked.blocked_by_id) == ("harassment", admin.id)
    page = await client.get(PAGE)
    assert "social.example" in section(page.text, "blocked") and "harassment" in page.text

    # block by name (typed as a handle's server or an address), then unblock
    r = await client.submit(PAGE + "/block", {"host": "https://Bad.Example/about", "reason": ""})
    assert r.status_code == 303 and await BlockedServer.filter(host="bad.example").exists()
    await Follower.create(actor=CITY, remote_actor="https://bad.example/u/1", host="bad.example",
                          inbox="https://bad.example/u/1/inbox")
    async with in_transaction() as conn:
        assert await enqueue(conn, CITY, {"type": "Create"}) == 0  # nothing is delivered to a blocked server
    r = await client.submit(PAGE + "/unblock", {"host": "bad.example"})
    assert r.status_code == 303 and not await BlockedServer.filter(host="bad.example").exists()

    actions = await StaffActionLog.filter(actor_id=admin.id).order_by("created_at").values_list("action", "detail")
    assert [a for a, _ in actions] == ["fediverse.remove", "fediverse.block", "fediverse.block", "fediverse.unblock"]
    assert "harassment" in actions[1][1] and "social.example" in actions[1][1]
    audit = await client.get("/admin/audit?kind=fediverse")
    assert "Blocked a fediverse server" in audit.text


async def test_a_bad_server_name_keeps_what_was_typed(site, people):
    _, _, client = people
    r = await client.submit(PAGE + "/block", {"host": "not a host!", "reason": "typed reason"})
    assert r.status_code == 400
    assert 'id="host-error"' in r.text and "such as mastodon.example" in r.text
    assert 'value="not a host!"' in r.text and 'value="typed reason"' in r.text
    r = await client.submit(PAGE + "/block", {"host": "x.example", "reason": "r" * 301})
    assert r.status_code == 400 and 'id="reason-error"' in r.text
    r = await client.submit(PAGE + "/unblock", {"host": "never.example"})
    assert r.status_code == 404 and "This server is not blocked." in r.text


async def test_in_japanese(site, people):
    _, _, client = people
    page = await client.get(PAGE, headers={"Accept-Language": "ja"})
    assert "フェディバースでの市" in page.text and "ブロックしたサーバー" in page.text


async def test_nobody_but_an_administrator(site, people):
    for role in ("resident", "moderator", "staff", "disaster"):
        await site.user(f"fedi{role}", role=role)
        other = site.client()
        await other.login(f"fedi{role}")
        assert (await other.get(PAGE)).status_code == 403
        assert (await other.submit(PAGE + "/block", {"host": "x.example"})).status_code == 403
    assert not await BlockedServer.filter(host="x.example").exists()
    visitor = site.client()
    assert (await visitor.get(PAGE)).status_code in (302, 303)
