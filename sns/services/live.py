"""What open pages hear live: the events worth a Server-Sent Event, and what a page missed while away.

Services publish after commit (`sns.events.publish`); `/events` forwards the kinds listed here. Each
alert change carries the id of its AlertUpdate (time-ordered), which is the SSE event id: a page that
reconnects with `Last-Event-ID` is sent the changes it missed from the database, so nothing is lost
between a dropped connection and the next, whichever worker it reconnects to.

Two tasks run in every worker's lifespan (sns/app.py): `follow_changes` forgets what is shared when an
alert changes in any worker, and `heartbeat` sends every open page a keep-alive line every 15 s.

When the worker's broker connection comes back after an outage (sns/events.py), subscribers hear
`RECONNECTED_EVENT`: open streams replay what they missed (`missed_since` from the last id they sent) and
`follow_changes` forgets what is shared, since an alert may have changed meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from sns import events, tasks
from sns.models import AlertUpdate
from sns.services.shared import public_changed
from sns.services.site import SITE_CHANGED, forget_cached_site

log = logging.getLogger(__name__)
LIVE_EVENTS = frozenset({"alert", "disaster"})
# changes to what every reader sees alike (banners, alerts page); after an outage any of them may have happened
FORGET_ON = frozenset({"alert", "disaster", events.RECONNECTED_EVENT})
HEARTBEAT, HEARTBEAT_EVENT = 15.0, "heartbeat"  # every open page hears one this often
REPLAY_LIMIT = 100  # a page away for longer than this many changes reloads what it shows anyway
CLOCK_SLACK_MS = 60_000  # machines' clocks may differ this much: a replay from a time starts this much earlier


def is_event_id(value: str | None) -> bool:
    return bool(value) and len(value) == 36 and all(ch in "0123456789abcdef-" for ch in value)


def event_id_at(seconds: float) -> str:
    """The smallest AlertUpdate id (UUIDv7, ordered by time) that could have been made at `seconds` (a
    `time.time()`) on any machine: where a stream that was sent no id yet replays from after an outage."""
    ms = max(0, int(seconds * 1000) // CLOCK_SLACK_MS * CLOCK_SLACK_MS - CLOCK_SLACK_MS)  # pages opened in one
    # minute share one, so that their replays after an outage are one query (sns/web/live.py)
    h = f"{ms:012x}"
    return f"{h[:8]}-{h[8:12]}-7000-8000-000000000000"


async def missed_since(last_event_id: str | None) -> list[dict[str, Any]]:
    """The alert changes after `last_event_id` (an AlertUpdate id), oldest first; nothing for a bad id."""
    if not is_event_id(last_event_id):
        return []
    rows = await (AlertUpdate.filter(id__gt=last_event_id, deleted_at=None).order_by("id").limit(REPLAY_LIMIT)
                  .values("id", "alert_id", "status"))
    return [{"event": "alert", "id": r["alert_id"], "status": r["status"], "update": r["id"]} for r in rows]


async def follow_changes(hub) -> None:
    """Run by every worker's lifespan: when an alert changes, in this worker or in another one (through
    `broadcast_url`), what is shared is forgotten (`public_changed()`), so the banner a page fetches after
    the event, the alerts page and the front page are fresh at once in every worker, not only after
    `shared_cache_seconds`. Being subscribed all along also keeps the backend's LISTEN open."""
    async with hub.subscribe(events.CHANNEL) as subscriber:
        async for event in subscriber:
            if event is None:
                return
            try:
                data = json.loads(event.message)
                kind = data.get("event")
            except (TypeError, ValueError, AttributeError):
                continue
            if kind in FORGET_ON:
                public_changed()
            elif kind == SITE_CHANGED:  # an administrator saved the site settings, here or on another machine
                forget_cached_site()
            elif kind == "job":  # a job nudged anywhere: run here if this process holds its lease
                tasks.wake(str(data.get("name")))


async def heartbeat(every: float = HEARTBEAT) -> None:
    """Run by every worker's lifespan: one event every `every` seconds, which `/events` sends to each open
    page as a comment line, so that proxies keep idle streams open (one timer per worker, not per page)."""
    while True:
        await asyncio.sleep(every)
        await events.publish(HEARTBEAT_EVENT, {})
