"""`GET /live`: Server-Sent Events for open pages (new alerts and their changes within seconds).

One long response per open page. A comment line every `HEARTBEAT` seconds (sent to every open page at
once by one task per worker, `sns.services.live.heartbeat`, not by a timer per page) keeps proxies from
closing it; `retry:` tells the browser to reconnect after 3 s, sending `Last-Event-ID`, and the changes it
missed are sent first (sns/services/live.py); so are those published while the worker's broker connection
was down, once it is back (sns/events.py hands the stream `RECONNECTED`). With several workers,
`broadcast_url` must be a shared backend (PostgreSQL or Redis) so that a change made through one worker
reaches pages held by another.

The stream was once at `/events` (the town's events page), chosen by `Accept: text/event-stream`;
`/events` still answers that way, for pages opened before the move that reconnect there.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from functools import lru_cache
from typing import AsyncIterator

from starlette.requests import Request
from starlette.responses import HTMLResponse, StreamingResponse
from starlette.routing import Route

from sns import events, i18n, metrics
from sns.services.live import HEARTBEAT_EVENT, LIVE_EVENTS, event_id_at, is_event_id, missed_since
from sns.web.http import load_ctx
from sns.web.events import event_list
from sns.services.alerts import active_alerts
from sns.services.disaster import active_event

log = logging.getLogger(__name__)


def _message(payload: dict) -> str:
    lines = []
    if payload.get("update"):
        lines.append(f"id: {payload['update']}")
    lines.append(f"event: {payload['event']}")
    lines.append("data: " + json.dumps(payload, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


@lru_cache(maxsize=64)
def _chunk_for(message: str) -> str | None:
    """What an open page is sent for an event: made once per event, not once per open page (with 1,000
    pages open, parsing and writing the same JSON 1,000 times was a good part of the fan-out)."""
    try:
        payload = json.loads(message)
    except (TypeError, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    if payload.get("event") == HEARTBEAT_EVENT:
        return ": still here\n\n"
    return _message(payload) if payload.get("event") in LIVE_EVENTS else None


_replaying: dict[str, asyncio.Task] = {}


async def _missed_once(cursor: str) -> list[dict]:
    """`missed_since(cursor)` made once for every stream that asks at the same time: when the worker's broker
    connection comes back, all its open pages catch up at once, most of them from the same id."""
    task = _replaying.get(cursor)
    if task is None:
        task = _replaying[cursor] = asyncio.ensure_future(missed_since(cursor))
        task.add_done_callback(lambda done: _replayed(cursor, done))
    return await asyncio.shield(task)


def _replayed(cursor: str, done: asyncio.Task) -> None:
    _replaying.pop(cursor, None)
    if not done.cancelled() and done.exception() is not None:  # logged once, not once per open page
        log.warning("live: could not replay missed alert changes: %r", done.exception())


async def _stream(last_event_id: str | None) -> AsyncIterator[str]:
    yield "retry: 3000\n\n"
    hub = events.broadcast()
    if hub is None:
        return
    # Where a replay starts: the last id this page was sent, else the time it opened (a hub outage may come
    # before any alert does).
    cursor = last_event_id if is_event_id(last_event_id) else event_id_at(time.time())
    async with hub.subscribe(events.CHANNEL) as subscriber:
        # Subscribed first, then the missed changes: nothing can fall between the two.
        for payload in await missed_since(last_event_id):
            yield _message(payload)
            cursor = payload["update"]
        async for event in subscriber:  # heartbeats come as events too (sns.services.live.heartbeat)
            if event.message == events.RECONNECTED:  # the worker's broker was away: what did this page miss?
                try:
                    missed = await _missed_once(cursor)
                except Exception:  # the database is away too: the browser comes back in 3 s with Last-Event-ID
                    return
                for payload in missed:
                    yield _message(payload)
                    cursor = payload["update"]
                continue
            chunk = _chunk_for(event.message)
            if chunk is not None:
                yield chunk
                if chunk.startswith("id: "):
                    cursor = chunk[4:chunk.index("\n")]


def wants_stream(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "")


async def live_stream(request: Request):
    """The stream an open page listens to (static/live.js), from where its `Last-Event-ID` left off."""
    last = request.headers.get("last-event-id") or request.query_params.get("last")
    return StreamingResponse(metrics.counted_stream(_stream(last)), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def live_events(request: Request):
    """`/events` the old way: an EventSource opened there before the stream had its own address asks
    for `text/event-stream` and gets the stream; anything else gets the town's events page."""
    if not wants_stream(request):
        return await event_list(request)
    return await live_stream(request)


async def alert_banner(request: Request):
    """The banners alone (disaster mode, then alerts), for static/live.js to put in place: the same
    partials every page includes."""
    ctx = await load_ctx(request)
    templates, lang = request.app.state.templates, i18n.current_locale()
    html = templates.get_template("_disaster_banner.html").render(disaster=await active_event(ctx), lang=lang) \
        + templates.get_template("_alert_banner.html").render(active_alerts=await active_alerts(ctx), lang=lang)
    return HTMLResponse(html, headers={"Cache-Control": "no-cache", "Vary": "Cookie, Accept-Language"})


ROUTES: list[Route] = [
    Route("/live", live_stream, methods=["GET"], name="live"),
    Route("/events", live_events, methods=["GET"], name="live_events"),
    Route("/alerts/banner", alert_banner, methods=["GET"]),
]
