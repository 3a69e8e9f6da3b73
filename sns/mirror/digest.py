"""A content digest of an origin's records: what tests and a restore compare to know two copies agree.

`content_digest(client, origin)` hashes every record of `origin` held on the connection `client` (our
own database, or a replica), sorted by kind and id, each as the journal would carry it (secrets left
out). With `open_only`, only what a neighbour may hold counts, shown as it travels (a profile's hidden
parts blanked): the digest of an origin's open records equals the digest of a replica that caught up.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sns.journal import KINDS, payload_of
from sns.mirror.travel import Openness


def _canonical(value: dict[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


async def records_of(client: Any, origin: str, *, open_only: bool = False) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, id, payload) of every record of `origin` on `client`, sorted by kind and id."""
    openness = Openness(client)
    out = []
    for kind in sorted(KINDS):
        rows = await KINDS[kind].filter(origin=origin).using_db(client).order_by("id")
        for row in rows:
            payload: dict[str, Any] | None = payload_of(row)
            if open_only:
                payload = await openness.open_payload(kind, payload)
                if payload is None:
                    continue
            out.append((kind, row.id, payload))
    return out


async def content_digest(client: Any, origin: str, *, open_only: bool = False) -> str:
    """SHA-256 (hex) over the records of `origin` on `client`, in the order of `records_of`."""
    digest = hashlib.sha256()
    for kind, record_id, payload in await records_of(client, origin, open_only=open_only):
        digest.update(kind.encode() + b"\0" + record_id.encode() + b"\0" + _canonical(payload) + b"\n")
    return digest.hexdigest()
