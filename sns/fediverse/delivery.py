"""The job "fediverse_delivery": sends the queued activities (`Delivery` rows, one per receiving server's
inbox, sns/fediverse/queue.py) signed by their actor's key, and retries with back-off.

- Claiming: a due row (pending, `next_try_at` reached) is taken with one conditional UPDATE that moves its
  `next_try_at` past the time a post may take (`claim window`) and counts the try: two workers or machines
  never take the same row, and a worker killed mid-post leaves a row that is simply due again later.
- Posting: each row is one signed POST (`Content-Type: application/activity+json`, draft-cavage signature
  by `keys.key_of(actor)`), with `fediverse_timeout_seconds` to connect and for each wait. Up to `AT_ONCE`
  posts run at once, never two to one server (so one server receives our activities in order), and a round
  keeps taking newly due rows while slow posts are still out: a slow or dead server holds one slot for at
  most its timeout and never delays the others.
- Answers: 2xx is sent; anything else (or no answer) counts a failed try, and the row waits, doubling each
  time, so that `fediverse_delivery_attempts` tries span about `fediverse_delivery_horizon_seconds`, then
  it is `failed`. 410 Gone means the follower (or its whole server, for a shared inbox) left: those
  followers are removed and the row fails at once.
- Waking: queueing nudges the job (`queue.nudge_after_commit`), on whichever machine holds it.
- Keeping less: sent and failed rows and refused inbox posts go after `fediverse_keep_days`; accepted
  signatures after twice the clock skew (a replay that old is refused as stale anyway).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import timedelta

import httpx
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from sns import tasks
from sns.fediverse import keys
from sns.fediverse.addresses import CITY, key_id
from sns.fediverse.queue import JOB_NAME
from sns.fediverse.remote_keys import allowed_url
from sns.fediverse.signatures import sign
from sns.models import Delivery, Follower, InboxRefusal, SeenSignature, User
from sns.models.base import utcnow
from sns.settings import Settings

log = logging.getLogger(__name__)
AT_ONCE = 16  # posts out at the same time (each to a different server)
LOOK_AGAIN = 0.2  # seconds between looks for newly due rows while posts are out
BATCH = 500  # due rows read at one look
PRUNE_EVERY = 60.0
_last_prune = 0.0
_loaded: dict[str, tuple[str, object]] = {}  # actor -> (its private PEM, the key loaded: loading takes ~30 ms)


def retry_wait(settings: Settings, attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: doubling, the waits of all tries adding up to the horizon."""
    steps = max(1, settings.fediverse_delivery_attempts - 1)
    unit = settings.fediverse_delivery_horizon_seconds / (2 ** steps - 1)
    return timedelta(seconds=max(1.0, unit * 2 ** min(max(0, attempts - 1), 30)))


def claim_window(settings: Settings) -> timedelta:
    return timedelta(seconds=3 * settings.fediverse_timeout_seconds + 30)


async def _claim(settings: Settings, row_ids: list[str]) -> list[Delivery]:
    """Take the rows still due, each with its own conditional UPDATE (a row another sender took first no longer
    matches), all in one transaction (one commit), in the order of their ids, so that two senders lock rows in
    the same order and never deadlock."""
    now = utcnow()
    taken = []
    async with in_transaction() as conn:
        for row_id in sorted(row_ids):
            if await Delivery.filter(id=row_id, state="pending", next_try_at__lte=now).using_db(conn).update(
                    next_try_at=now + claim_window(settings), attempts=F("attempts") + 1):
                taken.append(row_id)
    return await Delivery.filter(id__in=taken) if taken else []


async def _signer(settings: Settings, actor: str) -> tuple[str, object]:
    """The keyId and private key `actor` ("city" or a user id) signs with."""
    if actor == CITY:
        name = settings.fediverse_handle
    else:
        user = await User.get_or_none(id=actor)
        if user is None:
            raise LookupError("the actor is gone")
        name = user.username
    pair = await keys.key_of(actor)
    pem, private = _loaded.get(actor, ("", None))
    if pem != pair.private_pem:
        private = keys.private_key(pair)
        _loaded[actor] = (pair.private_pem, private)
    return key_id(settings, name), private


