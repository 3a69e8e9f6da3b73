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
_WHITE_SPACE = {chr(c) for c in range(0x3001) if chr(c).isspace()}  # Python's \s (U+3000 is the last)


class KanaSites:
    """The Japanese matches of a text, read only in the runs the gate points at."""

    def __init__(self, matcher: KanaMatcher, listed: list, allowed: list):
        self.matcher = matcher
        spellings = _spellings(listed, spaced=False)
        self._gate = automaton.compile_gate(_trie_pattern(spellings, _SPACED_GATE)) if spellings else None
        letters = {c for spelling in spellings | _spellings(allowed, spaced=False) for c in spelling}
        self._alphabet = frozenset(letters | _SEPARATORS | _WHITE_SPACE)
        self._run = re.compile("[" + "".join(map(re.escape, sorted(letters | _SEPARATORS))) + r"\s]*")
        self._cache: dict[str, tuple] = {}

    def collect(self, folded: str, found: list, allowed: list[tuple[int, int]]) -> None:
        """What `KanaMatcher.collect` adds; it reads the whole text when `found` holds (Latin)
        matches already, which an allow-list entry anywhere may drop."""
        if found or self._gate is None:
            self.matcher.collect(folded, found, allowed)
            return
        if folded.isascii() or folded.replace("\ufdd0", "").isascii():
            return  # every term has a CJK character (English with invisible characters has none)
        encoded = folded.encode()
        offsets = automaton.Offsets(folded, encoded)
        search, size, alphabet, cache = self._gate.search, len(encoded), self._alphabet, self._cache
        pos = 0
        while (hit := search(encoded, pos)) is not None:
            start = offsets.char(hit[0])
            while start > 0 and folded[start - 1] in alphabet:
                start -= 1
            end = self._run.match(folded, offsets.char(hit[1])).end()
            before = start - 1 if start > 0 else 0  # the look-behind's character, not read itself
            window = folded[before:end]
            items = cache.get(window)
            if items is None:
                items = self._read(window, start - before)
            for a, b, entry in items:
                found.append((before + a, -(before + b)) + entry)
            pos = offsets.byte(end)
            if pos >= size:
                break

    def _read(self, window: str, first: int) -> tuple:
        """(start, end, entry) of the matches kept in one run (from `first`), remembered."""
        m = self.matcher
        items = []
        for pattern in (m._terms[0], m._spaced[0]):
            for match in pattern.finditer(window, first) if pattern is not None else ():
                entry = m._entry_of(match.group().encode())
                if entry is not None:
                    items.append((match.start(), -match.end()) + entry)
        if items and m._allow[0] is not None:
            allow = [match.span() for match in m._allow[0].finditer(window, first)]
            if allow:
                items = spans.outside(items, allow)
        if len(self._cache) > _CACHE_SIZE:
            self._cache.clear()
        kept = self._cache[window] = tuple((a, -b, tuple(rest)) for a, b, *rest in items)
        return kept

    def clear_caches(self) -> None:
        self._cache.clear()
        self.matcher.clear_caches()
