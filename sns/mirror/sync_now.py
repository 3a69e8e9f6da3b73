""""Sync now" on the mirror page: pull one peer at once, with the site's hooks, waiting a little for it."""

from __future__ import annotations

import asyncio

from sns.context import Ctx
from sns.mirror.peers import peer_to_pull
from sns.mirror.pull import pull_peer
from sns.models import Peer

_background: set[asyncio.Task] = set()  # "sync now" pulls still running after the page answered


async def sync_now(ctx: Ctx, origin: str, *, wait_seconds: float) -> bool:
    """Pull one active peer now and wait up to `wait_seconds` for it to catch up: True when it finished
    (its health shows the result), False when it goes on in the background or another worker has it."""
    peer = await peer_to_pull(ctx, origin)
    task = asyncio.ensure_future(pull_peer(ctx.settings, peer, ctx.site))
    done, _ = await asyncio.wait({task}, timeout=wait_seconds)
    if not done:
        _background.add(task)
        task.add_done_callback(_background.discard)
        return False
    task.result()
    after = await Peer.get(id=peer.id)
    return after.last_attempt_at != peer.last_attempt_at  # unchanged: another worker was pulling it
