"""Append-only journal of every replicated change (DESIGN invariant 5).

A service calls `record(obj, conn)` inside the transaction that wrote `obj`. The entry carries the
record's full new state (or its tombstone), numbered per origin. The package owns the entry and
everything done with it:

- `entry`: `Entry`, the typed entry, and its wire format (`Entry.from_wire` checks a neighbour's entry
  once, `to_wire` serves ours);
- `kinds`: `KINDS`, every replicated record by the name its entries carry;
- `record`: `record`, `entry_of`, `append`, `payload_of`;
- `apply`: the one apply path (`apply`, `apply_entry`, `replay`, `upsert`, `values_of`, `row_of`,
  `final_states`), used by local replay, replicas, restore, alert copies and adoption alike;
- `read`: entries by origin and number, for serving batches and rebuilding replicas.
"""

from __future__ import annotations

from sns.journal.apply import apply, apply_entry, final_states, replay, row_of, upsert, values_of
from sns.journal.entry import WITHDRAWN, BadEntry, Entry
from sns.journal.kinds import KINDS, kind_of
from sns.journal.read import all_entries_by_sql, entries_by_sql, entries_since, head
from sns.journal.record import append, entry_of, next_seq, payload_of, record, without_secrets

__all__ = [
    "KINDS", "WITHDRAWN", "BadEntry", "Entry", "all_entries_by_sql", "append", "apply", "apply_entry",
    "entries_by_sql", "entries_since", "entry_of", "final_states", "head", "kind_of", "next_seq", "payload_of",
    "record", "replay", "row_of", "upsert", "values_of", "without_secrets",
]
