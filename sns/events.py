"""Live events for open pages, through `broadcaster` (memory by default).

Services publish after their transaction commits; pages subscribe (Server-Sent
Events arrive with the alerts issue). With several workers, set
`broadcast_url` to a PostgreSQL or Redis URL so every worker hears every event.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from broadcaster import Broadcast

log = logging.getLogger(__name__)
CHANNEL = "sns"
_broadcast: Broadcast | None = None


def open_broadcast(url: str) -> Broadcast:
    global _broadcast
    _broadcast = Broadcast(url)
    return _broadcast


def close_broadcast() -> None:
    global _broadcast
    _broadcast = None


async def publish(event: str, data: dict[str, Any]) -> None:
    """Tell open pages about a committed change. Never fails the caller."""
    if _broadcast is None:
        return
    try:
        await _broadcast.publish(channel=CHANNEL, message=json.dumps({"event": event, **data}))
    except Exception:  # a live-update hiccup must not undo a committed post
        log.exception("could not publish %s", event)


def broadcast() -> Broadcast | None:
    return _broadcast
