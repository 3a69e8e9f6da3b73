"""One replica database per mirrored origin (sns/mirror/replicas.py): entries and records stored in one
transaction, withdrawals, the cursor, highest version wins, rebuilt when the tables change."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sns.journal import Entry
from sns.mirror import replicas
from sns.models import Diary, JournalEntry, Notice

ORIGIN = "b.example"
T = "2026-12-01T00:00:00+00:00"


def notice(n: int, version: int = 1, title: str | None = None, **more) -> dict:
    payload = {"id": f"notice-{n}", "origin": ORIGIN, "version": version, "created_at": T, "updated_at": T,
               "deleted_at": None, "author_id": "u1", "title": title or f"Notice {n}", "body": "Water at noon.",
               **more}
    return payload


def entry(seq: int, payload: dict | None = None, *, kind: str = "notice", record_id: str | None = None,
          sealed: str | None = None) -> Entry:
    e = {"seq": seq, "recorded_at": T, "record_id": record_id or (payload or {}).get("id", "")}
    if payload is not None:
        e.update(kind=kind, version=payload["version"], payload=payload)
    if sealed:
        e["sealed"] = sealed
    return Entry.from_wire(e, origin=ORIGIN)


def on_postgres(site) -> bool:
    return replicas.postgres_url(site.settings) is not None


@pytest.fixture
async def where(site, tmp_path):
    """Where this test's replicas live: the site's database on PostgreSQL (a schema, dropped after the
    test), else a fresh data directory (SQLite files)."""
    place = site.settings if on_postgres(site) else tmp_path
    yield place
    await replicas.close_all()
    await replicas.drop(place, ORIGIN)


@pytest.fixture
async def replica(where):
    client = await replicas.open_replica(where, ORIGIN)
    yield client
    await replicas.close_all()


async def titles(client) -> list[str]:
    return sorted(n.title for n in await Notice.all().using_db(client))


async def test_open_entries_become_records_and_the_cursor_moves(replica, where):
    assert await replicas.cursor(replica, ORIGIN) == 0
    done = await replicas.store_entries(replica, [entry(1, notice(1)), entry(2, notice(2)),
                                                  entry(3, record_id="diary-secret", sealed="Ym94")],
                                        expect_after=0, stream=ORIGIN)
    assert done == 3 and await replicas.cursor(replica, ORIGIN) == 3
    assert await titles(replica) == ["Notice 1", "Notice 2"]
    held = await JournalEntry.filter(origin=ORIGIN).using_db(replica).order_by("seq")
    assert [(e.seq, e.kind, e.sealed) for e in held] == [(1, "notice", None), (2, "notice", None),
                                                         (3, "sealed", "Ym94")]
    assert await replicas.existing_origins(where) == [ORIGIN] and await replicas.exists(where, ORIGIN)
    assert replicas.path_of(where, ORIGIN).exists() == isinstance(where, Path)


async def test_a_withdrawal_removes_the_copy(replica):
    await replicas.store_entries(replica, [entry(1, notice(1)), entry(2, notice(2))])
    await replicas.store_entries(replica, [entry(3, record_id="notice-1")])
    assert await titles(replica) == ["Notice 2"]
    _, rows = await replica.execute_query("SELECT record_id FROM replica_records")
    assert [r["record_id"] for r in rows] == ["notice-2"]
    await replicas.store_entries(replica, [entry(4, record_id="never-seen")])  # nothing to remove: fine
    assert await replicas.cursor(replica, ORIGIN) == 4


async def test_highest_version_wins(replica):
    await replicas.store_entries(replica, [entry(1, notice(1, 2, "Second")), entry(2, notice(1, 1, "First"))])
    assert await titles(replica) == ["Second"]
    await replicas.store_entries(replica, [entry(3, notice(1, 3, "Third", deleted_at=T))])
    assert await titles(replica) == ["Third"]  # a tombstone of an open kind: kept as a tombstone row


async def test_a_batch_is_applied_whole_or_not_at_all(replica):
    await replicas.store_entries(replica, [entry(1, notice(1))])
    broken = notice(3, created_at="not a time")
    with pytest.raises(ValueError):
        await replicas.store_entries(replica, [entry(2, notice(2)), entry(3, broken)], expect_after=1, stream=ORIGIN)
    assert await replicas.cursor(replica, ORIGIN) == 1
    assert await titles(replica) == ["Notice 1"]


async def test_a_batch_someone_else_applied_is_not_applied_twice(replica):
    await replicas.store_entries(replica, [entry(1, notice(1))], expect_after=0, stream=ORIGIN)
    again = await replicas.store_entries(replica, [entry(1, notice(1))], expect_after=0, stream=ORIGIN)
    assert again is None
    assert await JournalEntry.filter(origin=ORIGIN).using_db(replica).count() == 1


async def test_a_replica_of_other_tables_is_rebuilt_from_its_entries(replica, where, tmp_path):
    await replicas.store_entries(replica, [entry(1, notice(1)), entry(2, notice(2)), entry(3, record_id="notice-2"),
                                           entry(4, record_id="x", sealed="Ym94")])
    await replica.execute_query("UPDATE replica_meta SET value = 'older' WHERE key = 'schema'")
    await replica.execute_query("DELETE FROM notices")  # what an older version's tables would not hold
    await replicas.close_all()
    again = await replicas.open_replica(where, ORIGIN)
    assert await titles(again) == ["Notice 1"]
    assert await replicas.cursor(again, ORIGIN) == 4
    assert (await JournalEntry.get(origin=ORIGIN, seq=4).using_db(again)).sealed == "Ym94"
    _, rows = await again.execute_query("SELECT value FROM replica_meta WHERE key = 'schema'")
    assert rows[0]["value"] != "older"
    assert not list(tmp_path.joinpath("mirror").glob("*.rebuilding"))
    assert await replicas.existing_origins(where) == [ORIGIN]  # (no schema left half made beside it)


async def test_a_replica_is_apart_from_our_own_database(replica, site):
    await replicas.store_entries(replica, [entry(1, notice(1))])
    assert not await Notice.filter(id="notice-1").exists()
    assert await Diary.all().using_db(replica).count() == 0


async def test_dropping_a_replica_deletes_its_schema_or_file(replica, where):
    await replicas.store_entries(replica, [entry(1, notice(1))])
    assert await replicas.exists(where, ORIGIN) and not await replicas.exists(where, "other.example")
    await replicas.drop(where, ORIGIN)
    assert not await replicas.exists(where, ORIGIN) and await replicas.existing_origins(where) == []
    again = await replicas.open_replica(where, ORIGIN)  # made anew, empty
    assert await replicas.cursor(again, ORIGIN) == 0


def test_schema_names_are_safe_and_short():
    assert replicas.schema_of("B.Example") == "mirror_b.example"
    assert replicas.schema_of("../x;DROP") == "mirror_.._x_drop"
    long_a, long_b = replicas.schema_of("a" * 70 + ".one"), replicas.schema_of("a" * 70 + ".two")
    assert long_a != long_b and len(long_a + ".new") <= 63


def test_file_names_are_safe():
    assert replicas.file_name("B.Example") == "b.example.sqlite3"
    assert "/" not in replicas.file_name("../../etc/passwd") and replicas.file_name("") == "_.sqlite3"


async def test_one_writer_per_replica(where):
    async with replicas.writer_lock(where, ORIGIN) as first:
        assert first
        async with replicas.writer_lock(where, ORIGIN) as second:
            assert not second
    async with replicas.writer_lock(where, ORIGIN) as again:
        assert again


async def test_within_a_batch_the_last_word_on_a_record_counts(replica):
    await replicas.store_entries(replica, [entry(1, notice(1)), entry(2, record_id="notice-1"),
                                           entry(3, notice(1, 3, "Back")), entry(4, notice(2)),
                                           entry(5, record_id="notice-2")])
    assert await titles(replica) == ["Back"]
    await replicas.store_entries(replica, [entry(6, record_id="notice-1"), entry(7, notice(1, 2, "Again"))])
    assert await titles(replica) == ["Again"], "withdrawn, then sent again: held whatever its version"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(1, 3), st.one_of(st.none(), st.integers(1, 4))), min_size=1,
                      max_size=12),
       cut=st.integers(0, 12))
async def test_bulk_store_equals_applying_one_by_one(site, tmp_path_factory, steps, cut):
    """Whatever the order of changes and withdrawals, and wherever the batches are cut, the replica ends
    as `journal.apply` entry by entry (create, or update when the version is higher) and withdrawals
    (remove) would leave it."""
    data = site.settings if on_postgres(site) else tmp_path_factory.mktemp("bulk")
    client = await replicas.open_replica(data, ORIGIN)
    for table in ("journal", "notices", "replica_records"):  # (a schema is made once: emptied per example)
        await client.execute_query(f"DELETE FROM {table}")
    entries = [entry(seq, notice(n, version, f"{n}.{version}")) if version else entry(seq, record_id=f"notice-{n}")
               for seq, (n, version) in enumerate(steps, start=1)]
    cut = min(cut, len(entries))
    for part in (entries[:cut], entries[cut:]):
        if part:
            await replicas.store_entries(client, part)
    expected: dict[str, str] = {}
    versions: dict[str, int] = {}
    for e in entries:
        if e.payload:
            p = e.payload
            if p["id"] not in versions or versions[p["id"]] < p["version"]:
                expected[p["id"]], versions[p["id"]] = p["title"], p["version"]
        else:
            expected.pop(e.record_id, None)
            versions.pop(e.record_id, None)
    assert sorted(expected.values()) == await titles(client)
    await replicas.close_all()
