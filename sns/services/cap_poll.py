"""Polling the configured CAP sources: the `cap_poll` background job and `sns alerts poll`.

Each round takes the enabled sources that are due, claims each one (a lease on its row, so two workers
never poll the same source at once), fetches it (sns/services/cap_fetch.py), tells a CAP document from
an Atom feed and an HTML error page, and applies every alert through `apply_parsed` (deduplicated by
sender and identifier; Update and Cancel follow). A feed's entries are applied oldest first; a bad
entry is logged and skipped, the others still count. Whatever a source serves (garbage, entity
bombs, 1 GB, a 500, silence), the round records the reason on the source and in the poll log and goes
on with the other sources: nothing here raises out of the job.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from tortoise.expressions import F, Q

from sns import events, tasks
from sns.i18n import N_
from sns.models.alerts import Alert, AlertUpdate
from sns.models.base import utcnow
from sns.models.cap_sources import CapPollLog, CapSource
from sns.services.cap_fetch import FetchError, fetch, make_client
from sns.services.cap_import import CapError, ParsedAlert, apply_parsed, document_kind, parse_cap, parse_feed
from sns.settings import Settings

log = logging.getLogger(__name__)

ERROR_LABELS = {
    "timeout": N_("No answer in time"), "connect": N_("Could not connect"), "http": N_("The server answered with an error"),
    "too_large": N_("Too large"), "html": N_("A web page, not alerts"), "refused": N_("Refused: not valid CAP or Atom"),
    "unknown": N_("An update of an alert we never received"), "redirects": N_("Too many redirects"),
    "url": N_("Not a web address we fetch"), "network": N_("Network error"), "internal": N_("Internal error"),
}
MAX_ENTRIES = 100  # a feed's entries read per round
MAX_LINKS = 20  # linked CAP documents fetched per round (the rest next round)
LINK_CONCURRENCY = 4
SOURCE_CONCURRENCY = 4
KEEP_SEEN = 500
LOG_KEEP = 500  # newest poll-log entries kept
ORDER = {"Alert": 0, "Update": 1, "Cancel": 2}
TRANSIENT = frozenset({"timeout", "connect", "http", "network", "redirects"})  # worth trying again next round


@dataclass
class Outcome:
    """What one poll of one source did (the CLI prints these)."""

    source_id: str
    label: str
    url: str
    result: str = "ok"  # ok, not_modified, failed, busy
    new: int = 0
    changed: int = 0
    same: int = 0
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (url, code, reason)
    error: tuple[str, str] | None = None  # (code, reason) when the whole poll failed


def interval(source: CapSource, settings: Settings) -> int:
    return max(10, source.poll_seconds or settings.cap_poll_seconds)


def _lease(settings: Settings) -> timedelta:
    return timedelta(seconds=30 + 3 * settings.cap_timeout_seconds * (2 + MAX_LINKS // LINK_CONCURRENCY))


def _sniff(body: bytes, content_type: str, settings: Settings) -> str:
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:300] \
            or content_type.lower().startswith("text/html"):
        raise FetchError("html", "an HTML page (an error or sign-in page?), not a CAP document or an Atom feed")
    if not head:
        raise FetchError("refused", "the body is empty")
    try:
        return document_kind(body, max_bytes=settings.cap_max_bytes)
    except CapError as exc:
        raise FetchError("refused", str(exc)) from None


async def _apply(parsed: ParsedAlert, source: CapSource, settings: Settings, outcome: Outcome, where: str) -> bool:
    """Apply one parsed message; count it; tell open pages when it changed anything."""
    if parsed.msg_type == "Alert":
        before = await Alert.exists(sender=parsed.sender, identifier=parsed.identifier)
    else:
        before = await AlertUpdate.exists(cap_identifier=parsed.identifier, alert__sender=parsed.sender)
    alert = await apply_parsed(parsed, source.url, origin=settings.origin)
    if alert is None:
        outcome.refused.append((where, "unknown", f"{parsed.msg_type} {parsed.identifier[:80]} from "
                                                  f"{parsed.sender[:80]} refers to no alert we have"))
        return False
    step = await AlertUpdate.filter(alert_id=alert.id, cap_identifier=parsed.identifier).first()
    if before or step is None:
        outcome.same += 1
        return True
    if parsed.msg_type == "Alert":
        outcome.new += 1
    else:
        outcome.changed += 1
    await events.publish("alert", {"id": alert.id, "status": alert.status, "update": step.id})
    tasks.nudge("alert_notices")  # residents who asked are told of an imported alert as of a local one
    return True


async def _linked(client, urls: list[str], settings: Settings, outcome: Outcome) -> list[tuple[str, bytes]]:
    gate = asyncio.Semaphore(LINK_CONCURRENCY)

    async def one(url: str):
        async with gate:
            try:
                got = await fetch(client, url, settings)
                if got is not None:
                    _sniff(got.body, got.content_type, settings)
                    return url, got.body
            except FetchError as exc:
                outcome.refused.append((url, exc.code, exc.reason))
            return None

    return [pair for pair in await asyncio.gather(*(one(u) for u in urls)) if pair]


async def _poll(source: CapSource, settings: Settings, client: httpx.AsyncClient, outcome: Outcome) -> None:
    got = await fetch(client, source.url, settings, etag=source.etag, last_modified=source.last_modified)
    if got is None:
        outcome.result = "not_modified"
        return
    documents: list[tuple[str, bytes]] = []
    links: list[str] = []
    if _sniff(got.body, got.content_type, settings) == "cap":
        documents.append((source.url, got.body))
    else:
        try:
            items = parse_feed(got.body, max_bytes=settings.cap_max_bytes)
        except CapError as exc:
            raise FetchError("refused", str(exc)) from None
        seen = set(source.seen_links or [])
        documents += [(f"{source.url}#entry-{i + 1}", item) for i, item in enumerate(items[:MAX_ENTRIES])
                      if isinstance(item, bytes)]
        links = list(dict.fromkeys(u for u in items[:MAX_ENTRIES] if isinstance(u, str) and u not in seen))
        links = links[:MAX_LINKS]
        documents += await _linked(client, links, settings, outcome)
    parsed: list[tuple[str, ParsedAlert]] = []
    for where, body in documents:
        try:
            parsed.append((where, parse_cap(body, max_bytes=settings.cap_max_bytes)[0]))
        except CapError as exc:
            if where == source.url:  # the source itself is one bad document
                raise FetchError("refused", str(exc)) from None
            outcome.refused.append((where, "refused", str(exc)))
    parsed.sort(key=lambda pair: (pair[1].sent, ORDER.get(pair[1].msg_type, 3)))
    done = [url for url, code, _ in outcome.refused if code not in TRANSIENT and url in links]
    for where, message in parsed:
        if await _apply(message, source, settings, outcome, where) and where in links:
            done.append(where)
    if done:  # linked documents applied (or refused for good) are not fetched again
        source.seen_links = [*(source.seen_links or []), *done][-KEEP_SEEN:]
    if any(code in TRANSIENT for _, code, _ in outcome.refused):  # fetch the whole feed again next round
        source.etag = source.last_modified = ""
    else:
        source.etag, source.last_modified = got.etag, got.last_modified


async def _record(source: CapSource, outcome: Outcome) -> None:
    now = utcnow()
    values: dict = dict(last_polled_at=now, lease_until=None, imported=F("imported") + outcome.new,
                        changes=F("changes") + outcome.changed)
    problems = ([(source.url, *outcome.error)] if outcome.error else []) + outcome.refused
    if outcome.error:
        values.update(last_error_code=outcome.error[0], last_error=outcome.error[1], last_error_at=now)
    else:
        values.update(last_success_at=now, etag=source.etag, last_modified=source.last_modified,
                      seen_links=source.seen_links or [])
        if outcome.refused:
            first = outcome.refused[0]
            values.update(last_error_code=first[1], last_error_at=now, last_error=(
                f"{len(outcome.refused)} refused; the first, {first[0][:300]}: {first[2]}"))
        elif outcome.result != "not_modified":
            values.update(last_error_code="", last_error="")
    values["refused"] = F("refused") + len(problems)
    await CapSource.filter(id=source.id).update(**values)
    still_there = await CapSource.exists(id=source.id)
    for url, code, reason in problems[:50]:
        log.warning("CAP source %s (%s): %s: %s", source.label, url, code, reason)
        await CapPollLog.create(source_id=source.id if still_there else None, url=url[:1000], code=code,
                                reason=reason[:2000])
    if problems:
        old = await CapPollLog.all().order_by("-created_at", "-id").offset(LOG_KEEP).values_list("id", flat=True)
        if old:
            await CapPollLog.filter(id__in=list(old)).delete()


async def claim(source: CapSource, settings: Settings, *, force: bool = False) -> bool:
    """Take the source for this round (False: another worker has it, or it is not due any more)."""
    now = utcnow()
    query = CapSource.filter(Q(id=source.id), Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    if not force:
        due = now - timedelta(seconds=interval(source, settings))
        query = query.filter(Q(last_polled_at__isnull=True) | Q(last_polled_at__lte=due), enabled=True)
    return await query.update(lease_until=now + _lease(settings)) == 1


async def poll_source(source: CapSource, settings: Settings, client: httpx.AsyncClient, *,
                      force: bool = False) -> Outcome:
    """Poll one source once (claimed first) and record the result on it; never raises."""
    outcome = Outcome(source.id, source.label, source.url)
    try:
        if not await claim(source, settings, force=force):
            outcome.result = "busy"
            return outcome
        try:
            await _poll(source, settings, client, outcome)
        except FetchError as exc:
            outcome.result, outcome.error = "failed", (exc.code, exc.reason)
        except Exception as exc:  # a bug or the database: the round goes on with the other sources
            log.exception("polling CAP source %s failed", source.url)
            outcome.result, outcome.error = "failed", ("internal", f"internal error: {type(exc).__name__}")
        await _record(source, outcome)
    except Exception:
        log.exception("recording the poll of CAP source %s failed", source.url)
        if outcome.error is None:
            outcome.result, outcome.error = "failed", ("internal", "internal error while recording")
    return outcome


async def poll_sources(settings: Settings, *, source_ids: list[str] | None = None,
                       force: bool = False) -> list[Outcome]:
    """Poll the due enabled sources (or exactly `source_ids`, due or not, with `force`); never raises."""
    try:
        query = CapSource.all() if source_ids is not None else CapSource.filter(enabled=True)
        if source_ids is not None:
            query = query.filter(id__in=source_ids)
        now = utcnow()
        sources = [s for s in await query.order_by("created_at", "id")
                   if force or s.last_polled_at is None or s.last_polled_at <= now - timedelta(seconds=interval(s, settings))]
        if not sources:
            return []
        gate = asyncio.Semaphore(SOURCE_CONCURRENCY)
        async with make_client(settings) as client:
            async def one(source: CapSource) -> Outcome:
                async with gate:
                    return await poll_source(source, settings, client, force=force)

            results = await asyncio.gather(*(one(s) for s in sources), return_exceptions=True)
        return [r for r in results if isinstance(r, Outcome)]
    except Exception:
        log.exception("the CAP polling round failed")
        return []


async def run_job(settings: Settings, site=None) -> None:
    """The job `cap_poll` (its round needs nothing of the site but the settings)."""
    await poll_sources(settings)


JOB = tasks.Job("cap_poll", run_job, lambda s: max(1, min(10, s.cap_poll_seconds)))  # (sns/areas.py)
