"""Instance boxes travelling (docs/mirroring.md, "Backups and restore").

- `GET /mirror/v1/instance-box?have=STAMP` (origin side): a signed request from an active peer gets a
  signed answer naming the origin, the peer, the request's nonce and the box's stamp, with the sealed box
  itself unless the peer already holds that stamp.
- `keep_fresh` (neighbour side, after each pull round): asks for it at most every
  `mirror_instance_box_seconds` (and at once for `sns mirror sync`) and keeps the answer, exactly as signed, in the origin's replica
  (`replica_meta` key "instance_box").
- `GET /mirror/v1/restore/{origin}/instance-box` (neighbour side, no signature): hands the kept answer
  to whoever asks. A destroyed instance has no key to sign with yet; what it gets is sealed to its own
  backup key, which only its administrator holds offline, so the asker learns nothing it can use
  without that key (only that we mirror that origin, which its hello says anyway, and the box's size).
  Rate-limited per address and logged all the same.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sns.keys import load_signing_key
from sns.mirror import instance_box, replicas, seal, signing
from sns.mirror.peers import log_refusal
from sns.mirror.serve import authenticate, refuse
from sns.models import Peer
from sns.settings import Settings

log = logging.getLogger(__name__)
META_KEY = "instance_box"
MAX_BOX_BYTES = 4 * 1024 * 1024
_tried: dict[tuple[str, str], float] = {}  # (data directory, origin) -> when we last asked for its box


async def serve_box(request: Request) -> Response:
    """The origin's sealed instance box, to an active peer's signed request."""
    settings: Settings = request.app.state.settings
    peer, refusal = await authenticate(request)
    if refusal:
        return refusal
    backup = seal.load_public(settings.keys_dir)
    if not backup:
        return refuse(404, "no_backup_key", "this instance has no backup key yet (sns mirror backup-key)")
    value = await instance_box.contents(settings)
    stamp = instance_box.stamp_of(value)
    body = json.dumps({
        "protocol": signing.PROTOCOL, "from": settings.origin, "to": peer.origin,
        "nonce": request.headers.get(signing.H_NONCE, ""), "issued_at": int(time.time()), "stamp": stamp,
        "sealed": None if request.query_params.get("have") == stamp else seal.seal(backup, value),
    }, separators=(",", ":")).encode()
    signature = signing.sign_body(load_signing_key(settings.keys_dir), body)
    return Response(body, media_type="application/json", headers={signing.H_SIGNATURE: signature})


async def kept(replica: Any) -> dict[str, Any] | None:
    """The box answer kept in a replica: {body, signature, stamp, fetched_at}, or None."""
    value = await replicas.meta(replica, META_KEY)
    return json.loads(value) if value is not None else None


async def _keep(replica: Any, value: dict[str, Any]) -> None:
    await replicas.set_meta(replica, META_KEY, json.dumps(value))


async def keep_fresh(settings: Settings, peer: Peer, *, force: bool = False,
                     client: httpx.AsyncClient | None = None) -> bool:
    """Fetch `peer`'s instance box if due (or `force`); True when we hold a fresh one afterwards.
    A failure is logged in the mirror log and tried again next round; it never stops pulling."""
    tried = (str(settings.data_dir), peer.origin)
    if not force and time.monotonic() - _tried.get(tried, -1e9) < settings.mirror_instance_box_seconds:
        return True  # asked lately (answered or not): not again before the interval
    _tried[tried] = time.monotonic()
    replica = await replicas.open_replica(settings, peer.origin)
    held = await kept(replica)
    target = "/mirror/v1/instance-box" + (f"?have={held['stamp']}" if held else "")
    headers = signing.sign_request(load_signing_key(settings.keys_dir), method="GET", target=target,
                                   peer=settings.origin, server=peer.origin)
    http = client or httpx.AsyncClient(timeout=settings.mirror_timeout_seconds, follow_redirects=False)
    try:
        answer = await http.get(peer.url.rstrip("/") + target, headers=headers)
    except httpx.HTTPError as exc:
        log.info("instance box of %s not fetched: %r", peer.origin, exc)
        return False
    finally:
        if client is None:
            await http.aclose()
    if answer.status_code == 404:  # no backup key there yet, or a version without boxes: nothing to keep
        log.info("%s has no instance box for us: %s", peer.origin, answer.text[:200])
        return False
    problem = _check(answer, peer, settings, headers[signing.H_NONCE])
    if problem:
        await log_refusal(peer.origin, "out", problem[0], f"instance box: {problem[1]}")
        return False
    answer_json = json.loads(answer.content)
    if answer_json["sealed"] is None:
        if not held or held["stamp"] != answer_json["stamp"]:
            await log_refusal(peer.origin, "out", "bad_batch", "instance box: unchanged, but we hold no such box")
            return False
        held["fetched_at"] = time.time()
        await _keep(replica, held)
        return True
    await _keep(replica, {"body": answer.content.decode(), "signature": answer.headers.get(signing.H_SIGNATURE, ""),
                          "stamp": answer_json["stamp"], "fetched_at": time.time()})
    return True


def _check(answer: httpx.Response, peer: Peer, settings: Settings, nonce: str) -> tuple[str, str] | None:
    """What is wrong with a box answer, as (word, detail); None when it holds."""
    if answer.status_code != 200:
        return "refused_by_peer", f"{answer.status_code} {answer.text[:200]}"
    if len(answer.content) > MAX_BOX_BYTES:
        return "too_large", f"{len(answer.content)} bytes"
    if not signing.verify(signing.unb64(peer.public_key), answer.headers.get(signing.H_SIGNATURE, ""), answer.content):
        return "bad_signature", "not signed by its confirmed key"
    try:
        value = json.loads(answer.content)
    except ValueError:
        return "bad_batch", "not JSON"
    if not isinstance(value, dict) or value.get("from") != peer.origin or value.get("to") != settings.origin:
        return "misaddressed", "not from that peer for us"
    if value.get("nonce") != nonce:
        return "replay", "answers another request"
    if not isinstance(value.get("stamp"), str) or not isinstance(value.get("sealed"), (str, type(None))):
        return "bad_batch", "no stamp or box"
    return None


async def hand_out_box(request: Request) -> Response:
    """The sealed instance box we keep for `origin`, to anyone (see the module's docstring for why)."""
    settings: Settings = request.app.state.settings
    origin = request.path_params["origin"][:255]
    asker = request.client.host if request.client else ""
    if not await request.app.state.limits.box_asks.hit(asker):  # counted across machines
        await log_refusal(origin, "in", "too_many", f"instance box asked too often by {asker}")
        return refuse(429, "too_many", "asked too often; try again in an hour")
    peer = await Peer.get_or_none(origin=origin)
    held = None
    if peer is not None and await replicas.exists(settings, origin):
        held = await kept(await replicas.open_replica(settings, origin))
    if held is None:
        await log_refusal(origin, "in", "no_replica", f"instance box asked by {asker}")
        return refuse(404, "no_replica", "this instance holds no copy of that origin")
    replica = await replicas.open_replica(settings, origin)
    await log_refusal(origin, "in", "box_handed_out", f"sealed instance box handed to {asker}")
    return JSONResponse({
        "protocol": signing.PROTOCOL, "origin": origin, "from": settings.origin, "peer_state": peer.state,
        "public_key": peer.public_key, "fingerprint": peer.fingerprint, "backup_key": peer.backup_key,
        "head": await replicas.cursor(replica, origin), "fetched_at": held["fetched_at"],
        "body": held["body"], "signature": held["signature"],
    })


ROUTES = (
    Route("/mirror/v1/instance-box", serve_box, methods=["GET"]),
    Route("/mirror/v1/restore/{origin}/instance-box", hand_out_box, methods=["GET"]),
)
