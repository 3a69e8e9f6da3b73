"""A backup of a running instance, and bringing it back (`sns backup --out DIR`, `sns restore --from-backup DIR`).

A backup directory holds `database/` (SQLite: a copy made with the online backup API; PostgreSQL: a
`pg_dump --format=custom` archive), `media/`, `keys/`, `sns.toml` and `manifest.json`. The manifest names
every file with its SHA-256 (so a damaged backup is refused before anything is written) and, per table,
the number of rows and a digest of them as the backup saw them: the restore recomputes those on the
database it wrote, so "the same content" is checked, not assumed. The server keeps running meanwhile:
the database copy is one consistent snapshot, and a photo written during the backup is either whole in it
or absent (photos are written to a temporary name and renamed; we copy the same way).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from sns.settings import Settings, load_settings

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database/sns.sqlite3"
PG_FILE = "database/sns.pgdump"
WRITING = ".tmp"  # sns.media.write_durably's name for a photo not yet whole: never copied
LIBPQ_PARAMS = {"sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name", "options"}

Tell = Callable[[str, int, int], None]  # (what, done, total): the command's progress bar


class BackupRefused(Exception):
    """Said to the operator as it is: nothing was written (or, after the database, what was)."""


@dataclass
class Restored:
    manifest: dict
    settings: Settings
    files: int = 0
    tables: int = 0
    rows: int = 0
    notes: list[str] = field(default_factory=list)


# -- shared ----------------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_empty_dir(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def _kind(settings: Settings) -> str:
    return "sqlite" if settings.db_url.startswith("sqlite://") else "postgres"


def libpq_url(settings: Settings) -> str:
    """The database URL as pg_dump, pg_restore and asyncpg take it: Tortoise's own query parameters
    (minsize, maxsize...) mean nothing to libpq and would make it refuse the URL."""
    parts = urlsplit(settings.db_url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k in LIBPQ_PARAMS])
    return urlunsplit(("postgresql", parts.netloc, parts.path, query, ""))


def pg_command(settings: Settings) -> tuple[str, dict[str, str]]:
    """(the URL without its password, an environment with PGPASSWORD) for pg_dump and pg_restore: a
    password in their arguments would be readable by every user of the machine (ps)."""
    parts = urlsplit(libpq_url(settings))
    env = dict(os.environ)
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        host = parts.netloc.rsplit("@", 1)[1]
        user = parts.netloc.rsplit("@", 1)[0].split(":", 1)[0]
        parts = parts._replace(netloc=f"{user}@{host}")
    return urlunsplit(parts), env


def _project_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("local-sns")
    except PackageNotFoundError:
        return "unknown"


def latest_migration() -> str:
    """The newest migration this version of the code has (what an up-to-date database has applied)."""
    folder = Path(__file__).with_name("migrations")
    return max((p.stem for p in folder.glob("[0-9]*.py")), default="")


class _TableDigest:
    """An order-free digest of a table: the sum of its rows' SHA-256 (a multiset hash). Row by row, so a
    big table needs no memory, and the order rows come back in does not matter."""

    def __init__(self) -> None:
        self.rows, self.total = 0, 0

    def add(self, text: str) -> None:
        self.total = (self.total + int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")) % (1 << 256)
        self.rows += 1

    def result(self) -> dict:
        return {"rows": self.rows, "sha256": f"{self.total:064x}"}


# -- table digests ---------------------------------------------------------------------------------------


def sqlite_digests(path: Path) -> dict[str, dict]:
    """{table: {rows, sha256}} of every table of the SQLite file (virtual and shadow tables included)."""
    db = sqlite3.connect(path)
    try:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                          "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        out = {}
        for name in names:
            digest = _TableDigest()
            for row in db.execute(f'SELECT * FROM "{name}"'):  # nosec B608 (names from sqlite_master)
                digest.add(repr(row))
            out[name] = digest.result()
        return out
    finally:
        db.close()


async def pg_digests(conn) -> dict[str, dict]:
    """{table: {rows, sha256}} of every table of the connection's schema, read in its current
    transaction (the backup's exported snapshot); rows as PostgreSQL prints them, times in UTC."""
    await conn.execute("SET LOCAL TIME ZONE 'UTC'")
    names = [r[0] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                            "ORDER BY tablename")]
    out = {}
    for name in names:
        digest = _TableDigest()
        async for record in conn.cursor(f'SELECT t::text FROM "{name}" AS t', prefetch=2000):  # nosec B608
            digest.add(record[0])
        out[name] = digest.result()
    return out


