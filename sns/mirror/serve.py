"""The endpoints neighbours pull from (docs/mirroring.md, "Messages").

- `GET /mirror/v1/hello`: who this instance is (origin, name, public key and its fingerprint, backup
  key). Open to anyone: it is what an administrator checks the fingerprint against.
- `GET /mirror/v1/journal/{stream}?after=N&limit=M`: a signed batch of the entries of `stream` after N.
  Only an active peer whose key our administrator confirmed may ask, with a signed request. `stream` is
  our own origin (what neighbours mirror), or the asking peer's own origin when we hold its replica (a
  destroyed instance restoring itself from us).
- `GET /mirror/v1/behalf/{origin}?after=N&limit=M`: what that city's staff posted here on its behalf while
  it was down (sns/mirror/behalf.py), kept in its replica as a stream numbered under our origin; served
  only to that city itself, which adopts it (sns/mirror/adopt.py).
  destroyed instance restoring itself from us). A photo entry carries the `media` object naming its
  files by digest (sns/mirror/media_files.py).
- `GET /mirror/v1/media/{photo_id}` and `/mirror/v1/replica-media/{photo_id}`: photo files
  (sns/mirror/media_serve.py).
- `GET /mirror/v1/instance-box` and `GET /mirror/v1/restore/{origin}/instance-box`: the sealed instance
  box (sns/mirror/box_exchange.py).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sns import journal
from sns.journal import KINDS, Entry
from sns.keys import load_signing_key
from sns.mirror import media_files, replicas, seal, signing
from sns.mirror.peers import active_peer, log_refusal
from sns.mirror.travel import Openness
from sns.models import Peer
from sns.settings import Settings
from sns.services.site import load_site

log = logging.getLogger(__name__)
JSON = "application/json"


def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def hello(request: Request) -> Response:
    settings = _settings(request)
    key = load_signing_key(settings.keys_dir)
    public = signing.public_raw(key)
    backup = seal.load_public(settings.keys_dir)

    site = await load_site()
    return JSONResponse({
        "protocol": signing.PROTOCOL, "origin": settings.origin, "name": site.town_name,
        "name_ja": site.town_name_ja, "url": settings.base_url,
        "public_key": signing.b64(public), "fingerprint": signing.fingerprint_of(public),
        "backup_key": signing.b64(backup) if backup else "",
    })


def refuse(status: int, what: str, text: str) -> Response:
    return JSONResponse({"error": text, "what": what}, status_code=status)


async def authenticate(request: Request) -> tuple[Peer | None, Response | None]:
    """The active peer that signed this request, or the refusal to send (logged)."""
    settings = _settings(request)
    origin = request.headers.get(signing.H_PEER, "")[:255]
    peer, why = await active_peer(origin)
    if peer is None:
        await log_refusal(origin, "in", why, f"{request.method} {request.url.path}")
        return None, refuse(403, why, "not a peer of this instance")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    problem = signing.verify_request(signing.unb64(peer.public_key), request.headers, method=request.method,
                                     target=target, server=settings.origin,
                                     skew_seconds=settings.mirror_clock_skew_seconds)
    if problem:
        await log_refusal(origin, "in", problem, f"{request.method} {target}"[:500])
        return None, refuse(403, problem, "the request's signature does not hold")
    return peer, None


def _number(raw: str | None, default: int, low: int, high: int) -> int | None:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        return None
    return max(low, min(high, value))


async def _own_entries(settings: Settings, after: int, limit: int, budget: int) -> list[Entry]:
    """Our journal after `after` as a neighbour may hold it: open entries, or withdrawals with the complete
    record sealed to our backup key, until `budget` bytes."""
    rows = await journal.entries_since(settings.origin, after, limit)
    backup = seal.load_public(settings.keys_dir)
    openness = Openness()
    await openness.prefetch([(row.kind, row.payload or {}) for row in rows])
    out: list[Entry] = []
    size = 0
    for row in rows:
        if row.seq != after + len(out) + 1:  # a gap: an entry not yet committed; stop before it
            break
        shown = await openness.open_payload(row.kind, row.payload or {})
        entry = replace(row, payload=shown) if shown is not None else row.withdrawn()  # withdrawn: no content
        media = await media_files.entry_media(settings.media_dir, row.kind, row.record_id, row.payload or {},
                                              shown is not None, backup is not None)
        if media is not None:
            entry = replace(entry, media=media)  # the files' digests (docs/mirroring.md, "Photos")
        if backup and row.kind in KINDS and (shown is None or row.kind == "user"):  # not a restore's "lost"
            entry = replace(entry, sealed=seal.seal(backup, row.sealed_content(await _complete(row))))
        size += len(json.dumps(entry.to_wire()))
        if out and size > budget:
            break
        out.append(entry)
    return out


async def _complete(row: Entry) -> dict[str, Any]:
    """The entry's payload with what never travels openly put back (a user's password hash, e-mail...),
    read from the current row: a restored instance needs them to let its residents sign in."""
    payload = dict(row.payload or {})
    model = KINDS[row.kind]
    if model.JOURNAL_EXCLUDE:
        current = await model.filter(id=row.record_id).values(*model.JOURNAL_EXCLUDE)
        if current:
            for name, value in current[0].items():
                payload[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return payload


async def _replica_entries(settings: Settings, stream: str, after: int, limit: int,
                           numbered_as: str | None = None) -> list[Entry]:
    """Entries of `stream`'s replica: its own (or, with `numbered_as`, those numbered under that origin)."""
    client = await replicas.open_replica(settings, stream)
    return await journal.entries_by_sql(client, numbered_as or stream, after, limit)


