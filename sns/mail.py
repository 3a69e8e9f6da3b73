"""Outgoing mail through aiosmtplib, sent in the background with retries.

With no `smtp_host` set, messages are written to the log (handy for the demo).
"""

from __future__ import annotations

import asyncio
import logging
from email.message import EmailMessage

import aiosmtplib

from sns.settings import Settings

log = logging.getLogger(__name__)
_pending: set[asyncio.Task] = set()


def build_message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    return msg


async def send(settings: Settings, to: str, subject: str, body: str, attempts: int = 4) -> bool:
    msg = build_message(settings, to, subject, body)
    if not settings.smtp_host:
        log.warning("mail (no smtp_host set) to %s: %s\n%s", to, subject, body)
        return True
    delay = 1.0
    for attempt in range(1, attempts + 1):
        try:
            await aiosmtplib.send(
                msg,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username or None,
                password=settings.smtp_password or None,
                start_tls=settings.smtp_starttls,
                timeout=20,
            )
            return True
        except Exception as exc:  # network trouble: retry with back-off, never crash the caller
            log.warning("mail to %s failed (attempt %d): %s", to, attempt, exc)
            if attempt < attempts:
                await asyncio.sleep(delay)
                delay *= 4
    return False


def send_later(settings: Settings, to: str, subject: str, body: str) -> None:
    """Queue a message; the request that asked for it does not wait."""
    task = asyncio.get_running_loop().create_task(send(settings, to, subject, body))
    _pending.add(task)
    task.add_done_callback(_pending.discard)


async def drain(timeout: float = 30) -> None:
    """Wait for queued mail (tests, shutdown)."""
    if _pending:
        await asyncio.wait(list(_pending), timeout=timeout)
