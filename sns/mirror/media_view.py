"""A mirrored city's photos on our pages (docs/mirroring.md, "Photos"): the file to send, if any.

A photo is shown while it is in the replica, what it belongs to is public there
(`policies.can_view_mirrored_photo`) and we hold its open JPEG (fetched and checked against its digest).
"""

from __future__ import annotations

from pathlib import Path

from sns.settings import Settings
from typing import Any

from sns.mirror import media_files, media_store, replicas
from sns.models import Album, Community, Diary, DisasterPost, Event, Photo, Reply, StreetReport, Topic, User
from sns.policies import can_view_mirrored_photo

_PARENTS = {"event": Event, "report": StreetReport, "disaster": DisasterPost}


async def _owners(conn: Any, photo: Photo) -> dict[str, Any]:
    """The replica's records `photo` belongs to, by kind (what the policy needs, nothing more)."""

    async def get(model, record_id):
        return await model.filter(id=record_id).using_db(conn).first() if record_id else None

    owners: dict[str, Any] = {}
    purpose = photo.purpose
    if purpose == "diary":
        owners["diary"] = await get(Diary, photo.diary_id)
    elif purpose == "avatar":
        owners["user"] = await get(User, photo.owner_id)
    elif purpose == "album":
        owners["album"] = await get(Album, photo.album_id)
    elif purpose in _PARENTS:
        owners[purpose] = await get(_PARENTS[purpose], photo.parent_id)
    elif purpose == "reply":
        owners["reply"] = await get(Reply, photo.parent_id)
        owners["topic"] = await get(Topic, owners["reply"].topic_id if owners["reply"] else None)
    elif purpose == "topic":
        owners["topic"] = await get(Topic, photo.parent_id)
    holder = owners.get("topic") or owners.get("album") or owners.get("event")
    if holder is not None and getattr(holder, "community_id", None):
        owners["community"] = await get(Community, holder.community_id)
    return owners


async def mirrored_photo_file(settings: Settings, origin: str, photo_id: str, thumb: bool) -> Path | None:
    """The JPEG to send for `origin`'s photo, or None (not mirrored here, not public, not held)."""
    if not media_files.safe_id(photo_id) or not await replicas.exists(settings, origin):
        return None  # (never opens, so never creates, a replica for a name typed into an address)
    conn = await replicas.open_replica(settings, origin)
    photo = await Photo.filter(id=photo_id).using_db(conn).first()
    if photo is None or not can_view_mirrored_photo(photo, await _owners(conn, photo)):
        return None
    if await media_store.held(conn, photo_id, int(thumb)) != "open":
        return None
    path = media_files.mirror_path(settings, origin, photo_id, thumb, sealed=False)
    return path if path.is_file() else None
