"""A fast, hard-to-evade word filter for resident posts (English and Japanese).

    >>> import moderation
    >>> v = moderation.scan("f.u.c.k this")
    >>> v.flagged, [(m.term, m.start, m.end) for m in v.matches]
    (True, [('fuck', 0, 7)])
    >>> moderation.censor("ｆｕｃｋ off")
    '**** off'

Standalone: imports nothing from `sns`. See moderation/README.md.
"""

from __future__ import annotations

from .filter import Filter, Match, Verdict

__all__ = ["Filter", "Match", "Verdict", "scan", "censor", "default_filter"]


def default_filter() -> Filter:
    """The filter built from the shipped lists (built once, on first use)."""
    return Filter.default()


def scan(text: str | None, *, lang: str | None = None) -> Verdict:
    """Scan `text` with the default filter."""
    return Filter.default().scan(text, lang=lang)


def censor(text: str | None, mask: str = "*") -> str:
    """`text` with what the default filter flags masked."""
    return Filter.default().censor(text, mask)
