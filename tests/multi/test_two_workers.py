"""Two real `sns serve` processes on one PostgreSQL database, with `broadcast_url` set to it (LISTEN/NOTIFY):
an alert posted through worker A's API reaches a page listening to worker B's `/events` within 2 seconds,
and so does its status change; and worker B's banner, alerts page and front page show it at once (not only
after `shared_cache_seconds`), because every worker forgets what is shared when an alert changes anywhere.

PostgreSQL only: with SQLite there is no shared broadcast backend (memory:// is one process)."""

from __future__ import annotations

import asyncio
import os
import time

import httpx
import pytest

from browser.live import LiveServer, alert_stream, migrated_database

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not os.environ.get("SNS_TEST_DATABASE_URL"),
    reason="needs PostgreSQL (SNS_TEST_DATABASE_URL): several workers share live events through it")]

ALERT = {"kind": "fire", "title": "Warehouse fire at the harbour", "description": "Thick smoke.",
         "instruction": "Close your windows.", "lat": 32.5052, "lon": 130.6039, "radius_m": 300,
         "severity": "Severe"}
SHARED_SECONDS = 30  # long, so that a fresh page on B can only come from forgetting, not from expiry


@pytest.fixture(scope="module")
def workers(tmp_path_factory):
    data = tmp_path_factory.mktemp("two-workers")
    url = migrated_database(data)
    settings = {"SNS_BROADCAST_URL": url, "SNS_SHARED_CACHE_SECONDS": str(SHARED_SECONDS)}
    a, b = LiveServer(data, url), LiveServer(data, url)
    a.log, b.log = data / "worker-a.log", data / "worker-b.log"
    a.extra_env = {**settings}
    b.extra_env = {**settings, "SNS_BACKGROUND_TASKS": "false"}  # as docs/configuration.md says: one runs them
    a.sns("init")
    a.create_user("firechief", "fire")
    token = a.sns("token", "create", "firechief").strip()
    try:
        a.start()
        b.start()  # after A: A ran the migrations
        yield a, b, token
    finally:
        a.stop()
        b.stop()


async def next_change(queue: asyncio.Queue, alert_id: str, status: str, started: float) -> float:
    deadline = started + 2.0
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"no {status} event for {alert_id} within 2 s"
        try:
            arrived, line = await asyncio.wait_for(queue.get(), left)
        except asyncio.TimeoutError:
            raise AssertionError(f"no {status} event for {alert_id} within 2 s") from None
        if alert_id in line and f'"status":"{status}"' in line:
            return arrived - started


async def test_an_alert_posted_through_one_worker_reaches_pages_of_the_other(workers):
    a, b, token = workers
    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        # B has shown pages without the alert: they are now kept for 30 s.
        for path in ("/alerts/banner", "/alerts", "/"):
            assert ALERT["title"] not in (await http.get(b.url + path)).text
        queue: asyncio.Queue = asyncio.Queue()
        ready = asyncio.Event()
        listening = asyncio.create_task(alert_stream(b.url + "/events", queue, ready))
        try:
            await asyncio.wait_for(ready.wait(), 10)
            await asyncio.sleep(0.2)  # subscribed (the stream subscribes before its first missed change)
            api = {"Authorization": f"Bearer {token}"}

            started = time.monotonic()
            r = await http.post(a.url + "/api/v1/alerts", json=ALERT, headers=api)
            assert r.status_code == 201, r.text
            alert_id = r.json()["id"]
            took = await next_change(queue, alert_id, "outbreak", started)
            assert took < 2.0
            # What static/live.js does next: fetch the banner, from worker B. Fresh at once, as are the
            # alerts page and the front page that B kept for visitors.
            banner = (await http.get(b.url + "/alerts/banner")).text
            assert ALERT["title"] in banner and "Outbreak" in banner
            assert ALERT["title"] in (await http.get(b.url + "/alerts")).text
            assert ALERT["title"] in (await http.get(b.url + "/")).text

            started = time.monotonic()
            r = await http.post(a.url + f"/api/v1/alerts/{alert_id}/status", json={"status": "under_control"},
                                headers=api)
            assert r.status_code == 200, r.text
            assert await next_change(queue, alert_id, "under_control", started) < 2.0
            assert "Under control" in (await http.get(b.url + "/alerts/banner")).text

            # And the other way round: a change through B reaches a page of B, and A, which kept its banner
            # with the alert, shows it no more.
            assert ALERT["title"] in (await http.get(a.url + "/alerts/banner")).text
            started = time.monotonic()
            r = await http.post(b.url + f"/api/v1/alerts/{alert_id}/status", json={"status": "extinguished"},
                                headers=api)
            assert r.status_code == 200, r.text
            assert await next_change(queue, alert_id, "extinguished", started) < 2.0
            assert ALERT["title"] not in (await http.get(a.url + "/alerts/banner")).text

            # Several alerts posted at once through A (their events leave A together): each one arrives.
            started = time.monotonic()
            posted = await asyncio.gather(*(http.post(a.url + "/api/v1/alerts", headers=api,
                                                      json={**ALERT, "title": f"Grass fire {i}"}) for i in range(6)))
            assert all(r.status_code == 201 for r in posted), [r.text for r in posted]
            waiting = {r.json()["id"] for r in posted}
            while waiting:
                left = started + 2.0 - time.monotonic()
                assert left > 0, f"{len(waiting)} of 6 alerts posted together never reached B"
                try:
                    _, line = await asyncio.wait_for(queue.get(), left)
                except asyncio.TimeoutError:
                    raise AssertionError(f"{len(waiting)} of 6 alerts posted together never reached B") from None
                waiting -= {alert for alert in waiting if alert in line}
        finally:
            listening.cancel()
            await asyncio.gather(listening, return_exceptions=True)
    assert "Traceback" not in a.tail(400) and "Traceback" not in b.tail(400), a.tail() + b.tail()


async def test_events_published_together_all_go_out_through_postgresql():
    """The PostgreSQL backend sends NOTIFY on one connection; two at once fail there ("another operation is
    in progress") and that event was lost. `sns.events.publish` sends them one at a time."""
    from sns import events

    kept = events._broadcast
    hub = events.open_broadcast(os.environ["SNS_TEST_DATABASE_URL"])
    await hub.connect()
    try:
        async with hub.subscribe(events.CHANNEL) as subscriber:
            await asyncio.gather(*(events.publish("alert", {"id": f"a{i}", "status": "outbreak"}) for i in range(20)))
            heard = set()
            async with asyncio.timeout(5):
                async for event in subscriber:
                    heard.add(event.message)
                    if len(heard) == 20:
                        break
        assert len(heard) == 20
    finally:
        await hub.disconnect()
        events._broadcast = kept
