"""One database per mirrored origin: `mirror/<origin>.sqlite3` in the data directory.

A replica holds the origin's journal entries as they arrived (open ones with their payload, private
ones as sealed boxes) and the records the open entries describe, in the same tables the site itself
uses, so the mirror pages read them with the site's own models (`.using_db(replica)`). Keeping a
neighbour apart from our own database means none of its users, roles or records can ever be mistaken
for ours, and its usernames cannot collide with ours. Foreign keys are not enforced here: a replica
holds only what travelled openly, so a public comment may name a user's record that never came.

Entries and records are written in one transaction, so the cursor (the highest number held) and the
records never disagree, whatever is killed when. A replica made by an older version of the tables is
rebuilt from its own entries when opened.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import logging
import os
import re
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Any, Awaitable, Callable, Iterator, Mapping, Sequence

from tortoise import Tortoise
from tortoise.backends.sqlite import SqliteClient
from tortoise.backends.sqlite.schema_generator import SqliteSchemaGenerator

from sns import journal
from sns.journal import Entry
from sns.models import JournalEntry

log = logging.getLogger(__name__)

_OPEN: dict[tuple[str, str], SqliteClient] = {}
_OPENING: dict[tuple[str, str], "asyncio.Future[SqliteClient]"] = {}
EXTRA_SQL = (
    "CREATE TABLE IF NOT EXISTS replica_meta (key VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS replica_records (record_id VARCHAR(36) PRIMARY KEY, kind VARCHAR(32) NOT NULL)",
)
# after the tables: withdrawals find a record's earlier entries by its id
INDEX_SQL = "CREATE INDEX IF NOT EXISTS replica_journal_record ON journal (record_id)"
_SAFE = re.compile(r"[^a-z0-9.-]")
# The photo files a replica wants and holds (sns/mirror/media_store.py): made with every replica, whoever
# opens it first (a page or the pull), so it is part of the replica's own tables rather than handed over.
MEDIA_TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS replica_media (photo_id VARCHAR(36) NOT NULL, thumb INT NOT NULL, "
    "sha256 VARCHAR(64) NOT NULL DEFAULT '', bytes INT NOT NULL DEFAULT 0, sealed_ok INT NOT NULL DEFAULT 0, "
    "want VARCHAR(8) NOT NULL DEFAULT 'none', have VARCHAR(8) NOT NULL DEFAULT '', "
    "tries INT NOT NULL DEFAULT 0, next_at REAL NOT NULL DEFAULT 0, error VARCHAR(200) NOT NULL DEFAULT '', "
    "PRIMARY KEY (photo_id, thumb))"
)
# Tables of a replica's own bookkeeping, kept when a replica is rebuilt: name -> CREATE TABLE IF NOT EXISTS.
KEPT_TABLES: Mapping[str, str] = MappingProxyType({"replica_media": MEDIA_TABLE_SQL})
# Called in the transaction that stores a batch, after its records are applied: (transaction, entries). The
# site's areas hand them over (`on_store` in sns/areas.py: the photos a batch names are noted this way).
OnStore = Callable[[Any, list[dict[str, Any]]], Awaitable[None]]


def replicas_dir(data_dir: Path) -> Path:
    return data_dir / "mirror"


def file_name(origin: str) -> str:
    """The file of an origin's replica: its host name, made safe (an origin is a host name)."""
    safe = _SAFE.sub("_", origin.lower())[:120] or "_"
    return f"{safe}.sqlite3"


def path_of(data_dir: Path, origin: str) -> Path:
    return replicas_dir(data_dir) / file_name(origin)


class _ReplicaSchema(SqliteSchemaGenerator):
    """The site's own tables, made in a replica (Tortoise would only make the models of their own
    connection; a replica is another connection with the same models)."""

    def _get_models_to_create(self) -> list:
        models = [m for m in Tortoise.apps.get_models_iterable() if m._meta.app == "models"]
        for model in models:
            model._check()
        return models


def _schema_sql(client: SqliteClient) -> str:
    return _ReplicaSchema(client).get_create_schema_sql(safe=True)


