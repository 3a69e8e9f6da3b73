"""Content digests of the replicated records: one SHA-256 per kind, and one of everything (`"*"`).

Two databases hold the same content exactly when their digests are equal, whatever order the records
were written in, so tests (a restored origin against itself before, a replica against its origin) and
benchmarks compare them instead of row by row. A record is hashed as it travels in the journal
(`journal.payload_of`: secrets such as password hashes left out), records sorted by id, read in pages
so a big table is never loaded at once. With `open_only`, only what a neighbour may hold counts, shown
as it travels (a profile's hidden parts blanked): the digest of an origin's open records equals the
digest of a replica that caught up.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, AsyncIterator, Iterable

from sns.journal import KINDS, payload_of
from sns.mirror.travel import Openness
from sns.models import JournalEntry

ALL = "*"
_PAGE = 2000


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


async def _pages(query_of, key: str) -> AsyncIterator[list]:
    last: Any = None
    while True:
        rows = await query_of(last)
        if rows:
            yield rows
        if len(rows) < _PAGE:
            return
        last = getattr(rows[-1], key)


async def kind_records(kind: str, conn: Any = None, origin: str | None = None, *,
                       open_only: bool = False) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """(id, payload) of every record of `kind` (of `origin`, if given) on `conn` (else our database)."""
    model = KINDS[kind]
    openness = Openness(conn)

    def query_of(last):
        query = model.all().order_by("id").limit(_PAGE)
        if last is not None:
            query = query.filter(id__gt=last)
        if origin is not None:
            query = query.filter(origin=origin)
        return query.using_db(conn) if conn is not None else query

    async for rows in _pages(query_of, "id"):
        for row in rows:
            payload: dict[str, Any] | None = payload_of(row)
            if open_only:
                payload = await openness.open_payload(kind, payload)
                if payload is None:
                    continue
            yield row.id, payload


async def records_of(conn: Any = None, origin: str | None = None, *, open_only: bool = False,
                     kinds: Iterable[str] | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, id, payload) of every record, sorted by kind and id."""
    return [(kind, record_id, payload) for kind in sorted(kinds if kinds is not None else KINDS)
            async for record_id, payload in kind_records(kind, conn, origin, open_only=open_only)]


async def content_digest(conn: Any = None, origin: str | None = None, *, open_only: bool = False,
                         kinds: Iterable[str] | None = None) -> dict[str, str]:
    """{kind: digest} for every replicated kind, plus `"*"` over all of them.

    `conn` is a replica's connection (`await replicas.open_replica(...)`), else the site's own database;
    `origin` keeps only the records of that origin (a replica may hold some of other origins' too)."""
    out: dict[str, str] = {}
    everything = hashlib.sha256()
    for kind in sorted(kinds if kinds is not None else KINDS):
        digest, count = hashlib.sha256(), 0
        async for record_id, payload in kind_records(kind, conn, origin, open_only=open_only):
            digest.update(_canonical(payload) + b"\n")
            count += 1
        out[kind] = digest.hexdigest()
        everything.update(f"{kind}:{count}:{out[kind]}\n".encode())
    out[ALL] = everything.hexdigest()
    return out


async def journal_digest(origin: str, *, conn: Any = None, upto: int | None = None) -> tuple[str, int]:
    """The digest of `origin`'s journal (numbers, kinds, records, versions, payloads; up to number `upto`)
    and its length: a restored origin must continue the very journal it had, not a look-alike."""
    def query_of(last):
        query = JournalEntry.filter(origin=origin, seq__gt=last or 0).order_by("seq").limit(_PAGE)
        if upto is not None:
            query = query.filter(seq__lte=upto)
        return query.using_db(conn) if conn is not None else query

    digest, count = hashlib.sha256(), 0
    async for rows in _pages(query_of, "seq"):
        for row in rows:
            digest.update(_canonical([row.seq, row.kind, row.record_id, row.version, row.payload]) + b"\n")
        count += len(rows)
    return digest.hexdigest(), count
