"""The job "fediverse_delivery" against real servers on loopback addresses of their own: what the city
publishes reaches each following server once (its shared inbox), signed; a dead server is retried with
back-off while another receives at once; a slow one never delays the others; 410 Gone removes the follower;
two senders at once never post a row twice; tries run out into `failed`."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from fedi_servers import AS, fediverse_peer
from fixtures import free_port, make_site
from sns.fediverse import delivery, signatures
from sns.fediverse.addresses import CITY
from sns.fediverse.queue import enqueue
from sns.models import ActorKey, BlockedServer, Delivery, Follower
from sns.models.base import utcnow


@pytest.fixture(scope="module")
async def site(tmp_path_factory):
    async with make_site(tmp_path_factory.mktemp("fedi-delivery"), fediverse_loopback=True,
                         fediverse_timeout_seconds=2, fediverse_delivery_attempts=3,
                         fediverse_delivery_horizon_seconds=300) as s:
        yield s


async def follow_from(host: str, base: str, names=("a", "b"), shared: bool = True) -> None:
    for name in names:
        await Follower.create(actor=CITY, remote_actor=f"{base}/users/{name}", inbox=f"{base}/users/{name}/inbox",
                              shared_inbox=f"{base}/inbox" if shared else "", host=host)


def note(n: int) -> dict:
    return {"@context": AS, "id": f"http://test.example/ap/notices/{n}#create", "type": "Create",
            "actor": "http://test.example/ap/users/city", "object": {"id": f"http://test.example/notices/{n}",
                                                                   "type": "Note", "content": "Water stop"}}


async def publish(activity: dict) -> int:
    async with in_transaction() as conn:
        return await enqueue(conn, CITY, activity)


async def clean() -> None:
    await Follower.all().delete()
    await Delivery.all().delete()


async def test_each_server_gets_it_once_signed_and_a_dead_one_is_retried_later(site):
    settings = site.settings
    dead_port = free_port()  # nothing listens there
    with fediverse_peer("127.0.0.3") as alive:
        await follow_from("127.0.0.3", alive.url, names=("a", "b", "c"))
        await follow_from("127.0.0.4", f"http://127.0.0.4:{dead_port}")
        await BlockedServer.create(host="127.0.0.5")
        await follow_from("127.0.0.5", "http://127.0.0.5:9")
        assert await publish(note(1)) == 2  # two servers; none to the blocked one

        started = time.monotonic()
        await delivery.send_due(settings)
        assert time.monotonic() - started < 5
        got = alive.received("/inbox")
        assert len(got) == 1 and got[0].activity["object"]["content"] == "Water stop"
        sig = signatures.parse(got[0].headers["signature"])
        signatures.check_request(sig, "POST", got[0].headers, got[0].body, skew=60)
        signatures.verify(sig, (await ActorKey.get(actor=CITY)).public_pem, "POST", "/inbox", got[0].headers)

        dead = await Delivery.get(host="127.0.0.4")
        assert (dead.state, dead.attempts) == ("pending", 1) and "ConnectError" in dead.last_error
        wait = (dead.next_try_at - utcnow()).total_seconds()
        first = delivery.retry_wait(settings, 1).total_seconds()
        assert first - 5 < wait <= first and first == pytest.approx(100)  # 300 s over 3 tries: 100 s, then 200 s
        await delivery.send_due(settings)  # not due yet: nothing posted again
        assert len(alive.received("/inbox")) == 1 and (await Delivery.get(id=dead.id)).attempts == 1

        # due again, still dead: its last try fails it for good
        for attempts in (2, 3):
            await Delivery.filter(id=dead.id).update(next_try_at=utcnow())
            await delivery.send_due(settings)
            dead = await Delivery.get(id=dead.id)
            assert dead.attempts == attempts
        assert dead.state == "failed" and (await Delivery.get(host="127.0.0.3")).state == "sent"
    await clean()
    await BlockedServer.all().delete()


async def test_a_slow_server_never_delays_the_others(site):
    settings = site.settings
    with fediverse_peer("127.0.0.6", delay=1.5) as slow, fediverse_peer("127.0.0.7") as quick:
        await follow_from("127.0.0.6", slow.url)
        await follow_from("127.0.0.7", quick.url)
        await publish(note(2))
        started = time.time()
        round_ = asyncio.create_task(delivery.send_due(settings))
        await asyncio.sleep(0.3)
        await publish(note(3))  # queued while the slow post is still out: sent without waiting for it
        await round_
        assert time.time() - started >= 1.5  # the round waited for the slow server...
        arrivals = quick.received("/inbox")
        assert [a.activity["object"]["id"][-1] for a in arrivals] == ["2", "3"]
        assert arrivals[0].at - started < 1.0 and arrivals[1].at - started < 1.3  # ...the quick one did not
        assert [a.activity["object"]["id"][-1] for a in slow.received("/inbox")] == ["2", "3"]  # in order
    await clean()


async def test_gone_removes_the_follower(site):
    settings = site.settings
    with fediverse_peer("127.0.0.8", statuses={"/users/a/inbox": 410}) as peer:
        await follow_from("127.0.0.8", peer.url, names=("a",), shared=False)
        await follow_from("127.0.0.8", peer.url, names=("b",), shared=False)
        assert await publish(note(4)) == 2
        await delivery.send_due(settings)
        assert [f.remote_actor for f in await Follower.all()] == [peer.url + "/users/b"]
        states = {d.inbox.rsplit("/", 2)[1]: (d.state, d.last_error) for d in await Delivery.all()}
        assert states == {"a": ("failed", "410 Gone"), "b": ("sent", "")}
    await clean()


async def test_two_senders_at_once_post_each_delivery_once(site):
    settings = site.settings
    peers = [fediverse_peer(f"127.0.1.{n}") for n in range(1, 21)]
    servers = [p.__enter__() for p in peers]
    try:
        for server in servers:
            await follow_from(server.address, server.url, names=("a",))
        for n in range(5, 8):
            await publish(note(n))
        await asyncio.gather(delivery.send_due(settings), delivery.send_due(settings))
        assert [len(s.received("/inbox")) for s in servers] == [3] * 20
        assert await Delivery.filter(state="sent").count() == 60
        assert set(await Delivery.all().values_list("attempts", flat=True)) == {1}
    finally:
        for p in peers:
            p.__exit__(None, None, None)
    await clean()


async def test_sent_and_failed_rows_are_pruned_after_the_keep_days(site):
    old = utcnow() - timedelta(days=site.settings.fediverse_keep_days + 1)
    for state in ("sent", "failed", "pending"):
        await Delivery.create(actor=CITY, inbox="http://127.0.0.9/inbox", host="127.0.0.9", activity={},
                              state=state, created_at=old, next_try_at=utcnow() + timedelta(days=1))
    await delivery.prune(site.settings)
    assert await Delivery.all().values_list("state", flat=True) == ["pending"]
    await clean()