async def database_digests(settings: Settings) -> dict[str, dict]:
    """The per-table digests of the configured database as it is now (the tests compare them)."""
    if _kind(settings) == "sqlite":
        return sqlite_digests(settings.data_dir / "sns.sqlite3")
    import asyncpg

    conn = await asyncpg.connect(libpq_url(settings))
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            return await pg_digests(conn)
    finally:
        await conn.close()


# -- taking a backup -------------------------------------------------------------------------------------


def _copy_file(source: Path, target: Path) -> str | None:
    """Copy to a temporary name, then rename: an interrupted backup never leaves a half file under the
    real name. Returns the copy's SHA-256, or None if the source went away meanwhile."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    try:
        with open(source, "rb") as src, open(part, "wb") as dst:
            for block in iter(lambda: src.read(1 << 20), b""):
                digest.update(block)
                dst.write(block)
    except FileNotFoundError:  # deleted (or renamed over) while we looked: it is simply not in this backup
        part.unlink(missing_ok=True)
        return None
    os.replace(part, target)
    return digest.hexdigest()


# Neighbours' replicas are not ours to back up (they are pulled again from the neighbours): on PostgreSQL
# their schemas and the photos under <media_dir>/mirror/ stay out, as their SQLite files in <data>/mirror do.
MIRROR_SCHEMAS, MIRROR_MEDIA = "mirror_*", "mirror"


def _files_under(root: Path, skip: str = "") -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(WRITING)
                  and not (skip and p.relative_to(root).parts[0] == skip))


def _copy_tree(root: Path, out: Path, prefix: str, files: dict[str, str], tell: Tell, skip: str = "") -> None:
    found = _files_under(root, skip)
    tell(prefix, 0, len(found))
    for done, path in enumerate(found, 1):
        name = f"{prefix}/{path.relative_to(root).as_posix()}"
        digest = _copy_file(path, out / name)
        if digest is not None:
            files[name] = digest
        tell(prefix, done, len(found))


def _last_migration_sqlite(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        row = db.execute("SELECT MAX(name) FROM tortoise_migrations WHERE app = 'models'").fetchone()
        return row[0] or ""
    finally:
        db.close()


def _backup_sqlite(settings: Settings, out: Path, tell: Tell) -> tuple[dict, str]:
    """The online backup API in one step (pages=-1): it reads one snapshot while the server goes on
    writing (WAL). Stepwise copying would start over at every write of the server, and never end on a
    busy site."""
    source_path = settings.data_dir / "sns.sqlite3"
    if not source_path.is_file():
        raise BackupRefused(f"There is no database at {source_path}: is --data the instance's data directory?")
    target = out / SQLITE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    source, copy = sqlite3.connect(source_path), sqlite3.connect(target)
    try:
        tell("database", 0, 1)
        source.backup(copy, pages=-1)
    finally:
        copy.close()
        source.close()
    tell("database", 1, 1)
    return sqlite_digests(target), _last_migration_sqlite(target)


def _pg_tool(name: str) -> str:
    """Debian's wrapper picks the version that matches the server; else the newest installed."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if not versions:
        raise BackupRefused(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return str(versions[-1])


async def _backup_postgres(settings: Settings, out: Path, tell: Tell) -> tuple[dict, str]:
    """pg_dump and the table digests read the same snapshot: we export it from a repeatable-read
    transaction that stays open until pg_dump is done, so the digests describe exactly the dump."""
    import asyncpg

    target = out / PG_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    url = libpq_url(settings)
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
            tell("database", 0, 2)
            where, env = pg_command(settings)
            dump = await asyncio.create_subprocess_exec(
                _pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={target}",
                f"--exclude-schema={MIRROR_SCHEMAS}", where,
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            tables = await pg_digests(conn)
            tell("database", 1, 2)
            _, err = await dump.communicate()
            if dump.returncode != 0:
                raise BackupRefused(f"pg_dump failed: {err.decode(errors='replace').strip()}")
            migration = await conn.fetchval("SELECT MAX(name) FROM tortoise_migrations WHERE app = 'models'")
    finally:
        await conn.close()
    tell("database", 2, 2)
    return tables, migration or ""


def backup(settings: Settings, out: Path, tell: Tell) -> dict:
    """Write a backup of the (running) instance into `out`, which must be new or empty; returns the manifest."""
    if not _is_empty_dir(out):
        raise BackupRefused(f"{out} is not empty: give a new directory (a backup never overwrites another).")
    if out.resolve().is_relative_to(settings.media_dir.resolve()):
        raise BackupRefused(f"{out} is inside the photos directory ({settings.media_dir}): the next backup "
                            "would hold this one. Give a directory elsewhere.")
    out.mkdir(parents=True, exist_ok=True)
    kind = _kind(settings)
    # The database before the photos: a photo's file is written before its row commits
    # (sns.services.photos), so every photo of the snapshot is on disk when the media are copied.
    if kind == "sqlite":
        tables, migration = _backup_sqlite(settings, out, tell)
    else:
        tables, migration = asyncio.run(_backup_postgres(settings, out, tell))
    database_file = SQLITE_FILE if kind == "sqlite" else PG_FILE
    files = {database_file: sha256_file(out / database_file)}
    _copy_tree(settings.media_dir, out, "media", files, tell, skip=MIRROR_MEDIA)
    _copy_tree(settings.keys_dir, out, "keys", files, tell)
    if (settings.data_dir / "sns.toml").is_file():
        files["sns.toml"] = _copy_file(settings.data_dir / "sns.toml", out / "sns.toml") or ""
    manifest = {
        "format": FORMAT, "version": _project_version(), "origin": settings.origin, "database": kind,
        "migration": migration, "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "files": files, "tables": tables,
    }
    part = out / (MANIFEST + ".part")
    part.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    os.replace(part, out / MANIFEST)  # last: a directory without a manifest is no backup
    return manifest


# -- restoring -------------------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict:
    path = source / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise BackupRefused(f"{source} is not a backup: it has no {MANIFEST} (sns backup --out writes one).") from None
    except (ValueError, UnicodeDecodeError):
        raise BackupRefused(f"{path} is damaged (not readable JSON): this backup cannot be trusted.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(f"{path} is of a backup format this version does not know "
                            f"({manifest.get('format') if isinstance(manifest, dict) else '?'}).")
    return manifest


def check_files(source: Path, manifest: dict, tell: Tell) -> None:
    """Every file the manifest names is there with its digest, and there is no other: all before
    anything is written."""
    files: dict[str, str] = manifest.get("files") or {}
    present = {p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()} - {MANIFEST}
    missing, extra = sorted(set(files) - present), sorted(present - set(files))
    if missing:
        raise BackupRefused(f"The backup is incomplete: {', '.join(missing[:5])} missing. Nothing was restored.")
    if extra:
        raise BackupRefused(f"The backup holds files its manifest does not name ({', '.join(extra[:5])}): "
                            "it was changed after it was made. Nothing was restored.")
    tell("checking", 0, len(files))
    for done, (name, digest) in enumerate(sorted(files.items()), 1):
        if sha256_file(source / name) != digest:
            raise BackupRefused(f"The backup is damaged: {name} is not what was backed up (its SHA-256 "
                                "differs). Nothing was restored.")
        tell("checking", done, len(files))


def restore_settings(data_dir: Path, source: Path) -> Settings:
    """The settings the restored instance will have: its backed-up sns.toml, under the environment
    (which wins, as always). The database to restore into comes from them."""
    saved = source / "sns.toml"
    values = tomllib.loads(saved.read_text()) if saved.is_file() else {}
    overrides = {k: v for k, v in values.items()
                 if "SNS_" + k.upper() not in os.environ and not (k == "database_url" and "DATABASE_URL" in os.environ)}
    return load_settings(data_dir, **overrides)


async def _pg_is_empty(url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval("SELECT count(*) FROM pg_tables "
                                   "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
    finally:
        await conn.close()


def check_target(settings: Settings, manifest: dict) -> None:
    """An empty data directory (and media directory), and a database of the backup's kind that holds
    nothing: a restore never mixes with what is there."""
    for where in (settings.data_dir, settings.media_dir):
        if not _is_empty_dir(where):
            raise BackupRefused(f"{where} is not empty: restore into a new, empty data directory "
                                "(nothing was touched).")
    if settings.origin != manifest.get("origin"):
        raise BackupRefused(f"This backup is of {manifest.get('origin')}, but these settings call the instance "
                            f"{settings.origin}: set SNS_ORIGIN={manifest.get('origin')} (an origin never changes; "
                            "nothing was touched).")
    kind = _kind(settings)
    if manifest.get("database") != kind:
        wanted = ("a PostgreSQL database: set database_url (SNS_DATABASE_URL) to an empty one"
                  if manifest.get("database") == "postgres" else "SQLite: leave database_url unset")
        raise BackupRefused(f"This backup holds {wanted} (nothing was touched).")
    if kind == "postgres":
        tables = asyncio.run(_pg_is_empty(libpq_url(settings)))
        if tables:
            raise BackupRefused(f"The database in database_url already has {tables} tables: restore into a new, "
                                "empty database (createdb), nothing was touched.")


def _restore_database(settings: Settings, source: Path, tell: Tell) -> None:
    tell("database", 0, 1)
    if _kind(settings) == "sqlite":
        target = settings.data_dir / "sns.sqlite3"
        part = target.with_name(target.name + ".part")
        shutil.copyfile(source / SQLITE_FILE, part)
        os.replace(part, target)
    else:
        where, env = pg_command(settings)
        done = subprocess.run([_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                               "--single-transaction", f"--dbname={where}", str(source / PG_FILE)],
                              env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupRefused(f"pg_restore failed (the database is left as it was): {done.stderr.strip()}")
    tell("database", 1, 1)


def _put_files(settings: Settings, source: Path, manifest: dict, tell: Tell) -> int:
    """Media into media_dir, keys (0600, in a 0700 directory) and sns.toml into the data directory."""
    names = sorted(manifest["files"])
    places = {"media": settings.media_dir, "keys": settings.keys_dir}
    tell("files", 0, len(names))
    for done, name in enumerate(names, 1):
        top, _, rest = name.partition("/")
        if top in places:
            target = places[top] / rest
        elif name == "sns.toml":
            target = settings.data_dir / "sns.toml"
        else:
            target = None  # the database: restored above
        if target is not None:
            _copy_file(source / name, target)
        if top == "keys":
            settings.keys_dir.chmod(0o700)
            target.chmod(0o600)
        tell("files", done, len(names))
    return sum(1 for name in names if not name.startswith("database/"))


def restore(data_dir: Path, source: Path, tell: Tell) -> Restored:
    """Check everything, then write: the database, its per-table digests compared with the manifest,
    then media, keys and settings. Pending migrations are the caller's (`sns init` does them)."""
    manifest = read_manifest(source)
    if not _is_empty_dir(data_dir):
        raise BackupRefused(f"{data_dir} is not empty: restore into a new, empty data directory "
                            "(nothing was touched).")
    check_files(source, manifest, tell)
    settings = restore_settings(data_dir, source)
    check_target(settings, manifest)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _restore_database(settings, source, tell)
    found = asyncio.run(database_digests(settings))
    differ = sorted(t for t, d in manifest["tables"].items() if found.get(t) != d)
    if differ:
        raise BackupRefused(f"The restored database differs from the backup in {', '.join(differ[:5])}: "
                            "do not use it; report this.")
    result = Restored(manifest, settings, tables=len(found), rows=sum(d["rows"] for d in found.values()))
    result.files = _put_files(settings, source, manifest, tell)
    return result
