"""The generated SQLite town copied into PostgreSQL (pages.py, scenario 4), kept for later runs.

A fresh database (`sns_bench_<town directory>`) gets its schema from `sns init` (the real migrations),
then every row of the SQLite town is copied with asyncpg's `copy_records_to_table`, tables in
foreign-key order, values converted to the PostgreSQL column types. Then ANALYZE (autovacuum would do it
within minutes on a real server). Its data directory (`<town>-pg/`) holds the same keys and settings
as the SQLite town's, and `bench.json` with the database URL.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SKIP = ("tortoise", "aerich", "sqlite_", "search_")  # migration bookkeeping as `sns init` wrote it; the search
# index is made per dialect (`sns search reindex`; no page measured here searches)


def pg_dir(town: Path) -> Path:
    return town.parent / (town.name + "-pg")


def ensure_pg_town(town: Path, admin_url: str, regenerate: bool = False) -> tuple[Path, str, dict]:
    target = pg_dir(town)
    meta_path = target / "bench.json"
    if meta_path.exists() and not regenerate:
        meta = json.loads(meta_path.read_text())
        if asyncio.run(_exists(admin_url, meta["database"])):
            return target, meta["database_url"], {**meta, "copied_now": False}
    name = "sns_bench_" + town.name.replace("-", "_").lower()
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copy(town / "sns.toml", target / "sns.toml")
    shutil.copytree(town / "keys", target / "keys")
    print(f"copying {town.name} into PostgreSQL database {name} ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    asyncio.run(_recreate(admin_url, name))
    env = {"SNS_DATA": str(target), "SNS_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    subprocess.run([PYTHON, "-m", "sns", "--data", str(target), "init"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    rows = asyncio.run(_copy(town / "sns.sqlite3", url))
    meta = {"database": name, "database_url": url, "copy_s": round(time.perf_counter() - t0, 1), "rows": rows}
    meta_path.write_text(json.dumps(meta))
    print(f"copied {rows} rows in {meta['copy_s']} s", file=sys.stderr, flush=True)
    return target, url, {**meta, "copied_now": True}


async def _exists(admin_url: str, name: str) -> bool:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await conn.close()


async def _recreate(admin_url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def _converter(pg_type: str):
    if pg_type == "timestamp with time zone":
        def ts(v):
            d = datetime.fromisoformat(v) if isinstance(v, str) else v
            return d if d.tzinfo else d.replace(tzinfo=timezone.utc)
        return ts
    if pg_type == "timestamp without time zone":
        return lambda v: datetime.fromisoformat(v).replace(tzinfo=None) if isinstance(v, str) else v
    if pg_type == "date":
        return lambda v: date.fromisoformat(v) if isinstance(v, str) else v
    if pg_type == "boolean":
        return bool
    if pg_type in ("integer", "bigint", "smallint"):
        return int
    if pg_type in ("double precision", "real"):
        return float
    if pg_type == "numeric":
        from decimal import Decimal
        return lambda v: Decimal(str(v))
    if pg_type == "uuid":
        import uuid
        return lambda v: uuid.UUID(v) if isinstance(v, str) else v
    if pg_type == "bytea":
        return lambda v: v.encode() if isinstance(v, str) else v
    return lambda v: v if isinstance(v, str) else str(v)


async def _copy(sqlite_path: Path, url: str) -> int:
    import asyncpg

    lite = sqlite3.connect(sqlite_path)
    names = [r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    conn = await asyncpg.connect(url)
    total = 0
    try:
        columns: dict[str, dict[str, str]] = {}
        for table, column, kind in await conn.fetch(
                "SELECT table_name, column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = 'public'"):
            columns.setdefault(table, {})[column] = kind
        tables = [t for t in names if t in columns and not t.startswith(SKIP)
                  and lite.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone()]
        refs = await conn.fetch(
            "SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent FROM pg_constraint c"
            " WHERE c.contype = 'f'")
        parents = {t: {r["parent"].strip('"') for r in refs if r["child"].strip('"') == t} for t in tables}
        ordered: list[str] = []
        while len(ordered) < len(tables):
            ready = [t for t in tables if t not in ordered and all(p in ordered or p == t or p not in tables
                                                                   for p in parents[t])]
            if not ready:  # a cycle: copy the rest in any order
                ready = [t for t in tables if t not in ordered]
            ordered += ready
        async with conn.transaction():
            await conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in ordered) + " CASCADE")
            for table in ordered:
                lite_cols = [r[1] for r in lite.execute(f'PRAGMA table_info("{table}")')]
                cols = [c for c in lite_cols if c in columns[table]]
                convert = [_converter(columns[table][c]) for c in cols]
                cursor = lite.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{table}"'
                                      " ORDER BY rowid")
                while batch := cursor.fetchmany(50_000):
                    records = [tuple(None if v is None else f(v) for f, v in zip(convert, row)) for row in batch]
                    await conn.copy_records_to_table(table, records=records, columns=cols)
                    total += len(records)
            for table in ordered:  # serial columns continue after the copied rows
                for column in columns[table]:
                    seq = await conn.fetchval("SELECT pg_get_serial_sequence($1, $2)", table, column)
                    if seq:
                        await conn.execute(f"SELECT setval('{seq}', COALESCE((SELECT MAX(\"{column}\") FROM "
                                           f"\"{table}\"), 0) + 1, false)")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
        lite.close()
    return total
