"""The "grey person" score: flagged content adds up, and fades with time.

Each resident has a score. Every scanned text adds its `Verdict.score`; the
score halves every `half_life`. At or above `threshold` the resident is *grey*
(the site then holds their new posts for a moderator). The functions are pure,
so the site stores just two columns per resident: the score and when it was
last updated. Times are `datetime`s or seconds (both sides the same kind);
`half_life` is a `timedelta` or seconds.

    >>> s = update(0.0, None, 6, now=0.0, half_life=3600, threshold=8)
    >>> s.score, s.grey
    (6.0, False)
    >>> update(s.score, s.updated_at, 4, now=3600.0, half_life=3600, threshold=8).score
    7.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

Time = datetime | float | int
Span = timedelta | float | int


@dataclass(frozen=True, slots=True)
class GreyState:
    score: float
    updated_at: Time
    grey: bool


def _seconds(span: Span) -> float:
    return span.total_seconds() if isinstance(span, timedelta) else float(span)


def _elapsed(since: Time | None, now: Time) -> float:
    if since is None:
        return 0.0
    delta = now - since  # type: ignore[operator]
    return max(0.0, _seconds(delta))  # a clock that went back does not raise the score


def decayed(score: float, updated_at: Time | None, now: Time, *, half_life: Span) -> float:
    """The score as it stands at `now`."""
    half = _seconds(half_life)
    if score <= 0:
        return 0.0
    if half <= 0:
        return 0.0
    return score * 0.5 ** (_elapsed(updated_at, now) / half)


def update(score: float, updated_at: Time | None, verdict_score: float, now: Time, *,
           half_life: Span, threshold: float) -> GreyState:
    """Add a new verdict's score to the decayed previous score."""
    new = decayed(score, updated_at, now, half_life=half_life) + max(0.0, float(verdict_score))
    return GreyState(new, now, is_grey_score(new, threshold))


def is_grey(score: float, updated_at: Time | None, now: Time, *, half_life: Span, threshold: float) -> bool:
    """Whether the resident is grey at `now` (without adding anything)."""
    return is_grey_score(decayed(score, updated_at, now, half_life=half_life), threshold)


def is_grey_score(score: float, threshold: float) -> bool:
    return threshold > 0 and score >= threshold


def grey_until(score: float, updated_at: Time, *, half_life: Span, threshold: float) -> Time:
    """When the score falls below `threshold` if nothing more is added (`updated_at` if not grey)."""
    if not is_grey_score(score, threshold):
        return updated_at
    seconds = _seconds(half_life) * math.log2(score / threshold) + 1e-6
    if isinstance(updated_at, datetime):
        return updated_at + timedelta(seconds=seconds)
    return updated_at + seconds
