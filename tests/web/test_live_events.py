"""`/live` (Server-Sent Events): an alert's change reaches an open page, other events do not, and a page
that reconnects with Last-Event-ID is sent what it missed. `/events` still streams to pages opened before
the stream had its own address."""

from __future__ import annotations

import asyncio

from sns import events
from sns.ids import uuid7
from sns.models import Alert, AlertUpdate
from sns.services.live import missed_since
from sns.web.live import _stream


async def next_chunk(stream, timeout: float = 5.0) -> str:
    return await asyncio.wait_for(stream.__anext__(), timeout)


class OpenPage:
    """An open page's request to the whole app, spoken in ASGI: a stream never ends by itself, and
    httpx's ASGITransport gives a response only once it has ended. Leaving closes the connection."""

    def __init__(self, app, path: str, headers: dict[str, str]) -> None:
        self.app, self.sent, self.gone = app, asyncio.Queue(), asyncio.Event()
        self.scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
            "headers": [(b"host", b"test.example"), *((k.lower().encode(), v.encode()) for k, v in headers.items())],
            "client": ("127.0.0.1", 50000), "server": ("test.example", 80),
        }

    async def __aenter__(self) -> "OpenPage":
        async def receive():
            await self.gone.wait()
            return {"type": "http.disconnect"}

        self.task = asyncio.ensure_future(self.app(self.scope, receive, self.sent.put))
        return self

    async def __aexit__(self, *exc) -> None:
        self.gone.set()
        await asyncio.wait_for(self.task, 5)

    async def head(self) -> tuple[int, dict[str, str]]:
        start = await asyncio.wait_for(self.sent.get(), 5)
        return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}

    async def chunk(self) -> str:
        return (await asyncio.wait_for(self.sent.get(), 5))["body"].decode()


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


async def test_the_stream_has_its_own_address(site):
    """`/live` streams whatever the Accept header says, and sends what a page missed after its
    Last-Event-ID, as static/live.js's EventSource expects."""
    alert = Alert(title="Fire by the station", lat=32.5, lon=130.6, sender=site.settings.origin,
                  identifier=str(uuid7()), origin=site.settings.origin)
    await alert.save()
    seen, missed = (AlertUpdate(alert_id=alert.id, status=s, origin=site.settings.origin)
                    for s in ("outbreak", "under_control"))
    await seen.save()
    await missed.save()
    for headers in ({"Accept": "text/event-stream"}, {}):
        async with OpenPage(site.app, "/live", {**headers, "Last-Event-ID": seen.id}) as page:
            status, head = await page.head()
            assert status == 200 and head["content-type"].startswith("text/event-stream")
            assert head["cache-control"] == "no-cache" and head["x-accel-buffering"] == "no"
            assert (await page.chunk()).startswith("retry: 3000")
            assert (await page.chunk()).startswith(f"id: {missed.id}\nevent: alert\n")
            waiting = asyncio.ensure_future(page.chunk())
            await asyncio.sleep(0.05)  # subscribed
            update = uuid7()
            await events.publish("alert", {"id": alert.id, "status": "extinguished", "update": update})
            assert (await waiting).startswith(f"id: {update}\nevent: alert\n")


async def test_events_still_streams_to_pages_opened_before_the_stream_moved(site):
    async with OpenPage(site.app, "/events", {"Accept": "text/event-stream"}) as page:
        status, head = await page.head()
        assert status == 200 and head["content-type"].startswith("text/event-stream")
        assert (await page.chunk()).startswith("retry: 3000")
        waiting = asyncio.ensure_future(page.chunk())
        await asyncio.sleep(0.05)
        update = uuid7()
        await events.publish("alert", {"id": "a1", "status": "outbreak", "update": update})
        assert (await waiting).startswith(f"id: {update}\nevent: alert\n")
    page = await site.client().get("/events")  # without it, the town's events page, as before
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="/static/live.js"' in page.text


def test_pages_listen_at_the_streams_own_address():
    from pathlib import Path

    script = (Path(__file__).parents[2] / "static" / "live.js").read_text()
    assert 'new EventSource("/live")' in script
