"""Pulling a peer's journal (docs/mirroring.md, "Pulling"): fetch, check every batch, apply it.

A batch is accepted only when all of this holds, else it is refused, logged, and nothing of it applied:
the answer's signature verifies, over the exact bytes received, with the key our administrator confirmed
for that peer; it was made by that peer for us, for the stream we asked, starting after our cursor and
answering our request's nonce (so a recorded batch cannot be replayed); its entries are numbered without
gap from our cursor on; every entry is well formed (parsed here, once, into a typed `sns.journal.Entry`:
`Entry.from_wire`) and every open one a record of the peer's own origin; and it is no larger than
`mirror_max_batch_bytes` (counted while it arrives). From here on the code passes `Entry` objects.
Entries and records are applied in one transaction of the replica, so a pull killed at any moment leaves
the replica at a batch boundary.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Sequence

import httpx

from sns import tasks
from sns.journal import BadEntry, Entry
from sns.keys import load_signing_key
from sns.mirror import box_exchange, replicas, signing
from sns.mirror.peers import log_refusal
from sns.models import Peer
from sns.models.base import utcnow
from sns.settings import Settings

if TYPE_CHECKING:  # the manifest names this module's job, so it imports it
    from sns.areas import Site

log = logging.getLogger(__name__)

# The hooks a pull runs come from the site's areas (sns/areas.py, `after_apply`, `after_round`, `on_store`),
# passed in as `site`: the server's job and `sns mirror sync` build the same site, so they run the same hooks.
AfterApply = Callable[[Settings, str, list[dict[str, Any]]], Awaitable[None]]


class Refused(Exception):
    """A batch (or an answer) we do not accept: `what` is the word logged, `detail` says more."""

    def __init__(self, what: str, detail: str = ""):
        super().__init__(f"{what}: {detail}" if detail else what)
        self.what, self.detail = what, detail


class Unreachable(Exception):
    pass


@dataclass
class Batch:
    after: int
    head: int
    entries: list[Entry] = field(default_factory=list)
    acts_for_you: bool = False  # the peer lets us act for it while it is down (docs/mirroring.md)


@dataclass
class PullResult:
    origin: str
    applied: int = 0
    cursor: int = 0
    head: int = 0
    error: str = ""


def _entries_of(entries: Any, *, after: int, origin: str, stream: str, limit: int, own_only: bool) -> list[Entry]:
    """The batch's entries, each parsed once into an `Entry` (sns/journal/entry.py), or Refused."""
    if not isinstance(entries, list) or len(entries) > limit:
        raise Refused("bad_batch", "entries missing or more than asked for")
    out = []
    for n, e in enumerate(entries, start=after + 1):
        if not isinstance(e, dict) or e.get("seq") != n:
            raise Refused("out_of_order", f"expected entry {n}, got {e.get('seq') if isinstance(e, dict) else e!r}")
        try:
            entry = Entry.from_wire(e, origin=origin)
        except BadEntry as exc:
            raise Refused("bad_entry", f"entry {n}: {exc}") from None
        if own_only and entry.payload is not None and entry.payload.get("origin") != stream:
            raise Refused("foreign_record", f"entry {n}: a record of {str(entry.payload.get('origin'))[:80]!r}, "
                          f"not of {stream}")
        out.append(entry)
    return out


async def fetch_batch(settings: Settings, *, url: str, peer_origin: str, public_key: str, stream: str,
                      after: int, limit: int, signer=None, own_only: bool = True,
                      client: httpx.AsyncClient | None = None, route: str = "journal") -> Batch:
    """One signed batch of `stream` after `after` from the peer at `url`, checked; Refused or Unreachable.
    `route` "behalf": what was written there on our behalf (`stream` is then our own origin)."""
    key = signer or load_signing_key(settings.keys_dir)
    target = f"/mirror/v1/{route}/{stream}?after={after}&limit={limit}"
    headers = signing.sign_request(key, method="GET", target=target, peer=settings.origin, server=peer_origin)
    cap = settings.mirror_max_batch_bytes
    own = client is None
    client = client or httpx.AsyncClient(timeout=settings.mirror_timeout_seconds, follow_redirects=False)
    try:
        async with client.stream("GET", url.rstrip("/") + target, headers=headers) as answer:
            if answer.status_code != 200:
                text = (await answer.aread())[:300].decode("utf-8", "replace")
                if answer.status_code in (403, 404, 400):
                    raise Refused("refused_by_peer", f"{answer.status_code} {text}")
                raise Unreachable(f"HTTP {answer.status_code}")
            declared = answer.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise Refused("too_large", f"{declared} bytes announced, at most {cap}")
            chunks, size = [], 0
            async for chunk in answer.aiter_bytes():  # gzip undone as it arrives: the cap counts what it unpacks to
                size += len(chunk)
                if size > cap:
                    raise Refused("too_large", f"more than {cap} bytes")
                chunks.append(chunk)
            signature = answer.headers.get(signing.H_SIGNATURE, "")
    except httpx.HTTPError as exc:
        raise Unreachable(type(exc).__name__) from None
    finally:
        if own:
            await client.aclose()
    body = b"".join(chunks)
    if not signing.verify(signing.unb64(public_key), signature, body):
        raise Refused("bad_signature", f"{len(body)} bytes not signed by {peer_origin}'s confirmed key")
    try:
        batch = json.loads(body)
    except ValueError:
        raise Refused("bad_batch", "not JSON") from None
    if not isinstance(batch, dict) or batch.get("protocol") != signing.PROTOCOL:
        raise Refused("bad_batch", "not a batch of this protocol")
    if batch.get("from") != peer_origin or batch.get("to") != settings.origin or batch.get("stream") != stream \
            or batch.get("route", "journal") != route:
        raise Refused("misaddressed", f"from {batch.get('from')!r} to {batch.get('to')!r} of {batch.get('stream')!r}")
    if batch.get("nonce") != headers[signing.H_NONCE]:
        raise Refused("replay", "the batch answers another request")
    if batch.get("after") != after:
        raise Refused("out_of_order", f"batch starts after {batch.get('after')!r}, we hold {after}")
    head = batch.get("head")
    if not isinstance(head, int) or head < after:
        raise Refused("bad_batch", "no head")
    # numbered by the peer: its own journal, its replica of us, or what it wrote for us ("behalf")
    numbered_by = peer_origin if route == "behalf" else stream
    entries = _entries_of(batch.get("entries"), after=after, origin=numbered_by, stream=stream, limit=limit,
                          own_only=own_only)
    return Batch(after=after, head=head, entries=entries, acts_for_you=batch.get("acts_for_you") is True)