async def _post(settings: Settings, client: httpx.AsyncClient, row: Delivery) -> tuple[str, str]:
    """One signed POST: ("sent" | "retry" | "gone" | "fail", why)."""
    if not allowed_url(settings, row.inbox):
        return "fail", "not a public https address"
    try:
        signer, private = await _signer(settings, row.actor)
    except LookupError as exc:
        return "fail", str(exc)
    body = json.dumps(row.activity, ensure_ascii=False, separators=(",", ":")).encode()
    headers = sign(private, signer, "POST", row.inbox, body, extra={
        "Content-Type": "application/activity+json", "Accept": "application/activity+json",
        "User-Agent": f"sns ({settings.base_url})"})
    try:
        response = await client.post(row.inbox, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return "retry", f"{type(exc).__name__}: {exc}"[:300] if str(exc) else type(exc).__name__
    if 200 <= response.status_code < 300:
        return "sent", ""
    if response.status_code == 410:
        return "gone", "410 Gone"
    return "retry", f"answered {response.status_code}"


async def _finish(settings: Settings, row: Delivery, outcome: str, why: str) -> None:
    mine = Delivery.filter(id=row.id, state="pending")
    if outcome == "sent":
        await mine.update(state="sent", sent_at=utcnow(), last_error="")
        return
    if outcome == "gone":
        left = await Follower.filter(Q(inbox=row.inbox) | Q(shared_inbox=row.inbox)).delete()
        log.info("fediverse delivery: %s is gone; %d followers removed", row.inbox, left)
    if outcome in ("gone", "fail") or row.attempts >= settings.fediverse_delivery_attempts:
        log.warning("fediverse delivery %s to %s failed for good after %d tries: %s", row.id, row.host,
                    row.attempts, why)
        await mine.update(state="failed", last_error=why[:300])
        return
    await mine.update(last_error=why[:300], next_try_at=utcnow() + retry_wait(settings, row.attempts))


async def _send(settings: Settings, client: httpx.AsyncClient, row: Delivery) -> None:
    try:
        outcome, why = await _post(settings, client, row)
    except Exception as exc:  # noqa: BLE001 - a bug or a broken key must not stop the round
        log.exception("fediverse delivery %s: could not post", row.id)
        outcome, why = "retry", f"{type(exc).__name__}"
    await _finish(settings, row, outcome, why)


async def _due(busy: set[str], room: int) -> list[str]:
    """Ids of due rows, the oldest of each server not busy, at most `room`."""
    query = Delivery.filter(state="pending", next_try_at__lte=utcnow())
    if busy:
        query = query.exclude(host__in=sorted(busy))
    picked: dict[str, str] = {}
    for row_id, host in await query.order_by("next_try_at", "created_at").limit(BATCH).values_list("id", "host"):
        if host not in picked:
            picked[host] = row_id
            if len(picked) >= room:
                break
    return list(picked.values())


async def send_due(settings: Settings) -> int:
    """Send what is due until nothing is due and nothing is out; returns how many posts were made."""
    out: dict[asyncio.Task, Delivery] = {}
    made = 0
    timeout = httpx.Timeout(float(settings.fediverse_timeout_seconds))
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False,
                                 limits=httpx.Limits(max_connections=AT_ONCE * 2)) as client:
        try:
            while True:
                room = AT_ONCE - len(out)
                if room > 0:
                    for row in await _claim(settings, await _due({row.host for row in out.values()}, room)):
                        out[asyncio.create_task(_send(settings, client, row))] = row
                        made += 1
                if not out:
                    return made
                done, _ = await asyncio.wait(out, timeout=LOOK_AGAIN, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    out.pop(task)
        except asyncio.CancelledError:  # a clean stop: what is out is due again at once, for the next holder
            for task in out:
                task.cancel()
            await asyncio.gather(*out, return_exceptions=True)
            if out:
                await Delivery.filter(id__in=[r.id for r in out.values()], state="pending").update(
                    next_try_at=utcnow())
            raise


async def prune(settings: Settings) -> None:
    """Forget sent and failed deliveries and refused posts after `fediverse_keep_days`, and accepted
    signatures after twice the clock skew."""
    now = utcnow()
    before = now - timedelta(days=settings.fediverse_keep_days)
    await Delivery.filter(state__in=("sent", "failed"), created_at__lt=before).delete()
    await InboxRefusal.filter(received_at__lt=before).delete()
    await SeenSignature.filter(seen_at__lt=now - timedelta(seconds=2 * settings.fediverse_clock_skew_seconds)).delete()


async def run_round(settings: Settings, site=None) -> None:
    """One round of the job: send what is due; now and then, prune."""
    global _last_prune
    await send_due(settings)
    if time.monotonic() - _last_prune > PRUNE_EVERY:
        _last_prune = time.monotonic()
        await prune(settings)


JOB = tasks.Job(JOB_NAME, run_round, lambda s: float(s.fediverse_delivery_seconds))  # (sns/areas.py)
