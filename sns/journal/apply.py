"""Applying entries: the one way a journaled state becomes a row (DESIGN invariant 5).

Replaying our own entries, applying a neighbour's to its replica (sns/mirror/replicas.py), restoring a
destroyed instance (sns/mirror/restore.py), copying a neighbour's alerts (sns/mirror/alerts.py) and
adopting what was posted for us (sns/mirror/adopt.py, which makes rows with `row_of` and then saves them
as our own) all come here: `values_of` turns a payload into model values, and `upsert` writes the
payloads whose record is missing or held at an older version ("highest version wins"; a tombstone is just
a newer version with `deleted_at` set). `final_states` says what applying a batch entry by entry leaves,
so a replica can apply it per kind in a few statements with the same result.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Iterator

from sns import view_versions
from sns.journal.entry import Entry
from sns.journal.kinds import KINDS
from sns.search.index import index_object

CHUNK = 400  # ids in one IN (...) list


def values_of(model: type, payload: dict[str, Any]) -> dict[str, Any]:
    """The model's values for a payload: its own columns but `id`, times made datetimes again."""
    known = model._meta.fields_db_projection
    values = {}
    for name, value in payload.items():
        if name not in known or name == "id":
            continue
        field = model._meta.fields_map[name]
        if value is not None and type(field).__name__ == "DatetimeField":
            value = datetime.fromisoformat(value)
        values[name] = value
    return values


def row_of(model: type, payload: dict[str, Any]) -> Any:
    """The record a payload describes, as an unsaved model instance."""
    return model(id=payload["id"], **values_of(model, payload))


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


async def upsert(conn: Any, kind: str, payloads: list[dict[str, Any]], *, index: bool = True,
                 bulk: bool = False) -> list[dict[str, Any]]:
    """Write each payload (at most one per record) whose record `conn` lacks or holds at an older version;
    the payloads written.

    With `index`, what is written is searchable like what was written here, and readers' kept pages of it
    are renewed (same transaction). With `bulk` (a replica: no foreign keys, no search index), rows held
    at an older version are deleted and all written rows inserted in one statement per chunk; otherwise
    each is created or updated in place."""
    model = KINDS[kind]
    written: list[dict[str, Any]] = []
    for chunk in _chunks(payloads):
        held = dict(await model.filter(id__in=[p["id"] for p in chunk]).using_db(conn).values_list("id", "version"))
        newer = [p for p in chunk if p["id"] not in held or held[p["id"]] < p["version"]]
        if not newer:
            continue
        if bulk:
            stale = [p["id"] for p in newer if p["id"] in held]
            if stale:
                await model.filter(id__in=stale).using_db(conn).delete()
            await model.bulk_create([row_of(model, p) for p in newer], using_db=conn)
        else:
            for p in newer:
                if p["id"] in held:
                    await model.filter(id=p["id"]).using_db(conn).update(**values_of(model, p))
                else:
                    await model.create(id=p["id"], using_db=conn, **values_of(model, p))
        written += newer
    if index and written:
        for p in written:
            applied = await model.filter(id=p["id"]).using_db(conn).first()
            await view_versions.bump_for(kind, applied, conn)
            await index_object(applied, conn)
    return written


async def apply(kind: str, payload: dict[str, Any], conn: Any, *, index: bool = True) -> bool:
    """Upsert one record from a journal payload if its version is newer. True if applied.
    A neighbour's replica has no search index: what is applied there is applied with index=False."""
    return bool(await upsert(conn, kind, [payload], index=index))


async def apply_entry(entry: Entry, conn: Any, *, index: bool = True) -> bool:
    """Apply one open entry (a withdrawal names no state to apply: False)."""
    return entry.is_open and await apply(entry.kind, entry.payload, conn, index=index)


async def replay(entries: Iterable[Entry], conn: Any, *, index: bool = True) -> int:
    """Apply entries one by one, in order; how many changed a row. Repeating it changes nothing."""
    return sum([await apply_entry(entry, conn, index=index) for entry in entries])


def final_states(entries: Iterable[Entry]) -> tuple[list[str], dict[str, list[dict[str, Any]]]]:
    """What applying `entries` one by one would leave, per record: the ids to withdraw (every record a
    withdrawal names) and, per kind, the payloads to upsert (per record the highest version after its
    last withdrawal)."""
    withdrawn: set[str] = set()
    final: dict[str, tuple[str, dict[str, Any]]] = {}
    for e in entries:
        payload = e.payload
        if payload:
            held = final.get(payload["id"])
            if held is None or held[1]["version"] < payload["version"]:
                final[payload["id"]] = (e.kind, payload)
        elif e.record_id:
            withdrawn.add(e.record_id)
            final.pop(e.record_id, None)
    opened: dict[str, list[dict[str, Any]]] = {}
    for kind, payload in final.values():
        opened.setdefault(kind, []).append(payload)
    return sorted(withdrawn), opened
