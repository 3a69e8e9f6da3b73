"""Replicas in PostgreSQL: one schema per neighbour in the site's own database.

When the site runs on PostgreSQL every machine of the city must read the same replicas, so a
neighbour's replica is a schema (`mirror_<origin made safe>`) of the site's database rather than a file
on the machine that pulled it. Its tables are the site's own, made inside that schema and reached through
the search_path of a small pool of its own, so a neighbour's users and roles are never in our tables and
its usernames never collide with ours. Foreign keys are dropped after the tables are made: a replica
holds only what travelled openly (a public comment may name a user whose record never came).
"""

from __future__ import annotations

import hashlib
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from tortoise import Tortoise
from tortoise.backends.asyncpg import AsyncpgDBClient
from tortoise.backends.asyncpg.schema_generator import AsyncpgSchemaGenerator
from tortoise.backends.base.config_generator import expand_db_url

PREFIX = "mirror_"
POOL_MIN, POOL_MAX = 1, 4  # one pool per neighbour per process: kept small


def schema_name(safe: str, suffix: str = "") -> str:
    """The schema of an origin already made safe (a-z, 0-9, '.', '-', '_'), within PostgreSQL's 63 bytes: a
    longer name keeps its start and a digest of the whole (two long origins must not share a schema)."""
    if len(safe) > 50:
        safe = f"{safe[:41]}~{hashlib.sha256(safe.encode()).hexdigest()[:8]}"
    return f"{PREFIX}{safe}{suffix}"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def site_models() -> list:
    """The site's own models: the tables of every replica (Tortoise would only make the models of their
    own connection; a replica is another connection with the same models)."""
    models = [m for m in Tortoise.apps.get_models_iterable() if m._meta.app == "models"]
    for model in models:
        model._check()
    return models


class ReplicaSchema(AsyncpgSchemaGenerator):
    """The site's own tables, made in a replica's schema."""

    def _get_models_to_create(self) -> list:
        return site_models()


async def connect(url: str, schema: str, name: str) -> AsyncpgDBClient:
    """A pool on the site's database whose search_path is the replica's schema (alone: nothing of ours
    can be read or written through it by mistake)."""
    credentials = dict(expand_db_url(url)["credentials"])
    credentials.update(minsize=POOL_MIN, maxsize=POOL_MAX, schema=quoted(schema))
    client = AsyncpgDBClient(connection_name=name, **credentials)
    await client.create_connection(with_db=True)
    return client


async def schema_exists(client: Any, schema: str) -> bool:
    _, rows = await client.execute_query("SELECT 1 AS one FROM pg_namespace WHERE nspname = $1", [schema])
    return bool(rows)


async def make_schema(client: Any, schema: str) -> None:
    await client.execute_script(f"CREATE SCHEMA IF NOT EXISTS {quoted(schema)}")


async def drop_schema(client: Any, schema: str) -> None:
    await client.execute_script(f"DROP SCHEMA IF EXISTS {quoted(schema)} CASCADE")


async def drop_foreign_keys(client: Any, schema: str) -> None:
    """A replica holds records whose referents may never travel: no foreign key may refuse them."""
    _, rows = await client.execute_query(
        "SELECT c.conname, t.relname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
        "JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = $1", [schema])
    if rows:  # one script: a replica is made while a page may be waiting for it
        await client.execute_script(";\n".join(
            f"ALTER TABLE {quoted(schema)}.{quoted(r['relname'])} DROP CONSTRAINT IF EXISTS {quoted(r['conname'])}"
            for r in rows))


async def schemas(client: Any) -> list[str]:
    """The replica schemas of the database, their names without the prefix (rebuilds in progress left out)."""
    _, rows = await client.execute_query(
        "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1) ORDER BY nspname", [PREFIX])
    return [r["nspname"][len(PREFIX):] for r in rows if not r["nspname"].endswith(".new")]


def lock_key(schema: str, purpose: str) -> int:
    """A 64-bit advisory-lock key for one purpose on one replica (the same on every machine)."""
    digest = hashlib.sha256(f"sns-replica:{purpose}:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@asynccontextmanager
async def advisory_lock(client: AsyncpgDBClient, key: int, *, wait: bool) -> AsyncIterator[bool]:
    """A session lock held on one connection of the pool for the block: yields False when another
    session (on any machine) holds it and `wait` is False."""
    async with client.acquire_connection() as conn:
        if wait:
            await conn.execute("SELECT pg_advisory_lock($1)", key)
            got = True
        else:
            got = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", key))
        try:
            yield got
        finally:
            if got:
                await conn.execute("SELECT pg_advisory_unlock($1)", key)
