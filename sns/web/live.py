"""`GET /events` with `Accept: text/event-stream`: Server-Sent Events for open pages (new alerts and
their changes within seconds). The same address without it is the town's events page.

One long response per open page. A comment line every `HEARTBEAT` seconds keeps proxies from closing
it; `retry:` tells the browser to reconnect after 3 s, sending `Last-Event-ID`, and the changes it
missed are sent first (sns/services/live.py). With several workers, `broadcast_url` must be a shared
backend (PostgreSQL or Redis) so that a change made through one worker reaches pages held by another.
"""

from __future__ import annotations

import asyncio
import json
from typing import AsyncIterator

from starlette.requests import Request
from starlette.responses import HTMLResponse, StreamingResponse
from starlette.routing import Route

from sns import events, i18n
from sns.services.live import LIVE_EVENTS, missed_since
from sns.web.http import load_ctx

HEARTBEAT = 15.0


def _message(payload: dict) -> str:
    lines = []
    if payload.get("update"):
        lines.append(f"id: {payload['update']}")
    lines.append(f"event: {payload['event']}")
    lines.append("data: " + json.dumps(payload, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


async def _stream(last_event_id: str | None) -> AsyncIterator[str]:
    yield "retry: 3000\n\n"
    hub = events.broadcast()
    if hub is None:
        return
    async with hub.subscribe(events.CHANNEL) as subscriber:
        # Subscribed first, then the missed changes: nothing can fall between the two.
        for payload in await missed_since(last_event_id):
            yield _message(payload)
        async for chunk in _forward(subscriber.__aiter__()):
            yield chunk


async def _forward(incoming) -> AsyncIterator[str]:
    """The subscriber's events as SSE messages, with a heartbeat while nothing happens."""
    pending: asyncio.Future | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(incoming.__anext__())
            done, _ = await asyncio.wait({pending}, timeout=HEARTBEAT)
            if not done:
                yield ": still here\n\n"
                continue
            try:
                event = pending.result()
            except StopAsyncIteration:
                return
            pending = None
            if event is None:
                return
            try:
                payload = json.loads(event.message)
            except (TypeError, ValueError):
                continue
            if payload.get("event") in LIVE_EVENTS:
                yield _message(payload)
    finally:
        if pending is not None:
            pending.cancel()  # the page went away: stop waiting for its next event


def wants_stream(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "")


async def live_events(request: Request):
    """`/events` is also the town's events page: a browser's EventSource asks for `text/event-stream`
    and gets the stream; anything else gets the page."""
    if not wants_stream(request):
        from sns.web.events import event_list  # noqa: PLC0415

        return await event_list(request)
    last = request.headers.get("last-event-id") or request.query_params.get("last")
    return StreamingResponse(_stream(last), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def alert_banner(request: Request):
    """The banner alone, for static/live.js to put in place (the same partial every page includes)."""
    from sns.services.alerts import active_alerts

    ctx = await load_ctx(request)
    html = request.app.state.templates.get_template("_alert_banner.html").render(
        active_alerts=await active_alerts(ctx), lang=i18n.current_locale())
    return HTMLResponse(html, headers={"Cache-Control": "no-cache", "Vary": "Cookie, Accept-Language"})


ROUTES: list[Route] = [
    Route("/events", live_events, methods=["GET"], name="live_events"),
    Route("/alerts/banner", alert_banner, methods=["GET"]),
]
