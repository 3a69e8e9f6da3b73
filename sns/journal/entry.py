"""One journal entry, typed, and its wire format (docs/mirroring.md, "Messages").

An `Entry` is what the `journal` table holds (sns/models/journal.py) and what travels in a batch: one
change to one record, numbered per origin. An *open* entry carries the record's full new state
(`payload`, its tombstone when `deleted_at` is set); a *withdrawal* carries no payload and names only the
record (a neighbour removes its copy), possibly with the complete record sealed to the origin's backup key.

A neighbour's batch is parsed with `Entry.from_wire` once, where it is received (sns/mirror/pull.py); from
there on the code passes `Entry` objects. `to_wire` is the inverse, used where batches are served. The
batch's signature covers the bytes as sent, so nothing here takes part in it.

A frozen dataclass rather than a pydantic model: the checks are few and must answer in the protocol's own
words ("bad_entry" and a reason the mirror log shows), the payload must stay exactly the dict that was
signed (no coercion of "1" to 1), and most entries are made from rows we wrote ourselves (serving a batch,
rebuilding a replica), where validation would only cost time. It also adds no dependency below the API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any, Mapping

from sns.journal.kinds import KINDS

WITHDRAWN = "sealed"  # the kind a stored withdrawal carries (the wire gives it none)
MAX_RECORD_ID = 36  # a UUID, as `JournalEntry.record_id` holds
MAX_SEALED = 8 * 1024 * 1024  # characters of one sealed box


class BadEntry(ValueError):
    """A wire entry we refuse; the text says why, for the mirror log."""


@dataclass(frozen=True, slots=True)
class Entry:
    origin: str  # the instance that numbered it (its stream), not necessarily the record's origin
    seq: int
    record_id: str
    kind: str = WITHDRAWN
    version: int = 0
    payload: dict[str, Any] | None = None  # None: a withdrawal
    sealed: str | None = None  # the complete record in a sealed box, base64 (sns/mirror/seal.py)
    recorded_at: datetime | None = None
    media: Any = None  # what a photo entry says of its files, as sent (sns/mirror/media_files.py)

    @property
    def is_open(self) -> bool:
        """It carries the record's state (else it withdraws the record)."""
        return bool(self.payload)

    @property
    def tombstone(self) -> bool:
        """The record it carries is deleted (`deleted_at` set): it stays, marked, where it is applied."""
        return bool(self.payload) and self.payload.get("deleted_at") is not None

    def withdrawn(self) -> "Entry":
        """The same entry without its record: what travels when the record may not be shown openly."""
        return replace(self, kind=WITHDRAWN, version=0, payload=None)

    def sealed_content(self, complete: dict[str, Any]) -> dict[str, Any]:
        """What goes in the entry's sealed box: its kind, version and `complete` payload (secrets too)."""
        return {"kind": self.kind, "version": self.version, "payload": complete}

    def unsealed(self, inner: Any) -> "Entry | None":
        """The entry completed from what its sealed box held (`sealed_content`), or None when that is not
        this entry's record: another record or version, or a kind we do not know."""
        payload = inner.get("payload") if isinstance(inner, dict) else None
        if not isinstance(payload, dict) or inner.get("kind") not in KINDS or payload.get("id") != self.record_id \
                or payload.get("version") != inner.get("version"):
            return None
        return replace(self, kind=inner["kind"], version=inner["version"], payload=payload)

    def to_wire(self) -> dict[str, Any]:
        """The entry as a batch carries it (`seq`, `recorded_at`, then `kind`, `record_id`, `version`,
        `payload` of an open entry or `record_id` alone, then `media` and `sealed` when there are any)."""
        out: dict[str, Any] = {"seq": self.seq, "recorded_at": _time_text(self.recorded_at)}
        if self.payload:
            out.update(kind=self.kind, record_id=self.record_id, version=self.version, payload=self.payload)
        else:
            out["record_id"] = self.record_id
        if self.media is not None:
            out["media"] = self.media
        if self.sealed:
            out["sealed"] = self.sealed
        return out

    def row_values(self) -> dict[str, Any]:
        """The columns of its `journal` row (sns/models/journal.py); `recorded_at` only when known."""
        values = dict(origin=self.origin, seq=self.seq, kind=self.kind, record_id=self.record_id,
                      version=self.version, payload=self.payload or {}, sealed=self.sealed)
        if self.recorded_at is not None:
            values["recorded_at"] = self.recorded_at
        return values

    @classmethod
    def from_row(cls, row: Any) -> "Entry":
        """From a `JournalEntry` read with the models."""
        return cls(origin=row.origin, seq=row.seq, record_id=row.record_id, kind=row.kind, version=row.version,
                   payload=row.payload or None, sealed=row.sealed, recorded_at=row.recorded_at)

    @classmethod
    def from_sql(cls, row: Mapping[str, Any], origin: str | None = None) -> "Entry":
        """From a `journal` row read by hand (a replica's): the payload may still be JSON text and the time
        the database's text."""
        row = dict(row)  # (sqlite rows answer only [name])
        payload = row.get("payload")
        if isinstance(payload, str):
            payload = json.loads(payload)
        return cls(origin=origin or row["origin"], seq=int(row["seq"]), record_id=row.get("record_id") or "",
                   kind=row.get("kind") or WITHDRAWN, version=row.get("version") or 0, payload=payload or None,
                   sealed=row.get("sealed"), recorded_at=_time(row.get("recorded_at")))

    @classmethod
    def from_wire(cls, value: Any, *, origin: str) -> "Entry":
        """An entry of a batch numbered by `origin`, checked once; BadEntry says what is wrong.

        Checked here: the types of every field, a known kind, a payload that is the record the header
        names at the version it names, and the sizes a `journal` row can hold. Where the entry sits in its
        batch and whose records a stream may carry are the batch's checks (sns/mirror/pull.py)."""
        if not isinstance(value, dict):
            raise BadEntry("not an object")
        seq = value.get("seq")
        if type(seq) is not int or seq < 1:
            raise BadEntry("no number")
        record_id = value.get("record_id")
        if not isinstance(record_id, str) or len(record_id) > MAX_RECORD_ID:
            raise BadEntry("names no record")
        sealed = value.get("sealed")
        if sealed is not None and not isinstance(sealed, str):
            raise BadEntry("sealed box is not text")
        if sealed is not None and len(sealed) > MAX_SEALED:
            raise BadEntry(f"sealed box larger than {MAX_SEALED} characters")
        recorded_at = value.get("recorded_at")
        try:
            recorded = _time(recorded_at)
        except (TypeError, ValueError):
            raise BadEntry(f"recorded_at {str(recorded_at)[:40]!r} is not a time") from None
        payload = value.get("payload")
        if payload is None:  # a withdrawal: no kind, no version, no content
            return cls(origin=origin, seq=seq, record_id=record_id, sealed=sealed, recorded_at=recorded,
                       media=value.get("media"))
        kind, version = value.get("kind"), value.get("version")
        if kind is None:
            raise BadEntry("its record has no kind")
        if kind not in KINDS:
            raise BadEntry(f"unknown kind {str(kind)[:40]!r}")
        if not isinstance(payload, dict):
            raise BadEntry("payload is not an object")
        if type(version) is not int:
            raise BadEntry("version is not a whole number")
        if payload.get("id") != record_id or payload.get("version") != version:
            raise BadEntry("payload does not match its header")
        for name in _times_of(kind):
            if payload.get(name) is not None:
                try:
                    _time(payload[name])
                except (TypeError, ValueError):
                    raise BadEntry(f"{name} {str(payload[name])[:40]!r} is not a time") from None
        return cls(origin=origin, seq=seq, record_id=record_id, kind=kind, version=version, payload=payload,
                   sealed=sealed, recorded_at=recorded, media=value.get("media"))


@cache
def _times_of(kind: str) -> tuple[str, ...]:
    """The payload fields of `kind` that are times (applying makes them datetimes again)."""
    fields = KINDS[kind]._meta.fields_map
    return tuple(name for name, f in fields.items() if type(f).__name__ == "DatetimeField")


def _time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(value)
    return datetime.fromisoformat(value)


def _time_text(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