async def head_of(settings: Settings, stream: str) -> int:
    if stream == settings.origin:
        return await journal.head(stream)
    return await replicas.cursor(await replicas.open_replica(settings, stream), stream)


def _query(request: Request, settings: Settings) -> tuple[int, int] | None:
    after = _number(request.query_params.get("after"), 0, 0, 2**62)
    limit = _number(request.query_params.get("limit"), settings.mirror_batch_entries, 1,
                    settings.mirror_batch_entries)
    return None if after is None or limit is None else (after, limit)


def _signed_batch(request: Request, settings: Settings, peer: Peer, stream: str, after: int, head: int,
                  entries: list[Entry], **extra: Any) -> Response:
    body = json.dumps({
        "protocol": signing.PROTOCOL, "from": settings.origin, "to": peer.origin, "stream": stream,
        "after": after, "nonce": request.headers.get(signing.H_NONCE, ""), "issued_at": int(time.time()),
        "head": head, "entries": [e.to_wire() for e in entries], **extra,
    }, separators=(",", ":"), ensure_ascii=False).encode()
    signature = signing.sign_body(load_signing_key(settings.keys_dir), body)
    return Response(body, media_type=JSON, headers={signing.H_SIGNATURE: signature})


async def _batch_request(request: Request) -> tuple[Settings, Peer, int, int] | Response:
    """The signed request of an active peer for a batch, with its `after` and `limit`; or the refusal."""
    settings = _settings(request)
    peer, refusal = await authenticate(request)
    if refusal:
        return refusal
    asked = _query(request, settings)
    if asked is None:
        return refuse(400, "bad_query", "after and limit are whole numbers")
    return settings, peer, *asked


async def journal_batch(request: Request) -> Response:
    asked = await _batch_request(request)
    if isinstance(asked, Response):
        return asked
    settings, peer, after, limit = asked
    stream = request.path_params["stream"]
    extra: dict[str, Any] = {}
    if stream == settings.origin:
        entries = await _own_entries(settings, after, limit, settings.mirror_max_batch_bytes // 2)
        extra["acts_for_you"] = bool(peer.acts_for_us)  # may its staff act for us here while we are down?
    elif stream == peer.origin and await replicas.exists(settings, stream):
        entries = await _replica_entries(settings, stream, after, limit)
    else:
        await log_refusal(peer.origin, "in", "unknown_stream", stream[:200])
        return refuse(404, "unknown_stream", "this instance serves no such journal to you")
    return _signed_batch(request, settings, peer, stream, after, await head_of(settings, stream), entries, **extra)


async def behalf_batch(request: Request) -> Response:
    """What the asking city's staff posted here on its behalf: to that city only."""
    asked = await _batch_request(request)
    if isinstance(asked, Response):
        return asked
    settings, peer, after, limit = asked
    stream = request.path_params["origin"]
    if stream != peer.origin or not await replicas.exists(settings, stream):
        await log_refusal(peer.origin, "in", "unknown_stream", f"behalf/{stream}"[:200])
        return refuse(404, "unknown_stream", "this instance serves no such journal to you")
    entries = await _replica_entries(settings, stream, after, limit, numbered_as=settings.origin)
    head = await replicas.cursor(await replicas.open_replica(settings, stream), settings.origin)
    return _signed_batch(request, settings, peer, stream, after, head, entries, route="behalf")


# The protocol's own addresses; the manifest (sns/areas.py) adds those of media_serve.py and
# box_exchange.py after them.
ROUTES = (
    Route("/mirror/v1/hello", hello, methods=["GET"]),
    Route("/mirror/v1/journal/{stream}", journal_batch, methods=["GET"]),
    Route("/mirror/v1/behalf/{origin}", behalf_batch, methods=["GET"]),
)
