"""One database per mirrored origin: a PostgreSQL schema `mirror_<origin>` when the site is on PostgreSQL
(read by every machine of the city), else an SQLite file `mirror/<origin>.sqlite3` in the data directory.

A replica holds the origin's journal entries as they arrived (open ones with their payload, private
ones as sealed boxes) and the records the open entries describe, in the same tables the site itself
uses, so the mirror pages read them with the site's own models (`.using_db(replica)`). Keeping a
neighbour apart from our own tables means none of its users, roles or records can ever be mistaken
for ours, and its usernames cannot collide with ours. Foreign keys are not enforced here: a replica
holds only what travelled openly, so a public comment may name a user's record that never came.

Entries and records are written in one transaction, so the cursor (the highest number held) and the
records never disagree, whatever is killed when. A replica made by an older version of the tables is
rebuilt from its own entries when opened.

Where the replicas live is given as the site's `Settings` (its database decides) or as a data directory
(`Path`: SQLite files there, as tools and tests that have no site use).
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import logging
import os
import re
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Any, AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence, Union

from tortoise import connections
from tortoise.backends.sqlite import SqliteClient
from tortoise.backends.sqlite.schema_generator import SqliteSchemaGenerator

from sns import journal
from sns.journal import Entry
from sns.mirror import replica_pg, sql
from sns.models import JournalEntry
from sns.settings import Settings

log = logging.getLogger(__name__)

# Settings: the site's database decides; Path: a data directory, SQLite files in it.
Where = Union[Settings, Path]
_OPEN: dict[tuple[str, str], Any] = {}
_OPENING: dict[tuple[str, str], "asyncio.Future[Any]"] = {}
EXTRA_SQL = (
    "CREATE TABLE IF NOT EXISTS replica_meta (key VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS replica_records (record_id VARCHAR(36) PRIMARY KEY, kind VARCHAR(32) NOT NULL)",
)
# which kind each record held is (a later withdrawal names only the id)
RECORD_SQL = sql.upsert("replica_records", ("record_id", "kind"), ("record_id",))
# after the tables: withdrawals find a record's earlier entries by its id
INDEX_SQL = "CREATE INDEX IF NOT EXISTS replica_journal_record ON journal (record_id)"
_SAFE = re.compile(r"[^a-z0-9.-]")
# The photo files a replica wants and holds (sns/mirror/media_store.py): made with every replica, whoever
# opens it first (a page or the pull), so it is part of the replica's own tables rather than handed over.
MEDIA_TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS replica_media (photo_id VARCHAR(36) NOT NULL, thumb INT NOT NULL, "
    "sha256 VARCHAR(64) NOT NULL DEFAULT '', bytes INT NOT NULL DEFAULT 0, sealed_ok INT NOT NULL DEFAULT 0, "
    "want VARCHAR(8) NOT NULL DEFAULT 'none', have VARCHAR(8) NOT NULL DEFAULT '', "
    "tries INT NOT NULL DEFAULT 0, next_at DOUBLE PRECISION NOT NULL DEFAULT 0, "
    "error VARCHAR(200) NOT NULL DEFAULT '', PRIMARY KEY (photo_id, thumb))"
)
# Tables of a replica's own bookkeeping, kept when a replica is rebuilt: name -> CREATE TABLE IF NOT EXISTS.
KEPT_TABLES: Mapping[str, str] = MappingProxyType({"replica_media": MEDIA_TABLE_SQL})
# Called in the transaction that stores a batch, after its records are applied: (transaction, entries). The
# site's areas hand them over (`on_store` in sns/areas.py: the photos a batch names are noted this way).
OnStore = Callable[[Any, list[dict[str, Any]]], Awaitable[None]]


def postgres_url(where: Where) -> str | None:
    """The site's PostgreSQL database when the replicas live there, else None (SQLite files)."""
    if isinstance(where, Path):
        return None
    url = where.db_url
    return url if url.startswith("postgres://") else None


def data_dir_of(where: Where) -> Path:
    return where if isinstance(where, Path) else where.data_dir


