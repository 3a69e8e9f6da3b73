"""Which photo files a neighbour should hold of a mirrored origin (docs/mirroring.md, "Photos").

Each replica has a table `replica_media`, one row per file (a photo's JPEG, `thumb` = 0, and its
thumbnail, `thumb` = 1): the digest the signed batch gave (`sha256`), whether the origin offers a sealed
copy (`sealed_ok`), what we should hold (`want`: open, sealed or none) and what we hold (`have`), and the
tries and the time of the next one. Rows are written in the transaction that stores a batch, so a pull
killed at any moment never forgets a photo; fetching and deleting the files happens after, in the same
pull round (sns/mirror/media_fetch.py), and whatever is left undone is done in a later round.

What a file should be is decided from the replica itself, with the same rules as the origin's
(`travel.Openness` on the replica's rows): a photo whose record is in the replica and whose parent is
still there is held open; one that was withdrawn, or whose parent was (a public diary made
friends-only), is held only sealed, and its open file is deleted; a deleted photo is held not at all.
"""

from __future__ import annotations

import time
from typing import Any

from tortoise.expressions import Q

from sns.mirror import replicas
from sns.mirror.media_files import safe_id
from sns.mirror.travel import Openness
from sns.models import Album, Event, Photo, Reply, Topic

TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS replica_media (photo_id VARCHAR(36) NOT NULL, thumb INT NOT NULL, "
    "sha256 VARCHAR(64) NOT NULL DEFAULT '', bytes INT NOT NULL DEFAULT 0, sealed_ok INT NOT NULL DEFAULT 0, "
    "want VARCHAR(8) NOT NULL DEFAULT 'none', have VARCHAR(8) NOT NULL DEFAULT '', "
    "tries INT NOT NULL DEFAULT 0, next_at REAL NOT NULL DEFAULT 0, error VARCHAR(200) NOT NULL DEFAULT '', "
    "PRIMARY KEY (photo_id, thumb))"
)
# Kinds whose records photos belong to (directly, or through a topic, an event or an album).
PARENT_KINDS = {"diary", "album", "topic", "reply", "event", "street_report", "disaster_post", "community"}
HEX = set("0123456789abcdef")


