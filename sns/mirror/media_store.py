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

from sns.journal import KINDS
from sns.mirror import replicas, sql
from sns.mirror.media_files import safe_id
from sns.mirror.travel import Openness
from sns.models import Album, Event, Photo, Reply, Topic

TABLE_SQL = replicas.MEDIA_TABLE_SQL  # a replica's own table, made with it (sns/mirror/replicas.py)
# Kinds whose records photos belong to (directly, or through a topic, an event or an album).
PARENT_KINDS = {"diary", "album", "topic", "reply", "event", "street_report", "disaster_post", "community"}
HEX = set("0123456789abcdef")


def _digest_ok(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= HEX


def _size_ok(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


def _open_rows(photo_id: str, media: Any) -> list[list[Any]]:
    """The two rows of a photo entry that travelled openly: the digests its batch gave (none: no files)."""
    media = media if isinstance(media, dict) else {}
    rows = []
    for thumb, sha_key, size_key in ((0, "sha256", "bytes"), (1, "thumb_sha256", "thumb_bytes")):
        sha, size = media.get(sha_key), media.get(size_key)
        if not (_digest_ok(sha) and _size_ok(size)):
            sha, size = "", 0
        rows.append([photo_id, thumb, sha, size])
    return rows


async def _note(tx: Any, opened: list[list[Any]], sealed: list[str], gone: list[str]) -> None:
    """Keep what a batch said of its photo entries: digests of the open ones (a new digest is a new
    file: what we hold of the old one is fetched again), and whether the origin offers a sealed copy of
    the withdrawn ones ({"sealed": true}) or nothing (deleted)."""
    if opened:
        await sql.many(
            tx, "INSERT INTO replica_media (photo_id, thumb, sha256, bytes) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (photo_id, thumb) DO UPDATE SET have = CASE WHEN replica_media.sha256 = excluded.sha256 "
            "THEN replica_media.have ELSE '' END, sha256 = excluded.sha256, bytes = excluded.bytes, sealed_ok = 0", opened)
    if sealed:
        await sql.many(tx, "INSERT INTO replica_media (photo_id, thumb, sealed_ok) VALUES (?, ?, 1) "
                       "ON CONFLICT (photo_id, thumb) DO UPDATE SET sealed_ok = 1",
                       [[i, thumb] for i in sealed for thumb in (0, 1)])
    if gone:
        await sql.many(tx, "UPDATE replica_media SET sealed_ok = 0 WHERE photo_id = ?", [[i] for i in gone])


async def _ids(tx: Any, model, column: str, values: list[str], extra: str = "") -> set[str]:
    """The ids of `model`'s rows whose `column` is one of `values` (parameters, a few hundred at a time)."""
    found: set[str] = set()
    listed = sorted(set(values))
    for start in range(0, len(listed), 500):
        chunk = listed[start:start + 500]
        rows = await sql.query(tx, f"SELECT id FROM {model._meta.db_table} WHERE {column} IN "
                                    f"({', '.join('?' for _ in chunk)}){extra}", chunk)
        found.update(r["id"] for r in rows)
    return found


async def _children(tx: Any, parents: list[str], containers: list[str], owners: list[str]) -> set[str]:
    """Photos in the replica that belong to one of `parents`, or to a topic, reply, event or album of
    one of `containers` (communities, topics), or that are the avatars of `owners`."""
    ids = set(parents)
    if containers:
        for model in (Topic, Event, Album):
            ids |= await _ids(tx, model, "community_id", containers)
        ids |= await _ids(tx, Reply, "topic_id", [*containers, *ids])
    found: set[str] = set()
    if ids:
        for column in ("diary_id", "album_id", "parent_id"):
            found |= await _ids(tx, Photo, column, list(ids))
    if owners:
        found |= await _ids(tx, Photo, "owner_id", owners, " AND purpose = 'avatar'")
    return found


class _Openness(Openness):
    """The origin's rule, read from the replica, with the parents of a batch's photos read at once."""

    async def prefetch(self, kind: str, ids: list[str]) -> None:
        wanted = sorted(set(ids) - {i for k, i in self._rows if k == kind})
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = {r["id"]: r for r in await KINDS[kind].filter(id__in=chunk).using_db(self.conn).values()}
            self._rows.update({(kind, i): rows.get(i) for i in chunk})


async def _decide(tx: Any, photo_ids: set[str]) -> None:
    """Set what we should hold of these photos' files, from the replica as it is now."""
    listed = sorted(photo_ids)
    rows: list[Any] = []
    for start in range(0, len(listed), 500):
        chunk = listed[start:start + 500]
        rows += await sql.query(
            tx, "SELECT photo_id, thumb, sha256, sealed_ok, want FROM replica_media WHERE photo_id IN "
            f"({', '.join('?' for _ in chunk)})", chunk)
    if not rows:
        return
    found = {p["id"]: p for p in await Photo.filter(id__in=list({r["photo_id"] for r in rows})).using_db(tx).values()}
    openness, opened, changes = _Openness(tx), {}, []
    await openness.prefetch("diary", [p["diary_id"] for p in found.values() if p.get("diary_id")])
    for row in rows:
        photo_id = row["photo_id"]
        held = photo_id in found
        if photo_id not in opened:
            opened[photo_id] = held and await openness.is_open("photo", found[photo_id])
        if opened[photo_id] and row["sha256"]:
            want = "open"
        elif (held and not opened[photo_id]) or row["sealed_ok"]:
            want = "sealed"  # private now: the origin answers with a sealed copy (or 404 if it has none)
        else:
            want = "none"
        if want != row["want"]:
            changes.append([want, photo_id, row["thumb"]])
    if changes:
        await sql.many(tx, "UPDATE replica_media SET want = ?, tries = 0, next_at = 0 "
                              "WHERE photo_id = ? AND thumb = ?", changes)


async def note_entries(tx: Any, entries: list[dict[str, Any]]) -> None:
    """In the transaction storing `entries`: note the photos they name and re-decide the photos whose
    parents they changed."""
    touched: set[str] = set()
    parents: list[str] = []  # records photos may belong to
    containers: list[str] = []  # records whose topics, replies, events or albums photos may belong to
    owners: list[str] = []  # users whose avatar may have changed
    opened: list[list[Any]] = []
    sealed: list[str] = []
    gone: list[str] = []
    for e in entries:
        payload = e.get("payload")
        record_id = (payload or {}).get("id") or e.get("record_id")
        if not safe_id(record_id):
            continue
        if payload and e.get("kind") == "photo":
            if "media" in e:  # (entries replayed from the replica's own journal carry none: nothing changes)
                opened += _open_rows(record_id, e["media"])
            touched.add(record_id)
        elif not payload:
            if "media" in e:
                media = e["media"]
                (sealed if isinstance(media, dict) and media.get("sealed") is True else gone).append(record_id)
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
    await _note(tx, opened, sealed, gone)
    touched.update(await _children(tx, parents, containers, owners))
    await _decide(tx, touched)


async def to_delete(conn: Any) -> list[dict[str, Any]]:
    """Files we hold that we should not (or not in that form)."""
    rows = await sql.query(conn, "SELECT photo_id, thumb, have FROM replica_media "
                                 "WHERE have != '' AND have != want")
    return [dict(r) for r in rows]


async def to_fetch(conn: Any, limit: int, now: float | None = None) -> list[dict[str, Any]]:
    rows = await sql.query(
        conn, "SELECT photo_id, thumb, sha256, bytes, want, tries FROM replica_media "
        "WHERE want IN ('open', 'sealed') AND have != want AND next_at <= ? ORDER BY next_at, photo_id, thumb LIMIT ?",
        [now if now is not None else time.time(), limit])
    return [dict(r) for r in rows]


async def set_have(conn: Any, photo_id: str, thumb: int, have: str) -> None:
    await sql.query(conn, "UPDATE replica_media SET have = ?, tries = 0, next_at = 0, error = '' "
                          "WHERE photo_id = ? AND thumb = ?", [have, photo_id, thumb])


async def set_gone(conn: Any, photo_id: str, thumb: int) -> None:
    """The origin has no such file any more: nothing to hold until an entry says otherwise."""
    await sql.query(conn, "UPDATE replica_media SET want = 'none', sealed_ok = 0, error = 'gone at the origin' "
                          "WHERE photo_id = ? AND thumb = ?", [photo_id, thumb])


async def set_failed(conn: Any, photo_id: str, thumb: int, tries: int, error: str, now: float | None = None) -> None:
    """A try that failed: the next one after a back-off (5 s, doubling, at most an hour)."""
    wait = min(3600.0, 5.0 * 2 ** min(tries, 12))
    await sql.query(conn, "UPDATE replica_media SET tries = ?, next_at = ?, error = ? "
                          "WHERE photo_id = ? AND thumb = ?",
                    [tries + 1, (now if now is not None else time.time()) + wait, error[:200], photo_id, thumb])


async def held(conn: Any, photo_id: str, thumb: int) -> str:
    """What we hold of one file: 'open', 'sealed' or ''."""
    rows = await sql.query(conn, "SELECT have FROM replica_media WHERE photo_id = ? AND thumb = ?",
                           [photo_id, thumb])
    return rows[0]["have"] if rows else ""


async def missing_count(conn: Any) -> int:
    """Files we should hold and do not (yet): what `sns mirror status` shows."""
    rows = await sql.query(conn, "SELECT COUNT(*) AS n FROM replica_media "
                                       "WHERE want IN ('open', 'sealed') AND have != want")
    return int(rows[0]["n"]) if rows else 0

