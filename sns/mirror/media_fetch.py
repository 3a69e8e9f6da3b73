"""Fetching a peer's photo files (docs/mirroring.md, "Photos"), in the pull round after its batches.

Every file is asked for with a signed request and accepted only when the answer is signed, over its
exact bytes, by the peer's confirmed key, is no larger than `max_upload_bytes` (counted while it
arrives), and, when open, has the SHA-256 the signed batch gave for it. A file refused or not reached is
tried again in a later round after a back-off (media_store.set_failed). Open files are deleted here as
soon as the replica says they should not be held (withdrawn, or their parent made private).

`fetch_own_media` is the other direction: a destroyed instance fetching its own photos back from a
neighbour that mirrored it (`sns restore --from-peer`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import anyio
import httpx

from sns.keys import load_signing_key
from sns.media import photo_path, write_durably
from sns.mirror import media_files, media_store, replicas, signing
from sns.mirror.media_serve import H_MEDIA
from sns.mirror.peers import log_refusal
from sns.mirror.pull import PullResult, Refused, Unreachable
from sns.models import Peer
from sns.settings import Settings

log = logging.getLogger(__name__)
CONCURRENCY = 4  # files fetched at once from one peer
PER_ROUND = 200  # files tried in one round at most (the rest wait for the next round)
ROUND_SECONDS = 5.0  # no new file is started after this long: the next journal pull is not held up


async def fetch_file(client: httpx.AsyncClient, settings: Settings, *, url: str, path: str, peer_origin: str,
                     public_key: str, cap: int, signer=None) -> tuple[str, bytes] | None:
    """One signed file from the peer at `url`: (form, bytes) with form 'open' or 'sealed', None when it
    has no such file (404); Refused or Unreachable otherwise."""
    key = signer or load_signing_key(settings.keys_dir)
    headers = signing.sign_request(key, method="GET", target=path, peer=settings.origin, server=peer_origin)
    headers["accept-encoding"] = "identity"
    try:
        async with client.stream("GET", url.rstrip("/") + path, headers=headers) as answer:
            if answer.status_code == 404:
                return None
            if answer.status_code != 200:
                text = (await answer.aread())[:300].decode("utf-8", "replace")
                if answer.status_code in (400, 403):
                    raise Refused("refused_by_peer", f"{answer.status_code} {text}")
                raise Unreachable(f"HTTP {answer.status_code}")
            declared = answer.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise Refused("too_large", f"{path}: {declared} bytes announced, at most {cap}")
            chunks, size = [], 0
            async for chunk in answer.aiter_bytes():
                size += len(chunk)
                if size > cap:
                    raise Refused("too_large", f"{path}: more than {cap} bytes")
                chunks.append(chunk)
            signature, form = answer.headers.get(signing.H_SIGNATURE, ""), answer.headers.get(H_MEDIA, "")
    except httpx.HTTPError as exc:
        raise Unreachable(type(exc).__name__) from None
    body = b"".join(chunks)
    if not signing.verify(signing.unb64(public_key), signature, body):
        raise Refused("bad_signature", f"{path}: {len(body)} bytes not signed by {peer_origin}'s confirmed key")
    if form not in ("open", "sealed"):
        raise Refused("bad_media", f"{path}: neither open nor sealed")
    return form, body


def _write(path: Path, data: bytes) -> None:
    write_durably(path, data)


async def _delete_unwanted(settings: Settings, origin: str, conn: Any) -> int:
    removed = 0
    for row in await media_store.to_delete(conn):
        path = media_files.mirror_path(settings, origin, row["photo_id"], bool(row["thumb"]),
                                       sealed=row["have"] == "sealed")
        await anyio.to_thread.run_sync(lambda p=path: p.unlink(missing_ok=True))
        await media_store.set_have(conn, row["photo_id"], row["thumb"], "")
        removed += 1
    return removed


async def _fetch_one(settings: Settings, peer: Peer, conn: Any, client: httpx.AsyncClient, key,
                     row: dict[str, Any], now: float | None) -> bool:
    photo_id, thumb, want = row["photo_id"], bool(row["thumb"]), row["want"]
    target = f"/mirror/v1/media/{photo_id}?thumb={int(thumb)}"
    cap = settings.max_upload_bytes + (media_files.SEAL_OVERHEAD if want == "sealed" else 0)
    try:
        got = await fetch_file(client, settings, url=peer.url, path=target, peer_origin=peer.origin,
                               public_key=peer.public_key, cap=cap, signer=key)
        if got is None:
            await media_store.set_gone(conn, photo_id, int(thumb))
            return False
        form, body = got
        if form != want:  # the origin changed its mind since the batch: the journal will say, try later
            raise Refused("media_changed", f"{target}: {form}, we expected {want}")
        if form == "open" and hashlib.sha256(body).hexdigest() != row["sha256"]:
            raise Refused("bad_media", f"{target}: {len(body)} bytes that are not the file its batch named")
    except (Refused, Unreachable) as exc:
        what, detail = (exc.what, exc.detail) if isinstance(exc, Refused) else ("unreachable", str(exc))
        if isinstance(exc, Refused) or row["tries"] == 0:
            await log_refusal(peer.origin, "out", what, detail)
        await media_store.set_failed(conn, photo_id, int(thumb), row["tries"], f"{what}: {detail}", now)
        return False
    path = media_files.mirror_path(settings, peer.origin, photo_id, thumb, sealed=form == "sealed")
    await anyio.to_thread.run_sync(_write, path, body)
    other = media_files.mirror_path(settings, peer.origin, photo_id, thumb, sealed=form != "sealed")
    await anyio.to_thread.run_sync(lambda: other.unlink(missing_ok=True))
    await media_store.set_have(conn, photo_id, int(thumb), form)
    return True


async def fetch_wanted(settings: Settings, peer: Peer, *, client: httpx.AsyncClient | None = None,
                       signer=None, budget_seconds: float = ROUND_SECONDS, now: float | None = None) -> int:
    """Delete what we should no longer hold of `peer`'s photos, then fetch what we miss (those due).
    Returns the number of files fetched."""
    conn = await replicas.open_replica(settings, peer.origin)
    await _delete_unwanted(settings, peer.origin, conn)
    rows = await media_store.to_fetch(conn, PER_ROUND, now)
    if not rows:
        return 0
    key = signer or load_signing_key(settings.keys_dir)
    own = client is None
    client = client or httpx.AsyncClient(timeout=settings.mirror_timeout_seconds, follow_redirects=False)
    started, gate = time.monotonic(), asyncio.Semaphore(CONCURRENCY)

    async def one(row: dict[str, Any]) -> bool:
        async with gate:
            if time.monotonic() - started > budget_seconds:
                return False  # left for the next round
            return await _fetch_one(settings, peer, conn, client, key, row, now)

    try:
        done = await asyncio.gather(*(one(r) for r in rows))
    finally:
        if own:
            await client.aclose()
    return sum(done)


async def after_round(settings: Settings, peer: Peer, result: PullResult, site=None) -> None:
    """After each pull round of a peer (a hook the mirror area hands over, sns/areas.py): its photo files."""
    if result.error:  # a peer not answering its journal is not asked for files either
        return
    async with replicas.writer_lock(settings, peer.origin) as mine:
        if mine:  # (else another worker of this machine is at it)
            await fetch_wanted(settings, peer)



@dataclass
class RestoredMedia:
    restored: int = 0  # files written to our media directory
    missing: int = 0  # files the neighbour does not hold
    failed: list[str] = field(default_factory=list)  # "photo_id[.thumb]: why"


async def fetch_own_media(settings: Settings, peer_url: str, peer_origin: str, peer_public_key: str,
                          photo_ids: list[str], backup_private_key, *, signer=None,
                          progress: Callable[[int, int], None] | None = None,
                          client: httpx.AsyncClient | None = None) -> RestoredMedia:
    """Fetch our own photos (both files of each of `photo_ids`) back from the neighbour at `peer_url`,
    which mirrored us: open ones as the JPEG, private ones sealed and opened here with our backup key
    (`backup_private_key`, a nacl PrivateKey; sealed ones fail without it). Written to our media dir."""
    out = RestoredMedia()
    key = signer or load_signing_key(settings.keys_dir)
    jobs = [(pid, thumb) for pid in photo_ids if media_files.safe_id(pid) for thumb in (False, True)]
    out.failed += [f"{pid}: not a photo id" for pid in photo_ids if not media_files.safe_id(pid)]
    gate, finished = asyncio.Semaphore(CONCURRENCY), 0
    cap = settings.max_upload_bytes + media_files.SEAL_OVERHEAD

    async def one(client: httpx.AsyncClient, photo_id: str, thumb: bool) -> None:
        nonlocal finished
        name = photo_id + (".thumb" if thumb else "")
        async with gate:
            try:
                got = await fetch_file(client, settings, url=peer_url, path=f"/mirror/v1/replica-media/"
                                       f"{photo_id}?thumb={int(thumb)}", peer_origin=peer_origin,
                                       public_key=peer_public_key, cap=cap, signer=key)
                if got is None:
                    out.missing += 1
                else:
                    form, body = got
                    if form == "sealed":
                        if backup_private_key is None:
                            raise ValueError("sealed, and no backup key given")
                        body = media_files.open_sealed_photo(backup_private_key, photo_id, thumb, body)
                    await anyio.to_thread.run_sync(_write, photo_path(settings.media_dir, photo_id, thumb), body)
                    out.restored += 1
            except (Refused, Unreachable, ValueError) as exc:
                out.failed.append(f"{name}: {exc}")
            finished += 1
            if progress:
                progress(finished, len(jobs))

    own = client is None
    client = client or httpx.AsyncClient(timeout=settings.mirror_timeout_seconds, follow_redirects=False)
    try:
        await asyncio.gather(*(one(client, pid, thumb) for pid, thumb in jobs))
    finally:
        if own:
            await client.aclose()
    return out
