"""Reading entries back, by origin and number: to serve batches (sns/mirror/serve.py), to rebuild a replica
(sns/mirror/replicas.py) and to find where a journal ends."""

from __future__ import annotations

from typing import Any

from sns.journal.entry import Entry
from sns.models.journal import JournalEntry

COLUMNS = "origin, seq, kind, record_id, version, payload, sealed, recorded_at"


async def entries_since(origin: str, after_seq: int, limit: int = 500, conn: Any = None) -> list[Entry]:
    """The entries `origin` numbered after `after_seq`, in order (read with the models)."""
    query = JournalEntry.filter(origin=origin, seq__gt=after_seq).order_by("seq").limit(limit)
    return [Entry.from_row(row) for row in await (query.using_db(conn) if conn is not None else query)]


async def head(origin: str, conn: Any = None) -> int:
    """The highest number of `origin` held (0: none)."""
    query = JournalEntry.filter(origin=origin).order_by("-seq").first()
    row = await (query.using_db(conn) if conn is not None else query).values("seq")
    return int(row["seq"]) if row else 0


def _marks(client: Any, count: int) -> list[str]:
    """Parameter marks for the client's dialect: a replica is an SQLite file or a PostgreSQL schema."""
    if client.capabilities.dialect == "sqlite":
        return ["?"] * count
    return [f"${n}" for n in range(1, count + 1)]


async def entries_by_sql(client: Any, origin: str, after_seq: int, limit: int) -> list[Entry]:
    """The same from a connection read by hand (a replica, either database: no model instances made)."""
    marks = _marks(client, 3)
    _, rows = await client.execute_query(
        f"SELECT {COLUMNS} FROM journal WHERE origin = {marks[0]} AND seq > {marks[1]} ORDER BY seq "
        f"LIMIT {marks[2]}", [origin, after_seq, limit])
    return [Entry.from_sql(row) for row in rows]


async def all_entries_by_sql(client: Any) -> list[Entry]:
    """Every entry a replica holds, in order (to rebuild it)."""
    _, rows = await client.execute_query(f"SELECT {COLUMNS} FROM journal ORDER BY origin, seq")
    return [Entry.from_sql(row) for row in rows]
