"""The job "mail_intake": fetch mail to the city from a mailbox over IMAP (`intake_imap_url`).

A round logs in (imaplib, in a worker thread: the protocol is a few short commands), looks for UNSEEN
messages, and for each: one over `intake_max_bytes` (by its RFC822.SIZE, never downloaded) is flagged,
marked seen and logged as refused, left in the mailbox for a person; any other is fetched without being
marked (BODY.PEEK), handed to `mail_intake.receive`, and marked seen only once that returned. A message that
fails on our side stays unseen and is tried again next round; one message failing never stops the others.
A message seen twice (two holders of the job in turn, a crash between receiving and marking) is stored once.
"""

from __future__ import annotations

import imaplib
import logging
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import anyio

from sns import tasks
from sns.limits import RateLimiter, open_store
from sns.models import IncomingMail
from sns.services import mail_intake
from sns.settings import Settings

log = logging.getLogger(__name__)
SIZE_RE = re.compile(rb"RFC822\.SIZE (\d+)")
TIMEOUT = 30


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    tls: bool
    user: str
    password: str
    folder: str


def mailbox_of(url: str) -> Mailbox:
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ValueError("intake_imap_url must be imap://user:password@host/FOLDER or imaps://...")
    tls = parts.scheme == "imaps"
    return Mailbox(parts.hostname, parts.port or (993 if tls else 143), tls, unquote(parts.username or ""),
                   unquote(parts.password or ""), unquote(parts.path.lstrip("/")) or "INBOX")


def _connect(box: Mailbox) -> imaplib.IMAP4:
    conn = imaplib.IMAP4_SSL(box.host, box.port, timeout=TIMEOUT) if box.tls \
        else imaplib.IMAP4(box.host, box.port, timeout=TIMEOUT)
    conn.login(box.user, box.password)
    conn.select(f'"{box.folder}"')
    return conn


def _unseen(conn: imaplib.IMAP4) -> list[tuple[bytes, int]]:
    """(uid, size) of every unseen message."""
    typ, data = conn.uid("SEARCH", None, "UNSEEN")
    uids = data[0].split() if typ == "OK" and data and data[0] else []
    found = []
    for uid in uids:
        typ, info = conn.uid("FETCH", uid, "(RFC822.SIZE)")
        match = SIZE_RE.search(b" ".join(i if isinstance(i, bytes) else b" ".join(i) for i in info if i))
        found.append((uid, int(match.group(1)) if match else 0))
    return found


def _fetch(conn: imaplib.IMAP4, uid: bytes) -> bytes:
    typ, data = conn.uid("FETCH", uid, "(BODY.PEEK[])")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    raise RuntimeError(f"message {uid!r} could not be fetched")


def _mark(conn: imaplib.IMAP4, uid: bytes, flags: str) -> None:
    conn.uid("STORE", uid, "+FLAGS", flags)


async def run_round(settings: Settings, site=None) -> None:
    """One round of the job "mail_intake" (nothing to do without `intake_imap_url`)."""
    if not settings.intake_imap_url:
        return
    box = mailbox_of(settings.intake_imap_url)
    conn = await anyio.to_thread.run_sync(_connect, box)
    store = open_store(settings)
    limiter = RateLimiter("intake", settings.intake_mails_per_hour, 3600, store)
    try:
        for uid, size in await anyio.to_thread.run_sync(_unseen, conn):
            await _one(settings, conn, uid, size, limiter)
    finally:
        await store.close()
        await anyio.to_thread.run_sync(_logout, conn)


async def _one(settings: Settings, conn: imaplib.IMAP4, uid: bytes, size: int, limiter: RateLimiter) -> None:
    if size > settings.intake_max_bytes:
        await anyio.to_thread.run_sync(_mark, conn, uid, r"(\Seen \Flagged)")
        await IncomingMail.create(via="imap", size=size, state="refused",
                                  reason=f"too large: {size} bytes (at most {settings.intake_max_bytes}); "
                                         "left in the mailbox, flagged")
        log.warning("mail to the city too large (%d bytes), left in the mailbox flagged", size)
        return
    try:
        raw = await anyio.to_thread.run_sync(_fetch, conn, uid)
        await mail_intake.receive(settings, raw, mail_from=_return_path(raw), rcpt_to=(), via="imap",
                                  limiter=limiter)
    except Exception:  # this one is tried again next round; the others go on
        log.exception("mail to the city: message %r could not be taken, left unseen", uid)
        return
    await anyio.to_thread.run_sync(_mark, conn, uid, r"(\Seen)")


def _return_path(raw: bytes) -> str:
    match = re.search(rb"^Return-Path:\s*(<[^>\r\n]*>)", raw[:8192], re.MULTILINE | re.IGNORECASE)
    return match.group(1).decode("ascii", "replace").strip("<>") or "<>" if match else ""


def _logout(conn: imaplib.IMAP4) -> None:
    try:
        conn.logout()
    except Exception:
        pass


JOB = tasks.Job("mail_intake", run_round, lambda s: float(s.intake_imap_seconds))  # (sns/areas.py)
