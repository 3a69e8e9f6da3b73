"""Live events for open pages, through `broadcaster` (memory by default).

Services publish after their transaction commits; pages subscribe (Server-Sent
Events arrive with the alerts issue). With several workers, set
`broadcast_url` to a PostgreSQL or Redis URL so every worker hears every event.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from broadcaster import Broadcast

log = logging.getLogger(__name__)
CHANNEL = "sns"
_broadcast: Broadcast | None = None
_publishing: asyncio.Lock | None = None


def open_broadcast(url: str) -> Broadcast:
    global _broadcast, _publishing
    _broadcast = Broadcast(url)
    _publishing = asyncio.Lock()
    return _broadcast


def close_broadcast() -> None:
    global _broadcast
    _broadcast = None


async def publish(event: str, data: dict[str, Any]) -> None:
    """Tell open pages about a committed change. Never fails the caller."""
    if _broadcast is None:
        return
    try:
        # One at a time: the PostgreSQL backend sends NOTIFY on its single connection, where a second
        # statement while one is in flight fails ("another operation is in progress") and loses the event.
        async with _publishing:
            await _broadcast.publish(channel=CHANNEL, message=json.dumps({"event": event, **data}))
    except Exception:  # a live-update hiccup must not undo a committed post
        log.exception("could not publish %s", event)


def broadcast() -> Broadcast | None:
    return _broadcast


def connected() -> bool:
    """Is this process's live-events broker open (what /readyz asks)? A minimal answer until the broker
    reports its own connection state."""
    return _broadcast is not None
