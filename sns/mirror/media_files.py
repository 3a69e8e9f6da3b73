"""Photo files in mirroring (docs/mirroring.md, "Photos"): where they lie, their digests, sealed photos.

On the origin a photo is the two files `sns.media.photo_path` names (the re-encoded JPEG and its
thumbnail). A neighbour keeps its copy under `<data>/mirror/<origin>/media/` in the same layout: the
open JPEGs as `.jpg`, the sealed copies of private photos as `.sealed` files it cannot read.

A photo entry of a batch carries a `media` object: `{sha256, thumb_sha256, bytes, thumb_bytes}` (hex
digests of the two files) when the entry travels openly, `{"sealed": true}` when it is withdrawn but the
origin holds a sealed copy for the neighbour to keep, `{}` when there is nothing to fetch. The batch is
signed, so a neighbour checks every file it fetches separately against these digests.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

import anyio

from sns.media import photo_path
from sns.mirror import replicas, seal

ID_RE = re.compile(r"^[0-9A-Za-z_-]{1,36}$")  # what a photo id may look like before it names a file
SEALED_MAGIC = b"sns-photo/1\n"
SEAL_OVERHEAD = 48 + len(SEALED_MAGIC) + 40  # the box, the magic line, the id and thumb line
_DIGESTS: OrderedDict[tuple[str, int, int], str] = OrderedDict()
_DIGESTS_KEEP = 20000


def safe_id(photo_id: Any) -> bool:
    return isinstance(photo_id, str) and bool(ID_RE.match(photo_id))


def mirror_media_dir(where: replicas.Where, origin: str) -> Path:
    """Where a replica's photo files are kept: beside the replica's file on SQLite; in the media directory
    on PostgreSQL, which every machine of the city shares as it shares the replica's schema."""
    if replicas.postgres_url(where):
        return where.media_dir / "mirror" / replicas.safe_name(origin)  # type: ignore[union-attr]
    return replicas.replicas_dir(where) / replicas.safe_name(origin) / "media"


def mirror_path(where: replicas.Where, origin: str, photo_id: str, thumb: bool, sealed: bool) -> Path:
    """The neighbour's copy of one file of `origin`'s photo: the open JPEG, or its sealed copy."""
    path = photo_path(mirror_media_dir(where, origin), photo_id, thumb)
    return path.with_suffix(".sealed") if sealed else path


def _digest(path: Path, *, read: bool = True) -> str | None:
    """The file's SHA-256 (hex), remembered by path, size and modification time; None when missing
    (or, with `read=False`, when not remembered)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    known = _DIGESTS.get(key)
    if known is not None:
        try:
            _DIGESTS.move_to_end(key)
        except KeyError:  # forgotten meanwhile by a thread hashing another photo
            pass
        return known
    if not read:
        return None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    _DIGESTS[key] = digest
    while len(_DIGESTS) > _DIGESTS_KEEP:
        try:
            _DIGESTS.popitem(last=False)
        except KeyError:
            break
    return digest


def _open_media(media_dir: Path, photo_id: str, read: bool = True) -> dict[str, Any] | None:
    full, thumb = photo_path(media_dir, photo_id), photo_path(media_dir, photo_id, True)
    full_sha, thumb_sha = _digest(full, read=read), _digest(thumb, read=read)
    if not read and (full_sha is None or thumb_sha is None):
        return None
    if full_sha is None or thumb_sha is None:
        return {}
    return {"sha256": full_sha, "thumb_sha256": thumb_sha, "bytes": full.stat().st_size,
            "thumb_bytes": thumb.stat().st_size}


async def entry_media(media_dir: Path, kind: str, record_id: str, payload: dict[str, Any], shown: bool,
                      can_seal: bool) -> dict[str, Any] | None:
    """The `media` object of a photo entry we serve (None for other kinds)."""
    if kind != "photo" or not safe_id(record_id):
        return None
    if shown:  # (files read in a thread, once: a photo's digests are remembered)
        known = _open_media(media_dir, record_id, read=False)
        return known if known is not None else await anyio.to_thread.run_sync(_open_media, media_dir, record_id)
    if payload.get("deleted_at") is None and can_seal and photo_path(media_dir, record_id).exists():
        return {"sealed": True}
    return {}


def _sealed_header(photo_id: str, thumb: bool) -> bytes:
    return SEALED_MAGIC + f"{photo_id} {int(thumb)}\n".encode()


def seal_photo(public: bytes, photo_id: str, thumb: bool, jpeg: bytes) -> bytes:
    """A private photo's file sealed to the origin's backup key, naming which file it is inside the box
    (so a restore cannot be handed one photo in place of another)."""
    return seal.seal_bytes(public, _sealed_header(photo_id, thumb) + jpeg)


def open_sealed_photo(private, photo_id: str, thumb: bool, blob: bytes) -> bytes:
    """The JPEG in a sealed photo, if the box is for exactly that file; BadBackupKey otherwise."""
    data = seal.open_bytes(private, blob)
    header = _sealed_header(photo_id, thumb)
    if not data.startswith(header):
        raise seal.BadBackupKey("the sealed photo is not the one asked for")
    return data[len(header):]
