"""Outgoing mail through a persistent outbox (`mail_outbox`), sent by the job "mail" with aiosmtplib.

`queue(conn, settings, to, subject, body)` writes the mail in the caller's transaction, so an invitation or
a reset link exists exactly when what caused it was committed, and a crash loses neither. The job claims
due rows with one UPDATE (`claimed_by`, `claimed_until`: two senders never take the same row; a sender
killed mid-send leaves a claim that simply expires), sends each with its fixed Message-ID (a retry is the
same message to the receiving server) and marks it sent. A failure is tried again after
`mail_retry_seconds`, doubling up to an hour, at most `mail_max_attempts` times, then the row is marked
failed; while the SMTP server is down, mail waits in the outbox.

With no `smtp_host` set, messages are written to the log (handy for the demo) and marked sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
from tortoise.expressions import F, Q

from sns import tasks
from sns.ids import uuid7
from sns.models import OutboxMail
from sns.models.base import utcnow
from sns.settings import Settings

log = logging.getLogger(__name__)
CLAIM = timedelta(minutes=5)  # longer than a round's sending takes (PER_ROUND / AT_ONCE x the SMTP timeout)
PER_ROUND, AT_ONCE, SMTP_TIMEOUT = 40, 4, 20
MAX_WAIT = 3600.0  # the longest wait between two tries of one mail


def build_message(settings: Settings, to: str, subject: str, body: str, message_id: str = "", *,
                  headers: dict[str, str] | None = None, attachments: Sequence[Attachment] = ()) -> EmailMessage:
    """One plain-text mail; `headers` adds lines (Reply-To, In-Reply-To, References...), `attachments`
    text parts (an appointment's .ics)."""
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or new_message_id(settings)
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    for item in attachments:
        maintype, _, subtype = item.type.partition("/")
        msg.add_attachment(item.text.encode(), maintype=maintype, subtype=subtype, filename=item.name)
    return msg


@dataclass(frozen=True)
class Attachment:
    """A text file sent with a mail (an iCalendar file: `text/calendar`)."""

    name: str
    type: str
    text: str


def new_message_id(settings: Settings) -> str:
    return make_msgid(domain=settings.mail_from.rpartition("@")[2] or "localhost")


async def queue(conn, settings: Settings, to: str, subject: str, body: str, *, message_id: str = "",
                headers: dict[str, str] | None = None, attachments: Sequence[Attachment] = ()) -> OutboxMail:
    """Put a mail in the outbox, in `conn`'s transaction (None: on its own), and wake the job "mail".
    `message_id` (else a new one), `headers` and `attachments` as `build_message` takes them."""
    row = await OutboxMail.create(message_id=message_id or new_message_id(settings), to_addr=to, subject=subject,
                                  body=body, headers=json.dumps(headers) if headers else "",
                                  attachments=json.dumps([vars(a) for a in attachments]) if attachments else "",
                                  using_db=conn)
    _nudge_after_commit(conn is not None)
    return row


def _nudge_after_commit(in_transaction: bool) -> None:
    """The job cannot see the row before the caller commits; a nudge a little later finds it committed
    (and if the caller is slower than that, the job's own pace, `mail_outbox_seconds`, does)."""
    if not in_transaction:
        tasks.nudge("mail")
        return
    asyncio.get_running_loop().call_later(0.3, tasks.nudge, "mail")


async def deliver(settings: Settings, msg: EmailMessage) -> None:
    """Hand one message to the SMTP server (raises when it cannot); without `smtp_host`, to the log."""
    if not settings.smtp_host:
        log.warning("mail (no smtp_host set) to %s: %s\n%s", msg["To"], msg["Subject"], msg.get_body(("plain",)).get_content())
        return
    await aiosmtplib.send(msg, hostname=settings.smtp_host, port=settings.smtp_port,
                          username=settings.smtp_username or None, password=settings.smtp_password or None,
                          start_tls=settings.smtp_starttls, timeout=SMTP_TIMEOUT)


async def send(settings: Settings, to: str, subject: str, body: str, attempts: int = 1) -> bool:
    """Send now, without the outbox: for senders that keep their own persistent queue (alert notices,
    sns/services/alert_sending.py, retry a notice from its row). True when the server took it."""
    msg = build_message(settings, to, subject, body)
    for attempt in range(1, attempts + 1):
        try:
            await deliver(settings, msg)
            return True
        except Exception as exc:  # network trouble: the caller's row records it and tries again later
            log.warning("mail to %s failed (attempt %d): %s", to, attempt, exc)
    return False


def retry_wait(settings: Settings, attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: mail_retry_seconds, doubling, at most an hour."""
    return timedelta(seconds=min(MAX_WAIT, settings.mail_retry_seconds * 2 ** min(max(0, attempts - 1), 20)))


async def _claim(at: datetime) -> list[OutboxMail]:
    """Claim up to PER_ROUND due mails in one UPDATE: a row another sender claimed first no longer matches
    the condition when this UPDATE reaches it, so each mail goes to one sender only."""
    free = Q(claimed_until=None) | Q(claimed_until__lt=at)
    due = await OutboxMail.filter(free, state="queued", next_at__lte=at).order_by("next_at", "id") \
        .limit(PER_ROUND).values_list("id", flat=True)
    if not due:
        return []
    claim = f"{tasks.HOLDER}:{uuid7()}"
    await OutboxMail.filter(free, id__in=list(due), state="queued", next_at__lte=at) \
        .update(claimed_by=claim, claimed_until=at + CLAIM, attempts=F("attempts") + 1)
    return await OutboxMail.filter(claimed_by=claim).order_by("next_at", "id")


async def _send_one(settings: Settings, row: OutboxMail) -> None:
    mine = OutboxMail.filter(id=row.id, claimed_by=row.claimed_by)
    try:
        await deliver(settings, build_message(
            settings, row.to_addr, row.subject, row.body, row.message_id,
            headers=json.loads(row.headers) if row.headers else None,
            attachments=[Attachment(**a) for a in json.loads(row.attachments)] if row.attachments else ()))
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        if row.attempts >= settings.mail_max_attempts:
            log.error("mail %s to %s failed for good after %d tries: %s", row.id, row.to_addr, row.attempts, error)
            await mine.update(state="failed", last_error=error, claimed_until=None)
        else:
            log.warning("mail %s to %s failed (try %d), tried again later: %s", row.id, row.to_addr, row.attempts,
                        error)
            await mine.update(last_error=error, claimed_until=None, next_at=utcnow() + retry_wait(settings, row.attempts))
        return
    await mine.update(state="sent", sent_at=utcnow(), last_error="", claimed_until=None)


async def send_due(settings: Settings) -> int:
    """Send the mails that are due (claimed first); returns how many this round claimed."""
    claimed = await _claim(utcnow())
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(row: OutboxMail) -> None:
        async with gate:
            await _send_one(settings, row)

    try:
        await asyncio.gather(*(one(row) for row in claimed))
    except asyncio.CancelledError:  # a clean stop: what was not sent yet goes back, for the next holder now
        if claimed:
            await OutboxMail.filter(claimed_by=claimed[0].claimed_by, state="queued").update(claimed_until=None)
        raise
    return len(claimed)


async def run_round(settings: Settings, site=None) -> None:
    """One round of the job "mail": send until nothing more is due now."""
    while await send_due(settings) >= PER_ROUND:
        pass


async def drain(settings: Settings) -> None:
    """Send every mail that is due now, here (tests, and `sns` commands that write mail)."""
    await run_round(settings)


JOB = tasks.Job("mail", run_round, lambda s: float(s.mail_outbox_seconds))  # (sns/areas.py)