def replicas_dir(where: Where) -> Path:
    """The folder of the SQLite replicas and of their photo files."""
    return data_dir_of(where) / "mirror"


def safe_name(origin: str) -> str:
    """An origin (a host name) made safe as a file or schema name."""
    return _SAFE.sub("_", origin.lower())[:120] or "_"


def file_name(origin: str) -> str:
    """The file of an origin's SQLite replica."""
    return f"{safe_name(origin)}.sqlite3"


def path_of(where: Where, origin: str) -> Path:
    return replicas_dir(where) / file_name(origin)


def schema_of(origin: str) -> str:
    """The PostgreSQL schema of an origin's replica."""
    return replica_pg.schema_name(safe_name(origin))


class _ReplicaSchema(SqliteSchemaGenerator):
    """The site's own tables, made in an SQLite replica."""

    def _get_models_to_create(self) -> list:
        return replica_pg.site_models()


def _schema_sql(client: Any) -> str:
    generator = replica_pg.ReplicaSchema if sql.is_postgres(client) else _ReplicaSchema
    return generator(client).get_create_schema_sql(safe=True)


def _schema_digest(client: Any) -> str:
    return hashlib.sha256(_schema_sql(client).encode()).hexdigest()[:16]


async def _connect(path: Path, name: str) -> SqliteClient:
    client = SqliteClient(file_path=str(path), connection_name=name, foreign_keys="OFF", journal_mode="WAL",
                          synchronous="NORMAL", busy_timeout=10000)
    await client.create_connection(with_db=True)
    return client


async def _create(client: Any, schema: str | None = None) -> None:
    """The replica's tables, in its own schema on PostgreSQL (`schema`), with the digest of their SQL."""
    for statement in (*EXTRA_SQL, *KEPT_TABLES.values()):
        await client.execute_script(statement)
    await client.execute_script(_schema_sql(client))
    await client.execute_script(INDEX_SQL)
    if schema is not None:
        await replica_pg.drop_foreign_keys(client, schema)
    await set_meta(client, "schema", _schema_digest(client))


async def _meta(client: Any, key: str) -> str | None:
    try:
        rows = await sql.query(client, "SELECT value FROM replica_meta WHERE key = ?", [key])
    except Exception:  # no table: not a replica made by this code
        return None
    return rows[0]["value"] if rows else None


async def open_replica(where: Where, origin: str) -> Any:
    """The replica of `origin`, created if missing, rebuilt if its tables are from another version.

    Opened once per process: a page and the pull job asking at the same moment wait for the same opening
    (else the second would find the file made but its tables not yet, and take it for an old version).
    Across machines (PostgreSQL) the opening holds an advisory lock for the same reason."""
    url = postgres_url(where)
    key = (url or str(data_dir_of(where).resolve()), origin)
    if key in _OPEN:
        return _OPEN[key]
    opening = _OPENING.get(key)
    if opening is None:
        made = _open_pg(url, origin) if url else _open(data_dir_of(where), origin)
        opening = _OPENING[key] = asyncio.ensure_future(made)
        opening.add_done_callback(lambda _: _OPENING.pop(key, None))
    client = await asyncio.shield(opening)
    _OPEN[key] = client
    return client


async def _open(data_dir: Path, origin: str) -> SqliteClient:
    path = path_of(data_dir, origin)
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists()
    client = await _connect(path, f"replica:{origin}")
    if fresh:
        await _create(client)
    elif await _meta(client, "schema") != _schema_digest(client):
        client = await _rebuild(client, path, origin)
    else:
        await _add_kept_tables(client)
    return client


async def _add_kept_tables(client: Any) -> None:
    for statement in KEPT_TABLES.values():  # a replica made before such a table existed
        await client.execute_script(statement)


