"""Global identifiers: UUIDv7 strings, unique everywhere and ordered by time.

Every record that can be mirrored is named by one of these plus its `origin`
(the canonical host of the instance that created it). Integers never leave
the database.
"""

from __future__ import annotations

import os
import threading
import time

_lock = threading.Lock()
_last = 0


def uuid7() -> str:
    """Return a UUIDv7 (RFC 9562) as a 36-character string.

    Monotonic within one process: ids made in the same millisecond still sort
    in the order they were made (the 12-bit sub-millisecond field counts up).
    """
    global _last
    with _lock:
        now = time.time_ns() // 1_000_000 << 12
        _last = max(now, _last + 1)
        ts_and_seq = _last
    ms, seq = ts_and_seq >> 12, ts_and_seq & 0xFFF
    rand = int.from_bytes(os.urandom(8), "big") & 0x3FFF_FFFF_FFFF_FFFF
    value = (ms << 80) | (0x7 << 76) | (seq << 64) | (0b10 << 62) | rand
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def is_id(value: str) -> bool:
    """True when `value` looks like an id this project makes (for URL parsing)."""
    if len(value) != 36 or value[8] != "-" or value[13] != "-":
        return False
    try:
        int(value.replace("-", ""), 16)
    except ValueError:
        return False
    return True
