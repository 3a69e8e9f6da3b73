"""A city on two machines (real `sns serve` processes, separate data directories, one PostgreSQL database)
mirrors a neighbour (another `sns serve` on its own database): the replica machine A pulls is a schema of
the city's database, so machine B's mirror pages show the neighbour too; the neighbour's users live only in
that schema (a neighbour's `writer` and ours do not collide); dropping the replica drops its schema.

PostgreSQL only: on SQLite a city is one machine and its replicas are files in its data directory."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import asyncpg
import httpx
import pytest

from browser.live import wait_for
from cities import City, replica_rows
from machines import city_machines, needs_postgres
from sns.keys import fingerprint
from sns.mirror.replicas import schema_of

pytestmark = [pytest.mark.slow, needs_postgres]
OURS, THEIRS = "ours.test", "n.test"


def rows(url: str, sql: str, *args) -> list[tuple]:
    """Rows of `sql` in our city's database, outside any replica (our own tables, the catalogue)."""
    async def read() -> list[tuple]:
        conn = await asyncpg.connect(url)
        try:
            return [tuple(r) for r in await conn.fetch(sql, *args)]
        finally:
            await conn.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, read()).result()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("machines")
    neighbour = City(root, "n")
    neighbour.log = neighbour.data_dir / "server.log"
    env = {"SNS_ORIGIN": OURS, "SNS_MIRROR_PULL_SECONDS": "1", "COLUMNS": "250"}
    with city_machines(root, 2, env=env, start=False) as (a, b):
        b.extra_env["SNS_BACKGROUND_TASKS"] = "false"  # only A pulls: B can only show what A wrote
        a.create_user("writer")  # the neighbour's writer has the same name
        head = neighbour.write(30)
        try:
            neighbour.start()
            a.start()
            b.start()
            a.sns("mirror", "add", neighbour.url, "--fingerprint", neighbour.fingerprint)
            neighbour.sns("mirror", "add", a.url, "--fingerprint", fingerprint(a.data_dir / "keys"))
            wait_for(lambda: cursor(a) >= head, f"machine A pulls {THEIRS}'s {head} entries", timeout=60)
            yield a, b, neighbour
        finally:
            neighbour.stop()


def cursor(machine) -> int:
    found = replica_rows(machine, THEIRS, "SELECT MAX(seq) FROM journal WHERE origin = ?", THEIRS)
    return (found[0][0] or 0) if found else 0


def test_the_replica_machine_a_pulled_is_read_by_machine_b(world):
    a, b, _ = world
    assert not (a.data_dir / "mirror").exists() or not list((a.data_dir / "mirror").glob("*.sqlite3"))
    page = httpx.get(f"{b.url}/mirror/{THEIRS}/notices", trust_env=False, timeout=30)
    assert page.status_code == 200 and "Notice 10" in page.text, page.text[:500]
    diaries = httpx.get(f"{b.url}/mirror/{THEIRS}/diaries", trust_env=False, timeout=30)
    assert diaries.status_code == 200 and "Diary 1" in diaries.text


def test_the_neighbours_users_live_only_in_its_schema(world):
    a, _, _ = world
    ours = rows(a.database_url, "SELECT username, origin FROM public.users ORDER BY username")
    assert ("writer", OURS) in ours and all(origin == OURS for _, origin in ours)
    theirs = replica_rows(a, THEIRS, "SELECT username, origin FROM users")
    assert theirs == [("writer", THEIRS)]


def test_dropping_the_replica_drops_its_schema(world):
    a, _, _ = world
    assert rows(a.database_url, "SELECT 1 FROM pg_namespace WHERE nspname = $1", schema_of(THEIRS))
    a.sns("mirror", "remove", THEIRS)
    a.sns("mirror", "drop-replica", THEIRS)
    assert not rows(a.database_url, "SELECT 1 FROM pg_namespace WHERE nspname = $1", schema_of(THEIRS))
