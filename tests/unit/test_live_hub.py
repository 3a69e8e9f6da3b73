"""The live-events hub (sns/events.py) against real brokers: it notices a dropped connection, reconnects,
tells its subscribers (`RECONNECTED`) and carries on; publishing meanwhile neither fails nor waits.

Redis: a redis-server of this module's own, stopped and started again on the same port. PostgreSQL (when
the suite runs on it): the hub's connection is killed with pg_terminate_backend."""

from __future__ import annotations

import asyncio
import os
import time

import asyncpg
import pytest

from restartable_redis import RestartableRedis
from sns import events

on_postgres = pytest.mark.skipif(not os.environ.get("SNS_TEST_DATABASE_URL"), reason="needs PostgreSQL")


@pytest.fixture(scope="module")
def redis_box():
    with RestartableRedis() as server:
        yield server


async def heard(subscriber, wanted: str, within: float = 3.0) -> float:
    """Seconds until `wanted` arrives (other messages are skipped)."""
    started = time.monotonic()
    async with asyncio.timeout(within):
        async for event in subscriber:
            if event.message == wanted:
                return time.monotonic() - started


async def until(check, within: float = 5.0) -> None:
    async with asyncio.timeout(within):
        while not check():
            await asyncio.sleep(0.02)


@pytest.fixture
async def hub_for():
    opened = []

    async def open_hub(url: str) -> events.Hub:
        hub = events.Hub(events.broker_for(url))
        opened.append(hub)
        await hub.connect()
        return hub

    yield open_hub
    for hub in opened:
        await hub.disconnect()


def test_back_off_starts_short_and_is_capped():
    delays = [events.retry_delay(n) for n in range(10)]
    assert delays[0] <= 0.1 and delays == sorted(delays) and max(delays) == events.LONGEST_RETRY


async def test_memory_is_always_connected(hub_for):
    hub = await hub_for("memory://")
    assert hub.connected
    async with hub.subscribe() as subscriber:
        await hub.publish(events.CHANNEL, "hello")
        await heard(subscriber, "hello", 1)


async def test_redis_pubsub_connection_killed(hub_for, redis_box):
    hub = await hub_for(redis_box.url)
    assert hub.connected
    async with hub.subscribe() as subscriber:
        await hub.publish(events.CHANNEL, "before")
        await heard(subscriber, "before")
        with redis_box.client() as admin:
            assert admin.client_kill_filter(_type="pubsub") >= 1
        await heard(subscriber, events.RECONNECTED)
        assert hub.connected
        await hub.publish(events.CHANNEL, "after")
        assert await heard(subscriber, "after") < 1


async def test_redis_restarted_on_the_same_port(hub_for, redis_box, caplog):
    hub = await hub_for(redis_box.url)
    async with hub.subscribe() as subscriber:
        redis_box.stop()
        await until(lambda: not hub.connected)
        started = time.monotonic()
        for _ in range(20):  # what the heartbeat and the services do meanwhile: no error, no wait
            await hub.publish(events.CHANNEL, "lost")
        assert time.monotonic() - started < 1
        await asyncio.sleep(0.5)  # several tries to reconnect fail
        redis_box.start()
        await heard(subscriber, events.RECONNECTED, 8)
        await hub.publish(events.CHANNEL, "after")
        await heard(subscriber, "after")
    outage = [r.getMessage() for r in caplog.records if r.name == "sns.events"]
    assert sum("cannot reach" in m for m in outage) <= 1, outage  # once per outage, not once per try
    assert len(outage) <= 3, outage  # lost, cannot reach, back: nothing per publish
    assert any("connected again" in m for m in outage), outage


async def test_a_hub_started_while_redis_is_down_connects_when_it_comes_back(redis_box):
    redis_box.stop()
    hub = events.Hub(events.broker_for(redis_box.url))
    try:
        await hub.connect(wait=0.3)
        assert not hub.connected
        async with hub.subscribe() as subscriber:
            redis_box.start()
            await heard(subscriber, events.RECONNECTED, 8)
            assert hub.connected
    finally:
        await hub.disconnect()
        if redis_box.process is None:
            redis_box.start()


async def test_connected_is_what_the_open_hub_says():
    kept = events._broadcast
    try:
        events.close_broadcast()
        assert not events.connected()
        hub = events.open_broadcast("memory://")
        await hub.connect()
        assert events.connected()
        await hub.disconnect()
        assert not events.connected()
    finally:
        events._broadcast = kept


async def kill_hub_connections(url: str, pid: int) -> int:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                   "WHERE application_name = $1 AND pid = $2", events.APPLICATION_NAME, pid)
    finally:
        await conn.close()


@on_postgres
async def test_postgresql_connection_terminated(hub_for):
    url = os.environ["SNS_TEST_DATABASE_URL"]
    hub = await hub_for(url)
    async with hub.subscribe() as subscriber:
        await hub.publish(events.CHANNEL, "before")
        await heard(subscriber, "before")
        assert await kill_hub_connections(url, hub._broker._conn.get_server_pid()) == 1
        await heard(subscriber, events.RECONNECTED)
        assert hub.connected
        await hub.publish(events.CHANNEL, "after")
        assert await heard(subscriber, "after") < 1


async def test_postgresql_unreachable_publishing_is_quiet_and_quick(unused_tcp_port):
    hub = events.Hub(events.broker_for(f"postgres://nobody:nothing@127.0.0.1:{unused_tcp_port}/none"))
    try:
        await hub.connect(wait=0.2)
        assert not hub.connected
        started = time.monotonic()
        await hub.publish(events.CHANNEL, "lost")
        assert time.monotonic() - started < 0.1 and hub.dropped == 1
    finally:
        await hub.disconnect()
