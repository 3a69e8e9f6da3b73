"""What the filter keeps of its raw matches: items ``(start, -end, -severity, rank, term)``
(so that sorting puts the longest and most severe first at each start) and allowed spans."""

from __future__ import annotations

import bisect


def outside(found: list, allowed: list[tuple[int, int]]) -> list:
    """Drop the matches that lie inside an allowed span."""
    allowed.sort()
    starts = [s for s, _ in allowed]
    reach, furthest = [], -1
    for _, e in allowed:
        furthest = max(furthest, e)
        reach.append(furthest)
    kept = []
    for item in found:
        i = bisect.bisect_right(starts, item[0]) - 1
        if i < 0 or reach[i] < -item[1]:
            kept.append(item)
    return kept


def outermost(found: list) -> list:
    """One match per span; a match inside a longer one is dropped unless it is more severe."""
    kept, cover_end, cover_severity, last = [], -1, -1, None
    found.sort()
    for item in found:
        if item == last:  # found twice (spelt out and tight, say)
            continue
        last = item
        end, severity = -item[1], -item[2]
        if end <= cover_end and severity <= cover_severity:
            continue
        kept.append(item)
        if end > cover_end:
            cover_end, cover_severity = end, severity
    return kept
