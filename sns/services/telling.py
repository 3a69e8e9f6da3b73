"""Telling a resident something by mail or Web Push, once: reminders (documents, garbage days, appointments)
and notices near their home. One queue for all of them (`Telling` rows), sent by the job "telling".

`tell(...)` writes one row per channel the resident chose, keyed by the occasion (`key`): (key, user,
channel) is unique, so a reminder that two workers, or two rounds after a crash, decide to send is written
(and sent) once. The texts are made when the row is written, in the resident's language (`texts` is called
inside `using_locale`). E-mail goes through the outbox (sns/mail.py) in the same transaction, which retries
on its own; Web Push is sent by the job, claimed first (one UPDATE per round, like alert notices), retried
with back-off, and a push service answering 404/410 removes the browser's subscription.
"""

from __future__ import annotations

import asyncio
from contextlib import nullcontext
import json
import logging
from datetime import datetime, timedelta
from typing import Callable

import httpx
from tortoise.expressions import F, Q

from sns import mail, tasks, webpush
from sns.i18n import using_locale
from sns.ids import uuid7
from sns.models import User
from sns.models.alert_notices import PushSubscription
from sns.models.base import utcnow
from sns.models.reminders import Telling
from sns.services.base import transaction
from sns.settings import Settings

log = logging.getLogger(__name__)

JOB_NAME = "telling"
MAX_ATTEMPTS = 6
CLAIM = timedelta(minutes=2)
PER_ROUND, AT_ONCE, PUSH_TIMEOUT = 200, 8, 10.0

Texts = Callable[[], tuple[str, str]]  # () -> (subject, body), called in the resident's language


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 15 * 4 ** max(0, attempts - 1)))


async def tell(settings: Settings, user: User, key: str, texts: Texts, *, url: str = "", email: bool = True,
               push: bool = False, conn=None) -> int:
    """Tell `user` of the occasion `key` on the channels asked for (e-mail only when they have an address).
    Returns how many channels were newly written: 0 when it was told before (or nothing was asked)."""
    if user.state != "active":
        return 0
    with using_locale(user.locale or settings.default_locale):
        subject, body = texts()
    link = settings.base_url + url if url else ""
    written = 0
    async with (nullcontext(conn) if conn is not None else transaction()) as tx:
        for channel, wanted in (("email", email and bool(user.email)), ("push", push)):
            if not wanted:
                continue
            # ON CONFLICT DO NOTHING (a failed INSERT would spoil the caller's transaction on PostgreSQL)
            row = Telling(id=uuid7(), key=key[:200], user_id=user.id, channel=channel, subject=subject[:300],
                          body=body, url=url)
            await Telling.bulk_create([row], ignore_conflicts=True, using_db=tx)
            if not await Telling.filter(id=row.id).using_db(tx).exists():
                continue  # told already
            if channel == "email":
                await mail.queue(tx, settings, user.email, subject, body + (f"\n\n{link}" if link else ""))
                await Telling.filter(id=row.id).using_db(tx).update(state="sent", sent_at=utcnow())
            written += 1
    if push and written:
        tasks.nudge(JOB_NAME)
    return written


async def _claim(now: datetime) -> list[Telling]:
    free = Q(claimed_until=None) | Q(claimed_until__lt=now)
    due = await Telling.filter(free, state="pending", channel="push", next_try_at__lte=now) \
        .order_by("created_at", "id").limit(PER_ROUND).values_list("id", flat=True)
    if not due:
        return []
    claim = uuid7()
    await Telling.filter(free, id__in=list(due), state="pending").update(claimed_until=now + CLAIM, claim=claim,
                                                                         attempts=F("attempts") + 1)
    return await Telling.filter(claim=claim)


async def _finish(row: Telling, ok: bool, error: str = "", *, drop: bool = False) -> None:
    if ok:
        values = dict(state="sent", sent_at=utcnow(), last_error="", claimed_until=None)
    elif drop or row.attempts >= MAX_ATTEMPTS:
        values = dict(state="dropped" if drop else "failed", last_error=error[:500], claimed_until=None)
    else:
        values = dict(last_error=error[:500], claimed_until=None, next_try_at=utcnow() + retry_delay(row.attempts))
    await Telling.filter(id=row.id).update(**values)
    if not ok:
        log.warning("telling %s (%s) not sent: %s", row.id, row.key, error)


async def _push_one(settings: Settings, client: httpx.AsyncClient, row: Telling) -> None:
    """Send one row to every browser the resident subscribed (sent when one of them took it)."""
    browsers = await PushSubscription.filter(user_id=row.user_id)
    if not browsers:
        return await _finish(row, False, "no browser subscribed to Web Push", drop=True)
    payload = json.dumps({"title": row.subject, "body": row.body[:200], "url": row.url, "tag": row.key},
                         ensure_ascii=False).encode()
    errors, took = [], False
    for browser in browsers:
        result = await webpush.send(settings, client, endpoint=browser.endpoint, p256dh=browser.p256dh,
                                    auth=browser.auth, payload=payload)
        if result.gone:
            await PushSubscription.filter(id=browser.id).delete()
        took = took or result.ok
        if not result.ok:
            errors.append(result.error or f"push service answered {result.status}")
    await _finish(row, took, "; ".join(errors))


async def send_due(settings: Settings, *, now: datetime | None = None) -> int:
    """Send the pushes that are due (claimed first); returns how many this round claimed."""
    claimed = await _claim(now or utcnow())
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(row: Telling) -> None:
        async with gate:
            try:
                await _push_one(settings, client, row)
            except Exception as exc:  # one row's trouble never holds back the others
                log.exception("telling %s failed", row.id)
                await _finish(row, False, f"{type(exc).__name__}: {exc}")

    async with httpx.AsyncClient(timeout=PUSH_TIMEOUT, follow_redirects=False) as client:
        await asyncio.gather(*(one(row) for row in claimed))
    return len(claimed)


async def run_round(settings: Settings, site=None) -> None:
    while await send_due(settings) >= PER_ROUND:
        pass


JOB = tasks.Job(JOB_NAME, run_round, lambda s: 30.0)  # nudged when a push is written (sns/areas.py)
