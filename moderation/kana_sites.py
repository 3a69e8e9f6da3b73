"""Where a Japanese term could be: one automaton pass, then the exact patterns there.

`japanese.KanaMatcher` reads a whole text with three patterns (the terms, the terms
spaced out, the allow-list), and in ordinary Japanese most of what they find are
near misses (ばかり holds ばか, 楽しね holds しね) that the allow-list then drops. No
match of any of the three patterns can hold a character outside their *alphabet*
(the characters of the listed terms and allow-list entries, separators, white
space), so the matches of the whole text are those of each maximal run of
alphabet characters read on its own, with the character before the run for the
spaced pattern's look-behind. One RE2 automaton (every spelling, with any
separator) points at the runs worth reading; the exact patterns read each such run,
drop its near misses, and the answer is remembered per run text (a town's words
recur: ばかり is an ordinary word).
"""

from __future__ import annotations

import re

from . import automaton, spans
from .japanese import _SPACED_GATE, _TIGHT, KanaMatcher, _spellings, _trie_pattern

_CACHE_SIZE = 50_000
_SEPARATORS = set(re.sub(r"\\(.)", r"\1", _TIGHT[1:-2]))
_RE2_WHITE_SPACE = _SPACED_GATE[1:_SPACED_GATE.index("\ufdd0")]  # what Python's \s matches, for RE2
_UNANCHORED = automaton.UNANCHORED


class KanaSites:
    """The Japanese matches of a text, read only in the runs the gate points at."""

    def __init__(self, matcher: KanaMatcher, listed: list, allowed: list):
        self.matcher = matcher
        spellings = _spellings(listed, spaced=False)
        letters = {c for spelling in spellings | _spellings(allowed, spaced=False) for c in spelling}
        # a whole run of alphabet characters that holds a term spelt with any separators: the
        # leftmost start is where the run starts, and the greedy tail takes it to its end
        run = automaton.char_class(letters | _SEPARATORS)[:-1] + _RE2_WHITE_SPACE + "]*"
        self._gate = automaton.compile_gate(run + "(?:" + _trie_pattern(spellings, _SPACED_GATE) + ")" + run
                                            ) if spellings else None
        self._cache: dict[bytes, tuple] = {}

    def collect(self, folded: str, found: list, allowed: list[tuple[int, int]]) -> None:
        """Add the matches (items of `moderation.spans`) in the folded text to `found`: those of
        `finditer` of the matcher's Python patterns over the whole text, less those inside an
        allow-list entry. When `found` holds (Latin) matches already, which an allow-list entry
        anywhere may drop, the entries' spans go to `allowed`."""
        if self._gate is None or folded.isascii() or folded.replace("\ufdd0", "").isascii():
            return  # every term has a CJK character (English with invisible characters has none)
        encoded = folded.encode()
        offsets = automaton.Offsets(folded, encoded)
        if found:
            allowed.extend(self.matcher.allowed_spans(encoded, offsets))
        match, size, cache = self._gate.match_bytes, len(encoded), self._cache
        pos = 0
        while (hit := match(_UNANCHORED, encoded, pos, size)[0])[0] >= 0:
            start, pos = hit
            # the run, and up to three bytes before it: the character the spaced pattern's
            # look-behind reads (the run's first character may not follow a kana or kanji)
            items = cache.get(key := encoded[max(0, start - 3):pos])
            if items is None:
                items = self._read(key, start - max(0, start - 3))
            if items:
                first = offsets.char(start)
                found.extend((first + a, -(first + b)) + entry for a, b, entry in items)
            if pos >= size:
                break

    def _read(self, key: bytes, before: int) -> tuple:
        """(start, end, entry) of the matches kept in one run (`key` after `before` bytes,
        character offsets from the run's start), remembered."""
        m = self.matcher
        context = key[:before].decode("utf-8", "ignore")  # its first bytes may be a cut character
        window, first = context + key[before:].decode(), len(context)
        items = []
        for pattern in (m._terms[0], m._spaced[0]):
            for match in pattern.finditer(window, first) if pattern is not None else ():
                entry = m._entry_of(match.group().encode())
                if entry is not None:
                    items.append((match.start() - first, -(match.end() - first)) + entry)
        if items and m._allow[0] is not None:
            allow = [(match.start() - first, match.end() - first) for match in m._allow[0].finditer(window, first)]
            if allow:
                items = spans.outside(items, allow)
        if len(self._cache) > _CACHE_SIZE:
            self._cache.clear()
        kept = self._cache[key] = tuple((a, -b, tuple(rest)) for a, b, *rest in items)
        return kept

    def clear_caches(self) -> None:
        self._cache.clear()
        self.matcher.clear_caches()
