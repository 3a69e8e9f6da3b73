"""Mirroring between neighbouring cities (docs/mirroring.md), built on the journal.

- `signing`: the instance key, fingerprints, signed requests and signed batches.
- `seal`: the backup key and the sealed boxes private content travels in.
- `travel`: what of each journal entry travels openly, and what only sealed.
- `replicas`: one SQLite database per mirrored origin, holding its entries and its records.
- `serve`: the endpoints a peer pulls from.
- `pull`: pulling a peer's journal, checking every batch, applying it; the background job.
- `peers`: adding, pausing, resuming and removing peers; the mirror log.
"""
