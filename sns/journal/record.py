"""Recording: one entry per change, in the transaction that made it (DESIGN invariant 3).

`record(obj, conn)` is what every service calls (sns/services/base.py): it takes the next number of the
record's origin and bumps what readers see (sns/view_versions.py). What a neighbour's staff write into a
replica on that city's behalf (sns/mirror/behalf.py) is numbered by the replica's own cursor and goes
through `entry_of` and `append` the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sns import view_versions
from sns.journal.entry import Entry
from sns.journal.kinds import kind_of
from sns.models.base import utcnow
from sns.models.journal import JournalEntry


def payload_of(obj: Any) -> dict[str, Any]:
    """The record's full state as JSON-ready values, secrets left out."""
    out: dict[str, Any] = {}
    for name in obj._meta.fields_db_projection:
        if name in obj.JOURNAL_EXCLUDE:
            continue
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


def without_secrets(model: type, payload: dict[str, Any]) -> dict[str, Any]:
    """A complete payload (a restore's, opened from its sealed box) as the journal keeps it."""
    hidden = model.JOURNAL_EXCLUDE
    return {k: v for k, v in payload.items() if k not in hidden} if hidden else dict(payload)


def entry_of(obj: Any, *, origin: str, seq: int) -> Entry:
    """The entry for `obj` (already saved, version already bumped), numbered `seq` by `origin`."""
    return Entry(origin=origin, seq=seq, record_id=obj.id, kind=kind_of(obj), version=obj.version,
                 payload=payload_of(obj), recorded_at=utcnow())


async def append(entry: Entry, conn: Any) -> JournalEntry:
    """Write `entry` as a row of the journal of `conn`."""
    return await JournalEntry.create(using_db=conn, **entry.row_values())


async def next_seq(origin: str, conn: Any) -> int:
    """Take the next number for `origin` in one atomic upsert. The row stays locked until
    commit, so numbers are handed out in commit order and without gaps; two first writes at
    once (an empty journal) cannot both try to create the counter."""
    mark = "?" if conn.capabilities.dialect == "sqlite" else "$1"
    rows = await conn.execute_query_dict(
        f"INSERT INTO journal_counters (origin, value) VALUES ({mark}, 1) "
        "ON CONFLICT (origin) DO UPDATE SET value = journal_counters.value + 1 RETURNING value",
        [origin],
    )
    return int(rows[0]["value"])


async def record(obj: Any, conn: Any) -> JournalEntry:
    """Append one entry for `obj` (already saved, version already bumped), and bump the version numbers
    of what readers see that it changes (sns/view_versions.py), in the same transaction."""
    seq = await next_seq(obj.origin, conn)
    entry = entry_of(obj, origin=obj.origin, seq=seq)
    await view_versions.bump_for(entry.kind, obj, conn)
    return await append(entry, conn)
