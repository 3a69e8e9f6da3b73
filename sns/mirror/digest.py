"""Content digests of the replicated records: one SHA-256 per kind, and one of everything.

Two databases hold the same content exactly when their digests are equal, whatever order the records
were written in, so tests (a restored origin against itself before, a replica against its origin) and
benchmarks compare them instead of row by row. A record is hashed as it travels in the journal
(`journal.payload_of`: secrets such as password hashes left out), records sorted by id.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable

from sns.journal import KINDS, payload_of
from sns.settings import Settings

ALL = "*"
_PAGE = 2000


async def kind_digest(kind: str, *, conn: Any = None, origin: str | None = None) -> tuple[str, int]:
    """The digest of every record of `kind` (of `origin`, if given) and how many there are."""
    model = KINDS[kind]
    digest = hashlib.sha256()
    count, last = 0, ""
    while True:  # in pages of ids: a big table is never loaded at once
        query = model.filter(id__gt=last).order_by("id").limit(_PAGE)
        if origin is not None:
            query = query.filter(origin=origin)
        if conn is not None:
            query = query.using_db(conn)
        rows = await query
        for row in rows:
            digest.update(json.dumps(payload_of(row), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                                     default=str).encode())
            digest.update(b"\n")
        count += len(rows)
        if len(rows) < _PAGE:
            return digest.hexdigest(), count
        last = rows[-1].id


async def content_digest(settings: Settings | None = None, *, conn: Any = None, origin: str | None = None,
                         kinds: Iterable[str] | None = None) -> dict[str, str]:
    """{kind: digest} for every replicated kind, plus `"*"` over all of them.

    `conn` is a replica's connection (`await replicas.open_replica(...)`), else the site's own database;
    `origin` keeps only the records of that origin (a replica holds some of other origins' too).
    `settings` is accepted for symmetry with the rest of the mirror API: the database is the one open.
    """
    out: dict[str, str] = {}
    everything = hashlib.sha256()
    for kind in sorted(kinds if kinds is not None else KINDS):
        value, count = await kind_digest(kind, conn=conn, origin=origin)
        out[kind] = value
        everything.update(f"{kind}:{count}:{value}\n".encode())
    out[ALL] = everything.hexdigest()
    return out


async def journal_digest(origin: str, *, conn: Any = None, upto: int | None = None) -> tuple[str, int]:
    """The digest of `origin`'s journal (numbers, kinds, records, versions, payloads; up to number `upto`)
    and its length: a restored origin must continue the very journal it had, not a look-alike."""
    from sns.models import JournalEntry

    digest = hashlib.sha256()
    count, last = 0, 0
    while True:
        query = JournalEntry.filter(origin=origin, seq__gt=last).order_by("seq").limit(_PAGE)
        if upto is not None:
            query = query.filter(seq__lte=upto)
        rows = await (query.using_db(conn) if conn is not None else query)
        for row in rows:
            digest.update(json.dumps([row.seq, row.kind, row.record_id, row.version, row.payload], sort_keys=True,
                                     separators=(",", ":"), ensure_ascii=False, default=str).encode())
            digest.update(b"\n")
        count += len(rows)
        if len(rows) < _PAGE:
            return digest.hexdigest(), count
        last = rows[-1].seq