async def _open_pg(url: str, origin: str) -> Any:
    schema = schema_of(origin)
    client = await replica_pg.connect(url, schema, f"replica:{origin}")
    rebuilt = False
    try:
        async with replica_pg.advisory_lock(client, replica_pg.lock_key(schema, "open"), wait=True):
            if not await replica_pg.schema_exists(client, schema) or await _meta(client, "schema") is None:
                await replica_pg.make_schema(client, schema)
                await _create(client, schema)
            elif await _meta(client, "schema") != _schema_digest(client):
                await _rebuild_pg(client, url, origin)
                rebuilt = True
            else:
                await _add_kept_tables(client)
    except BaseException:
        await client.close()
        raise
    if rebuilt:  # its connections knew the old tables (and may have kept statements prepared on them)
        await client.close()
        client = await replica_pg.connect(url, schema, f"replica:{origin}")
    return client


async def close_all() -> None:
    """Closes every replica this process opened (their pools, on PostgreSQL)."""
    for client in list(_OPEN.values()):
        await client.close()
    _OPEN.clear()


async def existing_origins(where: Where) -> list[str]:
    """The origins with a replica (whether or not they are still peers), as their safe names."""
    if postgres_url(where):
        return await replica_pg.schemas(connections.get("default"))
    folder = replicas_dir(where)
    if not folder.exists():
        return []
    return sorted(p.name[: -len(".sqlite3")] for p in folder.glob("*.sqlite3"))


async def exists(where: Where, origin: str) -> bool:
    """Whether `origin` has a replica (a page must not make one for a name it was merely given)."""
    if postgres_url(where):
        return await replica_pg.schema_exists(connections.get("default"), schema_of(origin))
    return path_of(where, origin).exists()


async def drop(where: Where, origin: str) -> None:
    """Forgets the replica of `origin` (its schema, or its file), closing it in this process first."""
    url = postgres_url(where)
    client = _OPEN.pop((url or str(data_dir_of(where).resolve()), origin), None)
    if client is not None:
        await client.close()
    if url:
        await replica_pg.drop_schema(connections.get("default"), schema_of(origin))
        return
    path = path_of(where, origin)
    for leftover in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm")):
        leftover.unlink(missing_ok=True)


async def _kept_rows(old: Any) -> dict[str, list[Any]]:
    """The rows of the replica's own bookkeeping, to carry into a rebuilt replica."""
    kept = {}
    for table in KEPT_TABLES:
        try:
            kept[table] = [dict(r) for r in await sql.query(old, f"SELECT * FROM {table}")]
        except Exception:  # not there yet
            kept[table] = []
    return kept


async def _refill(client: Any, kept: dict[str, list[Any]], entries: list[Entry]) -> None:
    for table, kept_rows in kept.items():
        for row in kept_rows:
            names = list(row.keys())
            await sql.query(client, f"INSERT INTO {table} ({', '.join(names)}) VALUES "
                                    f"({', '.join('?' for _ in names)})", [row[n] for n in names])
    await store_entries(client, entries)


async def _rebuild(old: SqliteClient, path: Path, origin: str) -> SqliteClient:
    """Tables changed with an upgrade: make a new replica and apply the entries the old one held."""
    log.warning("replica of %s was made by another version of the tables: rebuilding it", origin)
    entries = await journal.all_entries_by_sql(old)
    kept = await _kept_rows(old)
    await old.close()
    fresh_path = path.with_suffix(".rebuilding")
    for leftover in (fresh_path, Path(str(fresh_path) + "-wal"), Path(str(fresh_path) + "-shm")):
        leftover.unlink(missing_ok=True)
    client = await _connect(fresh_path, f"replica:{origin}")
    await _create(client)
    await _refill(client, kept, entries)
    await client.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.replace(fresh_path, path)
    return await _connect(path, f"replica:{origin}")


