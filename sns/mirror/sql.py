"""Hand-written SQL that runs on a replica of either kind: an SQLite file or a PostgreSQL schema.

A replica is read and written by hand in a few places (its bookkeeping tables, bulk statements); those
statements are written once, with `?` marks and `INSERT ... ON CONFLICT ... DO UPDATE` (both databases
know it), and the marks are turned into PostgreSQL's `$1, $2...` here, so no caller branches on the
database."""

from __future__ import annotations

import itertools
import re
from typing import Any, Sequence

_MARK = re.compile(r"\?")


def is_postgres(conn: Any) -> bool:
    return conn.capabilities.dialect != "sqlite"


def marks(conn: Any, sql: str) -> str:
    """`sql` with its `?` marks as the connection's dialect wants them (no `?` may stand in a literal)."""
    return numbered(sql) if is_postgres(conn) else sql


def numbered(sql: str) -> str:
    """`sql` with its `?` marks numbered as PostgreSQL wants them (`$1`, `$2`...)."""
    numbers = itertools.count(1)
    return _MARK.sub(lambda _: f"${next(numbers)}", sql)


def upsert(table: str, columns: Sequence[str], keys: Sequence[str]) -> str:
    """An insert that replaces the row with the same `keys` (the `INSERT OR REPLACE` of SQLite alone)."""
    rest = [c for c in columns if c not in keys]
    update = ", ".join(f"{c} = excluded.{c}" for c in rest)
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) "
            f"ON CONFLICT ({', '.join(keys)}) " + (f"DO UPDATE SET {update}" if rest else "DO NOTHING"))


async def query(conn: Any, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """The rows of `sql` (with `?` marks) on a replica's connection or transaction."""
    _, rows = await conn.execute_query(marks(conn, sql), list(params))
    return rows


async def many(conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """`sql` (with `?` marks) once per row of parameters."""
    await conn.execute_many(marks(conn, sql), [list(r) for r in rows])