def _schema_digest(client: SqliteClient) -> str:
    return hashlib.sha256(_schema_sql(client).encode()).hexdigest()[:16]


async def _connect(path: Path, name: str) -> SqliteClient:
    client = SqliteClient(file_path=str(path), connection_name=name, foreign_keys="OFF", journal_mode="WAL",
                          synchronous="NORMAL", busy_timeout=10000)
    await client.create_connection(with_db=True)
    return client


async def _create(client: SqliteClient) -> None:
    for sql in (*EXTRA_SQL, *KEPT_TABLES.values()):
        await client.execute_script(sql)
    await client.execute_script(_schema_sql(client))
    await client.execute_script(INDEX_SQL)
    await client.execute_query("INSERT OR REPLACE INTO replica_meta (key, value) VALUES ('schema', ?)",
                               [_schema_digest(client)])


async def _meta(client: SqliteClient, key: str) -> str | None:
    try:
        _, rows = await client.execute_query("SELECT value FROM replica_meta WHERE key = ?", [key])
    except Exception:  # no table: not a replica made by this code
        return None
    return rows[0]["value"] if rows else None


async def open_replica(data_dir: Path, origin: str) -> SqliteClient:
    """The replica of `origin`, created if missing, rebuilt if its tables are from another version.

    Opened once per process: a page and the pull job asking at the same moment wait for the same opening
    (else the second would find the file made but its tables not yet, and take it for an old version)."""
    key = (str(data_dir.resolve()), origin)
    if key in _OPEN:
        return _OPEN[key]
    opening = _OPENING.get(key)
    if opening is None:
        opening = _OPENING[key] = asyncio.ensure_future(_open(data_dir, origin, key))
        opening.add_done_callback(lambda _: _OPENING.pop(key, None))
    return await asyncio.shield(opening)


async def _open(data_dir: Path, origin: str, key: tuple[str, str]) -> SqliteClient:
    path = path_of(data_dir, origin)
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists()
    client = await _connect(path, f"replica:{origin}")
    if fresh:
        await _create(client)
    elif await _meta(client, "schema") != _schema_digest(client):
        client = await _rebuild(client, path, origin)
    else:
        for sql in KEPT_TABLES.values():  # a replica made before such a table existed
            await client.execute_script(sql)
    _OPEN[key] = client
    return client


async def close_all() -> None:
    for client in list(_OPEN.values()):
        await client.close()
    _OPEN.clear()


def existing_origins(data_dir: Path) -> list[str]:
    """The origins with a replica on disk (whether or not they are still peers)."""
    folder = replicas_dir(data_dir)
    if not folder.exists():
        return []
    return sorted(p.name[: -len(".sqlite3")] for p in folder.glob("*.sqlite3"))


async def _rebuild(old: SqliteClient, path: Path, origin: str) -> SqliteClient:
    """Tables changed with an upgrade: make a new replica and apply the entries the old one held."""
    log.warning("replica of %s was made by another version of the tables: rebuilding it", origin)
    entries = await journal.all_entries_by_sql(old)
    kept = {}
    for table in KEPT_TABLES:
        try:
            kept[table] = (await old.execute_query(f"SELECT * FROM {table}"))[1]
        except Exception:  # not there yet
            kept[table] = []
    await old.close()
    fresh_path = path.with_suffix(".rebuilding")
    for leftover in (fresh_path, Path(str(fresh_path) + "-wal"), Path(str(fresh_path) + "-shm")):
        leftover.unlink(missing_ok=True)
    client = await _connect(fresh_path, f"replica:{origin}")
    await _create(client)
    for table, kept_rows in kept.items():
        for row in kept_rows:
            names = list(row.keys())
            await client.execute_query(f"INSERT INTO {table} ({', '.join(names)}) VALUES "
                                       f"({', '.join('?' for _ in names)})", [row[n] for n in names])
    await store_entries(client, entries)
    await client.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.replace(fresh_path, path)
    return await _connect(path, f"replica:{origin}")


async def cursor(client: SqliteClient, stream: str) -> int:
    """The highest number of `stream` this replica holds (0: none)."""
    _, rows = await client.execute_query("SELECT MAX(seq) AS top FROM journal WHERE origin = ?", [stream])
    return int(rows[0]["top"] or 0) if rows else 0