def _digest_ok(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= HEX


def _size_ok(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


async def _ensure(tx: Any, photo_id: str) -> None:
    for thumb in (0, 1):
        await tx.execute_query("INSERT OR IGNORE INTO replica_media (photo_id, thumb) VALUES (?, ?)",
                               [photo_id, thumb])


async def _note_open(tx: Any, photo_id: str, media: Any) -> None:
    """A photo entry that travelled openly: keep the digests its batch gave ({} : no files to fetch)."""
    await _ensure(tx, photo_id)
    media = media if isinstance(media, dict) else {}
    for thumb, sha_key, size_key in ((0, "sha256", "bytes"), (1, "thumb_sha256", "thumb_bytes")):
        sha, size = media.get(sha_key), media.get(size_key)
        if not (_digest_ok(sha) and _size_ok(size)):
            sha, size = "", 0
        # A new digest is a new file: what we hold of the old one is fetched again.
        await tx.execute_query(
            "UPDATE replica_media SET have = CASE WHEN sha256 = ? THEN have ELSE '' END, sha256 = ?, bytes = ?, "
            "sealed_ok = 0 WHERE photo_id = ? AND thumb = ?", [sha, sha, size, photo_id, thumb])


async def _note_withdrawn(tx: Any, photo_id: str, media: Any) -> None:
    """A withdrawn photo entry: the origin offers a sealed copy ({"sealed": true}) or nothing (deleted)."""
    sealed = isinstance(media, dict) and media.get("sealed") is True
    if sealed:
        await _ensure(tx, photo_id)
    await tx.execute_query("UPDATE replica_media SET sealed_ok = ? WHERE photo_id = ?", [int(sealed), photo_id])


async def _children(tx: Any, parents: list[str], containers: list[str], owners: list[str]) -> list[str]:
    """Photos in the replica that belong to one of `parents`, or to a topic, reply, event or album of
    one of `containers` (communities, topics), or that are the avatars of `owners`."""
    ids = set(parents)
    if containers:
        for model in (Topic, Event, Album):
            ids.update(await model.filter(community_id__in=containers).using_db(tx).values_list("id", flat=True))
        ids.update(await Reply.filter(topic_id__in=list(ids | set(containers))).using_db(tx)
                   .values_list("id", flat=True))
    found: set[str] = set()
    if ids:
        listed = list(ids)
        found.update(await Photo.filter(Q(diary_id__in=listed) | Q(album_id__in=listed) | Q(parent_id__in=listed))
                     .using_db(tx).values_list("id", flat=True))
    if owners:
        found.update(await Photo.filter(owner_id__in=owners, purpose="avatar").using_db(tx)
                     .values_list("id", flat=True))
    return list(found)


async def _decide(tx: Any, openness: Openness, photo_id: str) -> None:
    """Set what we should hold of this photo's files, from the replica as it is now."""
    _, rows = await tx.execute_query("SELECT thumb, sha256, sealed_ok FROM replica_media WHERE photo_id = ?",
                                     [photo_id])
    if not rows:
        return
    found = await Photo.filter(id=photo_id).using_db(tx).values()
    held = bool(found)
    is_open = held and await openness.is_open("photo", found[0])
    for row in rows:
        if is_open and row["sha256"]:
            want = "open"
        elif (held and not is_open) or row["sealed_ok"]:
            want = "sealed"  # private now: the origin answers with a sealed copy (or 404 if it has none)
        else:
            want = "none"
        await tx.execute_query(
            "UPDATE replica_media SET want = ?, tries = CASE WHEN want = ? THEN tries ELSE 0 END, "
            "next_at = CASE WHEN want = ? THEN next_at ELSE 0 END WHERE photo_id = ? AND thumb = ?",
            [want, want, want, photo_id, row["thumb"]])


async def note_entries(tx: Any, entries: list[dict[str, Any]]) -> None:
    """In the transaction storing `entries`: note the photos they name and re-decide the photos whose
    parents they changed."""
    touched: set[str] = set()
    parents: list[str] = []  # records photos may belong to
    containers: list[str] = []  # records whose topics, replies, events or albums photos may belong to
    owners: list[str] = []  # users whose avatar may have changed
    for e in entries:
        payload = e.get("payload")
        record_id = (payload or {}).get("id") or e.get("record_id")
        if not safe_id(record_id):
            continue
        if payload and e.get("kind") == "photo":
            if "media" in e:  # (entries replayed from the replica's own journal carry none: nothing changes)
                await _note_open(tx, record_id, e["media"])
            touched.add(record_id)
        elif not payload:
            if "media" in e:
                await _note_withdrawn(tx, record_id, e["media"])
            touched.add(record_id)
            parents.append(record_id)  # (a withdrawal names no kind: it may be any of these)
            containers.append(record_id)
            owners.append(record_id)
        elif e.get("kind") == "user":
            owners.append(record_id)
        elif e.get("kind") in PARENT_KINDS:
            parents.append(record_id)
            if e["kind"] in ("community", "topic"):
                containers.append(record_id)
    touched.update(await _children(tx, parents, containers, owners))
    openness = Openness(tx)
    for photo_id in sorted(touched):
        await _decide(tx, openness, photo_id)


async def to_delete(conn: Any) -> list[dict[str, Any]]:
    """Files we hold that we should not (or not in that form)."""
    _, rows = await conn.execute_query("SELECT photo_id, thumb, have FROM replica_media "
                                       "WHERE have != '' AND have != want")
    return [dict(r) for r in rows]


async def to_fetch(conn: Any, limit: int, now: float | None = None) -> list[dict[str, Any]]:
    _, rows = await conn.execute_query(
        "SELECT photo_id, thumb, sha256, bytes, want, tries FROM replica_media WHERE want IN ('open', 'sealed') "
        "AND have != want AND next_at <= ? ORDER BY next_at, photo_id, thumb LIMIT ?",
        [now if now is not None else time.time(), limit])
    return [dict(r) for r in rows]


async def set_have(conn: Any, photo_id: str, thumb: int, have: str) -> None:
    await conn.execute_query("UPDATE replica_media SET have = ?, tries = 0, next_at = 0, error = '' "
                             "WHERE photo_id = ? AND thumb = ?", [have, photo_id, thumb])


async def set_gone(conn: Any, photo_id: str, thumb: int) -> None:
    """The origin has no such file any more: nothing to hold until an entry says otherwise."""
    await conn.execute_query("UPDATE replica_media SET want = 'none', sealed_ok = 0, error = 'gone at the origin' "
                             "WHERE photo_id = ? AND thumb = ?", [photo_id, thumb])


async def set_failed(conn: Any, photo_id: str, thumb: int, tries: int, error: str, now: float | None = None) -> None:
    """A try that failed: the next one after a back-off (5 s, doubling, at most an hour)."""
    wait = min(3600.0, 5.0 * 2 ** min(tries, 12))
    await conn.execute_query("UPDATE replica_media SET tries = ?, next_at = ?, error = ? "
                             "WHERE photo_id = ? AND thumb = ?",
                             [tries + 1, (now if now is not None else time.time()) + wait, error[:200],
                              photo_id, thumb])


async def held(conn: Any, photo_id: str, thumb: int) -> str:
    """What we hold of one file: 'open', 'sealed' or ''."""
    _, rows = await conn.execute_query("SELECT have FROM replica_media WHERE photo_id = ? AND thumb = ?",
                                       [photo_id, thumb])
    return rows[0]["have"] if rows else ""


async def missing_count(conn: Any) -> int:
    """Files we should hold and do not (yet): what `sns mirror status` shows."""
    _, rows = await conn.execute_query("SELECT COUNT(*) AS n FROM replica_media "
                                       "WHERE want IN ('open', 'sealed') AND have != want")
    return int(rows[0]["n"]) if rows else 0


replicas.KEPT_TABLES["replica_media"] = TABLE_SQL
replicas.ON_STORE.append(note_entries)
