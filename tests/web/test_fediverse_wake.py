"""With the background jobs running as in production (and a pace of a minute), what is queued for the
fediverse goes out within a second or two: queueing wakes the job "fediverse_delivery", so a follower's
Accept and a new post reach the other server without waiting for the job's next round. The whole way: a
server follows the city through its inbox, a clerk posts a notice on the page, and the server receives it,
signed with the key the city's actor document publishes."""

from __future__ import annotations

import asyncio
import time

import pytest
from tortoise.transactions import in_transaction

from fedi_servers import AS, fediverse_peer
from fixtures import make_site
from sns.fediverse import signatures
from sns.fediverse.addresses import CITY, shared_inbox_url
from sns.fediverse.queue import enqueue


@pytest.fixture(scope="module")
async def site(tmp_path_factory):
    async with make_site(tmp_path_factory.mktemp("fedi-wake"), fediverse_loopback=True, background_tasks=True,
                         fediverse_delivery_seconds=60) as s:
        yield s


async def arrived(peer, path: str, count: int, within: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        if len(peer.received(path)) >= count:
            return time.monotonic() - started
        await asyncio.sleep(0.02)
    raise AssertionError(f"{path}: {len(peer.received(path))} of {count} arrived within {within} s")


async def test_a_follow_is_accepted_and_a_post_delivered_at_once(site):
    await asyncio.sleep(1)  # the jobs' first rounds, at start-up, are over: from now on only a wake runs one
    client = site.client()
    with fediverse_peer("127.0.0.14") as peer:
        peer.key("ann")
        follow = {"@context": AS, "id": peer.actor("ann") + "#follow", "type": "Follow", "actor": peer.actor("ann"),
                  "object": "http://test.example/ap/users/city"}
        body, headers = peer.signed_post("ann", shared_inbox_url(site.settings), follow)
        assert (await client.post(shared_inbox_url(site.settings), content=body, headers=headers)).status_code == 202
        await arrived(peer, "/users/ann/inbox", 1, within=3)
        assert peer.received("/users/ann/inbox")[0].activity["type"] == "Accept"

        async with in_transaction() as conn:
            assert await enqueue(conn, CITY, {"@context": AS, "id": "http://test.example/ap/n/1#create",
                                              "type": "Create", "actor": "http://test.example/ap/users/city"}) == 1
        await arrived(peer, "/inbox", 1, within=3)

        clerk = site.client()
        await site.user("wakeclerk", role="staff")
        await clerk.login("wakeclerk")
        r = await clerk.submit("/notices/new", {"title": "Water stop", "body": "Tuesday 9-12."})
        assert r.status_code == 303
        await arrived(peer, "/inbox", 2, within=3)
        got = peer.received("/inbox")[1]
        assert got.activity["type"] == "Create" and "Tuesday 9-12." in got.activity["object"]["content"]
        actor = (await client.get("/ap/users/city", headers={"Accept": "application/activity+json"})).json()
        sig = signatures.parse(got.headers["signature"])
        assert sig.key_id == actor["publicKey"]["id"]
        signatures.check_request(sig, "POST", got.headers, got.body, skew=60)
        signatures.verify(sig, actor["publicKey"]["publicKeyPem"], "POST", "/inbox", got.headers)
