"""`/events` (Server-Sent Events): an alert's change reaches an open page, other events do not, and a page
that reconnects with Last-Event-ID is sent what it missed."""

from __future__ import annotations

import asyncio

from sns import events
from sns.ids import uuid7
from sns.models import Alert, AlertUpdate
from sns.services.live import missed_since
from sns.web.live import _stream


async def next_chunk(stream, timeout: float = 5.0) -> str:
    return await asyncio.wait_for(stream.__anext__(), timeout)


async def test_an_alert_change_is_sent_as_it_happens_and_nothing_else_is(site):
    stream = _stream(None)
    try:
        assert (await next_chunk(stream)).startswith("retry: 3000")
        waiting = asyncio.ensure_future(next_chunk(stream))
        await asyncio.sleep(0.05)  # the page is subscribed
        await events.publish("diary.created", {"id": "x", "visibility": "public"})
        update = uuid7()
        await events.publish("alert", {"id": "a1", "status": "outbreak", "update": update})
        chunk = await waiting
        assert chunk.startswith(f"id: {update}\nevent: alert\ndata: ")
        assert '"status":"outbreak"' in chunk and "diary" not in chunk
    finally:
        await stream.aclose()


async def test_a_page_that_comes_back_is_sent_what_it_missed_in_order(site):
    alert = Alert(title="Fire at the harbour", lat=32.5, lon=130.6, sender=site.settings.origin,
                  identifier=str(uuid7()), origin=site.settings.origin)
    await alert.save()
    steps = []
    for status in ("outbreak", "under_control", "extinguished"):
        step = AlertUpdate(alert_id=alert.id, status=status, origin=site.settings.origin)
        await step.save()
        steps.append(step)
    stream = _stream(steps[0].id)  # the page saw the outbreak, then lost its connection
    try:
        assert (await next_chunk(stream)).startswith("retry:")
        first, second = await next_chunk(stream), await next_chunk(stream)
        assert first.startswith(f"id: {steps[1].id}\n") and '"under_control"' in first
        assert second.startswith(f"id: {steps[2].id}\n") and '"extinguished"' in second
    finally:
        await stream.aclose()
    # A made-up or hostile Last-Event-ID replays nothing (and never reaches the query).
    for bad in ("'; DROP TABLE alerts; --", "x" * 5000, "", None, steps[-1].id.upper()):
        assert await missed_since(bad) == []
    assert [m["update"] for m in await missed_since(steps[0].id)] == [steps[1].id, steps[2].id]


async def test_open_pages_hear_a_heartbeat_from_one_task_per_worker(site):
    from sns.services.live import heartbeat

    streams = [_stream(None) for _ in range(3)]
    beating = None
    try:
        for stream in streams:
            assert (await next_chunk(stream)).startswith("retry:")
        waiting = [asyncio.ensure_future(next_chunk(stream)) for stream in streams]
        await asyncio.sleep(0.05)  # the pages are subscribed
        beating = asyncio.create_task(heartbeat(every=0.1))
        assert await asyncio.gather(*waiting) == [": still here\n\n"] * 3
    finally:
        if beating is not None:
            beating.cancel()
        for stream in streams:
            await stream.aclose()
