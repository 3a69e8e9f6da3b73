"""The photo files peers fetch (docs/mirroring.md, "Photos"); signed requests from active peers only.

- `GET /mirror/v1/media/{photo_id}?thumb=0|1`: one file of one of our photos. A photo that travels
  openly (the same rule as its journal entry, on its current row) comes as the JPEG itself; a private
  one only sealed to our backup key, so a restore can bring it back and the neighbour can never look at
  it. Anything else (deleted, unknown, no backup key for a private one): 404.
- `GET /mirror/v1/replica-media/{photo_id}?thumb=0|1`: what we keep of a photo of the asking peer's
  own stream (its open JPEG or its sealed copy), for a destroyed instance restoring itself from us.

Both answers carry `x-sns-media: open|sealed` and a signature over the exact bytes of the body.
"""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sns.keys import load_signing_key
from sns.media import photo_path
from sns.mirror import media_files, media_store, replicas, seal, signing
from sns.mirror.serve import _settings, authenticate
from sns.mirror.travel import Openness
from sns.models import Photo

H_MEDIA = "x-sns-media"
TYPES = {"open": "image/jpeg", "sealed": "application/octet-stream"}


def _thumb(request: Request) -> bool | None:
    raw = request.query_params.get("thumb", "0")
    return {"0": False, "1": True}.get(raw)


def signed_file(settings, body: bytes, form: str) -> Response:
    signature = signing.sign_body(load_signing_key(settings.keys_dir), body)
    # Sent as it is (no gzip: a JPEG does not shrink, and the signature is over these bytes).
    return Response(body, media_type=TYPES[form], headers={
        signing.H_SIGNATURE: signature, H_MEDIA: form, "content-encoding": "identity",
        "cache-control": "no-store"})


def _read(path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


async def own_media(request: Request) -> Response:
    peer, refusal = await authenticate(request)
    if refusal is not None:
        return refusal
    settings = _settings(request)
    photo_id, thumb = request.path_params["photo_id"], _thumb(request)
    if thumb is None or not media_files.safe_id(photo_id):
        return Response(status_code=404)
    rows = await Photo.filter(id=photo_id, deleted_at=None).values()
    if not rows:
        return Response(status_code=404)
    data = await anyio.to_thread.run_sync(_read, photo_path(settings.media_dir, photo_id, thumb))
    if data is None:
        return Response(status_code=404)
    if await Openness().is_open("photo", rows[0]):
        return signed_file(settings, data, "open")
    backup = seal.load_public(settings.keys_dir)
    if backup is None:
        return Response(status_code=404)
    return signed_file(settings, media_files.seal_photo(backup, photo_id, thumb, data), "sealed")


async def replica_media(request: Request) -> Response:
    peer, refusal = await authenticate(request)
    if refusal is not None:
        return refusal
    settings = _settings(request)
    photo_id, thumb = request.path_params["photo_id"], _thumb(request)
    if thumb is None or not media_files.safe_id(photo_id) \
            or not await replicas.exists(settings, peer.origin):
        return Response(status_code=404)
    conn = await replicas.open_replica(settings, peer.origin)
    form = await media_store.held(conn, photo_id, int(thumb))
    if form not in TYPES:
        return Response(status_code=404)
    path = media_files.mirror_path(settings, peer.origin, photo_id, thumb, sealed=form == "sealed")
    data = await anyio.to_thread.run_sync(_read, path)
    if data is None:
        return Response(status_code=404)
    return signed_file(settings, data, form)


ROUTES = [
    Route("/mirror/v1/media/{photo_id}", own_media, methods=["GET"]),
    Route("/mirror/v1/replica-media/{photo_id}", replica_media, methods=["GET"]),
]