async def _note_failure(peer: Peer, what: str, detail: str, refused: bool) -> None:
    text = f"{what}: {detail}"[:500] if detail else what
    if refused or text != peer.last_error:  # an unreachable peer is logged when it starts, not every second
        await log_refusal(peer.origin, "out", what, detail)
    peer.failures += 1
    peer.last_error = text
    await Peer.filter(id=peer.id).update(failures=peer.failures, last_error=text, last_attempt_at=utcnow())


async def after_apply(settings: Settings, origin: str, entries: list[Entry], hooks: Sequence[AfterApply]) -> None:
    """Run the site's `after_apply` hooks on the open entries just written to `origin`'s replica (handed
    to the hooks in their wire form, with the origin that numbered them)."""
    opened = [dict(e.to_wire(), origin=e.origin) for e in entries if e.is_open]
    for hook in hooks:
        try:
            await hook(settings, origin, opened)
        except Exception:
            log.exception("after-apply hook %s failed for %s", hook, origin)


async def pull_peer(settings: Settings, peer: Peer, site: Site, *, budget_seconds: float = 10.0,
                    progress: Callable[[int, int], None] | None = None) -> PullResult:
    """Pull `peer` until caught up (or `budget_seconds` passed), then the site's `after_round` hooks (its
    photo files, what it holds for us); safe to repeat and to kill."""
    result = await _pull_journal(settings, peer, site, budget_seconds=budget_seconds, progress=progress)
    for hook in site.after_round:
        try:
            await hook(settings, peer, result, site)
        except Exception:
            log.exception("after-round hook %s failed for %s", hook, peer.origin)
    return result


async def _pull_journal(settings: Settings, peer: Peer, site: Site, *, budget_seconds: float,
                        progress: Callable[[int, int], None] | None) -> PullResult:
    result = PullResult(peer.origin)
    replica = await replicas.open_replica(settings, peer.origin)
    async with replicas.writer_lock(settings, peer.origin) as mine:
        if not mine:
            return result  # another worker of this machine is pulling it right now
        started = time.monotonic()
        key = load_signing_key(settings.keys_dir)
        async with httpx.AsyncClient(timeout=settings.mirror_timeout_seconds, follow_redirects=False) as client:
            while True:
                after = await replicas.cursor(replica, peer.origin)
                result.cursor = after
                try:
                    batch = await fetch_batch(settings, url=peer.url, peer_origin=peer.origin,
                                              public_key=peer.public_key, stream=peer.origin, after=after,
                                              limit=settings.mirror_batch_entries, signer=key, client=client)
                except Refused as exc:
                    result.error = str(exc)
                    await _note_failure(peer, exc.what, exc.detail, True)
                    return result
                except Unreachable as exc:
                    result.error = f"unreachable: {exc}"
                    await _note_failure(peer, "unreachable", str(exc), False)
                    return result
                entries = batch.entries
                if entries:
                    stored = await replicas.store_entries(replica, entries, expect_after=after, stream=peer.origin,
                                                          on_store=site.on_store)
                    if stored is None:
                        return result  # someone else applied it meanwhile
                    result.applied += len(entries)
                    result.cursor = stored
                    await after_apply(settings, peer.origin, entries, site.after_apply)
                result.head = batch.head
                now = utcnow()
                changes: dict[str, Any] = dict(last_ok_at=now, last_attempt_at=now, failures=0, last_error="",
                                               head_seq=batch.head, acts_for_them=batch.acts_for_you)
                if entries and entries[-1].recorded_at:
                    changes["last_entry_at"] = entries[-1].recorded_at
                await Peer.filter(id=peer.id).update(**changes)
                peer.failures, peer.last_error = 0, ""
                if progress:
                    progress(result.cursor, batch.head)
                if not entries or result.cursor >= batch.head or time.monotonic() - started > budget_seconds:
                    return result


async def pull_all(settings: Settings, site: Site, *, budget_seconds: float = 10.0) -> list[PullResult]:
    peers = await Peer.filter(state="active").order_by("added_at")
    results = await asyncio.gather(*(pull_peer(settings, p, site, budget_seconds=budget_seconds) for p in peers),
                                   return_exceptions=True)
    out = []
    for peer, r in zip(peers, results):
        if isinstance(r, BaseException):
            log.error("pulling %s failed: %r", peer.origin, r)
            out.append(PullResult(peer.origin, error=repr(r)))
        else:
            out.append(r)
            if not r.error:  # its instance box too, now and then (what it needs to be restored from us)
                try:
                    await box_exchange.keep_fresh(settings, peer)
                except Exception:
                    log.exception("keeping the instance box of %s failed", peer.origin)
    return out


async def run_job(settings: Settings, site: Site) -> None:
    await pull_all(settings, site)


JOB = tasks.Job("mirror_pull", run_job, lambda s: float(s.mirror_pull_seconds))  # (sns/areas.py)
