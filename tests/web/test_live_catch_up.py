"""When a worker's hub gets its broker connection back (sns/events.py hands every subscriber `RECONNECTED`),
each open stream is sent the alert changes it missed, from the last id it sent (or from when it opened),
and the worker forgets what it shares. Here on the in-process hub; tests/unit/test_live_hub.py and
tests/multi/test_machines_broker.py drop real connections."""

from __future__ import annotations

import asyncio

from sns import events
from sns.ids import uuid7
from sns.models import Alert, AlertUpdate
from sns.services.shared import SharedCache
from sns.web.live import _stream


async def next_chunk(stream, timeout: float = 5.0) -> str:
    return await asyncio.wait_for(stream.__anext__(), timeout)


async def alert_step(site, status: str, alert: Alert | None = None) -> AlertUpdate:
    """A change made while the broker was away: in the database, its event never heard."""
    if alert is None:
        alert = Alert(title="Fire at the harbour", lat=32.5, lon=130.6, sender=site.settings.origin,
                      identifier=str(uuid7()), origin=site.settings.origin)
        await alert.save()
    step = AlertUpdate(alert_id=alert.id, status=status, origin=site.settings.origin)
    await step.save()
    return step


async def test_open_streams_catch_up_when_the_hub_reconnects(site):
    fresh, seen = _stream(None), _stream(None)
    try:
        for stream in (fresh, seen):
            assert (await next_chunk(stream)).startswith("retry:")
        waiting = [asyncio.ensure_future(next_chunk(stream)) for stream in (fresh, seen)]
        await asyncio.sleep(0.05)  # subscribed
        heard = await alert_step(site, "outbreak")
        await events.publish("alert", {"id": heard.alert_id, "status": "outbreak", "update": heard.id})
        assert all(chunk.startswith(f"id: {heard.id}\n") for chunk in await asyncio.gather(*waiting))

        lost = await alert_step(site, "extinguished", await Alert.get(id=heard.alert_id))  # never published
        events.broadcast()._deliver(events.RECONNECTED)  # what the hub does once it is connected again
        for stream in (fresh, seen):  # each from the last id it was sent: only what it missed
            chunk = await next_chunk(stream)
            assert chunk.startswith(f"id: {lost.id}\nevent: alert\n") and '"extinguished"' in chunk
    finally:
        for stream in (fresh, seen):
            await stream.aclose()


async def test_a_stream_that_was_sent_nothing_catches_up_from_when_it_opened(site):
    stream = _stream(None)
    try:
        assert (await next_chunk(stream)).startswith("retry:")
        waiting = asyncio.ensure_future(next_chunk(stream))
        await asyncio.sleep(0.05)
        lost = await alert_step(site, "outbreak")
        events.broadcast()._deliver(events.RECONNECTED)
        # From a minute before it opened (machines' clocks differ): changes made just before may come
        # again, which only makes the page fetch its banner once more.
        chunk = await waiting
        while not chunk.startswith(f"id: {lost.id}\n"):
            chunk = await next_chunk(stream)
    finally:
        await stream.aclose()


async def test_the_worker_forgets_what_it_shares_when_the_hub_reconnects(site):
    cache = SharedCache()  # as the banner's and the alerts page's are
    assert await cache.get("banner", 60, _value("before")) == "before"
    assert await cache.get("banner", 60, _value("kept")) == "before"
    events.broadcast()._deliver(events.RECONNECTED)  # follow_changes runs in the site's lifespan
    await asyncio.sleep(0.05)
    assert await cache.get("banner", 60, _value("after")) == "after"


def _value(value: str):
    async def load():
        return value
    return load


def test_connected_on_memory(site):
    assert events.connected()
