"""Putting an activity in the delivery queue: one `Delivery` row per receiving server (a follower's shared
inbox when their server has one, else their own inbox), none to a blocked server. Called in the transaction
that writes the post, so a post and its deliveries commit together; the job that sends them signs each one
with the actor's key and retries with back-off (sns/fediverse/delivery.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from sns import tasks
from sns.models import BlockedServer, Delivery, Follower


async def enqueue(conn, actor: str, activity: dict[str, Any]) -> int:
    """Queue `activity` (a whole ActivityPub activity, with its @context) from `actor` ("city" or a user id)
    to every server following it; returns how many deliveries were queued."""
    blocked = set(await BlockedServer.all().using_db(conn).values_list("host", flat=True))
    inboxes: dict[str, str] = {}  # inbox -> host
    for inbox, shared, host in await Follower.filter(actor=actor).using_db(conn).values_list(
            "inbox", "shared_inbox", "host"):
        if host not in blocked:
            inboxes.setdefault(shared or inbox, host)
    if inboxes:
        await Delivery.bulk_create([Delivery(actor=actor, inbox=inbox, host=host, activity=activity)
                                    for inbox, host in sorted(inboxes.items())], using_db=conn)
        nudge_after_commit()
    return len(inboxes)


JOB_NAME = "fediverse_delivery"  # the job sending the queue (sns/fediverse/delivery.py)


def nudge_after_commit(committed: bool = False) -> None:
    """Wake the delivery job wherever it runs: at once when what was queued is `committed`, else twice soon
    after, when the caller's transaction has most likely committed (a slower caller's rows are found at the
    job's pace, `fediverse_delivery_seconds`)."""
    if committed:
        tasks.nudge(JOB_NAME)
        return
    loop = asyncio.get_running_loop()
    loop.call_later(0.05, tasks.nudge, JOB_NAME)
    loop.call_later(0.5, tasks.nudge, JOB_NAME)