async def _rebuild_pg(old: Any, url: str, origin: str) -> None:
    """The same in PostgreSQL: filled in a schema beside it, which then takes its name in one
    transaction (the old replica stays whole until then, and another machine reading it meanwhile
    reads the old one)."""
    log.warning("replica of %s was made by another version of the tables: rebuilding it", origin)
    schema = schema_of(origin)
    fresh = replica_pg.schema_name(safe_name(origin), ".new")
    entries = await journal.all_entries_by_sql(old)
    kept = await _kept_rows(old)
    await replica_pg.drop_schema(old, fresh)
    await replica_pg.make_schema(old, fresh)
    client = await replica_pg.connect(url, fresh, f"replica:{origin}:rebuilding")
    try:
        await _create(client, fresh)
        await _refill(client, kept, entries)
    finally:
        await client.close()
    async with old._in_transaction() as tx:
        await replica_pg.drop_schema(tx, schema)
        await tx.execute_script(f"ALTER SCHEMA {replica_pg.quoted(fresh)} RENAME TO {replica_pg.quoted(schema)}")



async def cursor(client: Any, stream: str) -> int:
    """The highest number of `stream` this replica holds (0: none)."""
    rows = await sql.query(client, "SELECT MAX(seq) AS top FROM journal WHERE origin = ?", [stream])
    return int(rows[0]["top"] or 0) if rows else 0


CHUNK = 400  # ids in one IN (...) list


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


async def _withdraw_all(tx: Any, record_ids: list[str]) -> None:
    for ids in _chunks(record_ids):
        marks = ",".join("?" * len(ids))
        rows = await sql.query(tx, f"SELECT record_id, kind FROM replica_records WHERE record_id IN ({marks})", ids)
        by_kind: dict[str, list[str]] = {}
        for r in rows:
            by_kind.setdefault(r["kind"], []).append(r["record_id"])
        for kind, held in by_kind.items():
            model = journal.KINDS.get(kind)
            if model is not None:
                await model.filter(id__in=held).using_db(tx).delete()
        await sql.query(tx, f"DELETE FROM replica_records WHERE record_id IN ({marks})", ids)


async def _forget_taken_back(tx: Any, entries: list[Entry]) -> None:
    """The origin took records back (made them private, held or deleted them): the open payloads of their
    entries before the withdrawal are cleared too (the numbers stay, so the cursor and a restore still
    hold), so a neighbour keeps nothing its writer has taken back."""
    last: dict[tuple[str, str], int] = {}
    for e in entries:
        if not e.is_open and e.record_id:
            last[(e.origin, e.record_id)] = e.seq
    if last:
        await sql.many(tx, "UPDATE journal SET payload = '{}', kind = 'sealed' WHERE origin = ? AND record_id = ? "
                           "AND seq < ? AND kind != 'sealed'", [[o, r, seq] for (o, r), seq in last.items()])


async def _upsert_all(tx: Any, kind: str, payloads: list[dict[str, Any]]) -> None:
    """Highest version wins, in a few statements (`journal.upsert` in bulk); the records it wrote are noted
    as held here, so a later withdrawal finds their kind."""
    written = await journal.upsert(tx, kind, payloads, index=False, bulk=True)
    for chunk in _chunks(written):
        await sql.many(tx, RECORD_SQL, [[p["id"], kind] for p in chunk])


async def store_entries(client: Any, entries: list[Entry], *, expect_after: int | None = None,
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


@asynccontextmanager
async def writer_lock(where: Where, origin: str) -> AsyncIterator[bool]:
    """One writer per replica: yields False when another holds it. On PostgreSQL an advisory lock, so across
    every machine of the city; with SQLite files a file lock, across the workers of this machine (the only
    ones that write its files)."""
    url = postgres_url(where)
    if url:
        schema = schema_of(origin)
        client = await open_replica(where, origin)
        async with replica_pg.advisory_lock(client, replica_pg.lock_key(schema, "write"), wait=False) as got:
            yield got
        return
    with _file_lock(where, origin) as got:
        yield got


@contextmanager
def _file_lock(where: Where, origin: str) -> Iterator[bool]:
    folder = replicas_dir(where)
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


async def meta(client: Any, key: str) -> str | None:
    """A value this instance keeps about the replica (e.g. how far a hook has read it), or None."""
    return await _meta(client, key)


async def set_meta(client: Any, key: str, value: str) -> None:
    await sql.query(client, sql.upsert("replica_meta", ("key", "value"), ("key",)), [key, value])