CHUNK = 400  # ids in one IN (...) list


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


async def _withdraw_all(tx: Any, record_ids: list[str]) -> None:
    for ids in _chunks(record_ids):
        marks = ",".join("?" * len(ids))
        _, rows = await tx.execute_query(f"SELECT record_id, kind FROM replica_records WHERE record_id IN ({marks})",
                                         ids)
        by_kind: dict[str, list[str]] = {}
        for r in rows:
            by_kind.setdefault(r["kind"], []).append(r["record_id"])
        for kind, held in by_kind.items():
            model = journal.KINDS.get(kind)
            if model is not None:
                await model.filter(id__in=held).using_db(tx).delete()
        await tx.execute_query(f"DELETE FROM replica_records WHERE record_id IN ({marks})", ids)


async def _forget_taken_back(tx: Any, entries: list[Entry]) -> None:
    """The origin took records back (made them private, held or deleted them): the open payloads of their
    entries before the withdrawal are cleared too (the numbers stay, so the cursor and a restore still
    hold), so a neighbour keeps nothing its writer has taken back."""
    last: dict[tuple[str, str], int] = {}
    for e in entries:
        if not e.is_open and e.record_id:
            last[(e.origin, e.record_id)] = e.seq
    if last:
        await tx.execute_many("UPDATE journal SET payload = '{}', kind = 'sealed' WHERE origin = ? AND record_id = ? "
                              "AND seq < ? AND kind != 'sealed'", [[o, r, seq] for (o, r), seq in last.items()])


async def _upsert_all(tx: Any, kind: str, payloads: list[dict[str, Any]]) -> None:
    """Highest version wins, in a few statements (`journal.upsert` in bulk); the records it wrote are noted
    as held here, so a later withdrawal finds their kind."""
    written = await journal.upsert(tx, kind, payloads, index=False, bulk=True)
    for chunk in _chunks(written):
        await tx.execute_many("INSERT OR REPLACE INTO replica_records (record_id, kind) VALUES (?, ?)",
                              [[p["id"], kind] for p in chunk])


async def store_entries(client: SqliteClient, entries: list[Entry], *, expect_after: int | None = None,
                        stream: str | None = None, on_store: Sequence[OnStore] = ()) -> int | None:
    """Keep `entries` (in order) and apply the open ones, all in one transaction.

    With `expect_after`, the batch is applied only if the replica still ends at that number (another
    worker may have applied it meanwhile): returns the new cursor, or None when nothing was done.
    The effect is that of applying the entries one by one with `journal.apply` (highest version wins) and
    withdrawing what an entry names without a payload (`journal.final_states`); it is done per kind in bulk
    statements.
    """
    async with client._in_transaction() as tx:
        if expect_after is not None and await cursor(tx, stream or entries[0].origin) != expect_after:
            return None
        await JournalEntry.bulk_create([JournalEntry(**e.row_values()) for e in entries], using_db=tx)
        withdrawn, opened = journal.final_states(entries)
        await _withdraw_all(tx, withdrawn)
        await _forget_taken_back(tx, entries)
        for kind, payloads in opened.items():
            await _upsert_all(tx, kind, payloads)
        if on_store:  # the hooks read entries in their wire form, with the origin that numbered them
            as_sent = [dict(e.to_wire(), origin=e.origin) for e in entries]
            for hook in on_store:
                await hook(tx, as_sent)
        return entries[-1].seq if entries else expect_after


@contextmanager
def writer_lock(data_dir: Path, origin: str) -> Iterator[bool]:
    """One writer per replica across the workers of this machine: yields False when another holds it."""
    folder = replicas_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / (file_name(origin) + ".lock"), "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


async def meta(client: SqliteClient, key: str) -> str | None:
    """A value this instance keeps about the replica (e.g. how far a hook has read it), or None."""
    return await _meta(client, key)


async def set_meta(client: SqliteClient, key: str, value: str) -> None:
    await client.execute_query("INSERT OR REPLACE INTO replica_meta (key, value) VALUES (?, ?)", [key, value])

