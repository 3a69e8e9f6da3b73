"""Where a Latin-script term could be: two automaton passes, then the exact matcher there.

`latin.LatinMatcher` reads a text piece by piece, which costs Python work for
every word. Most words of a post are ordinary, so two RE2 gates
(`moderation.automaton`) first find the places worth reading:

- **words**: a piece, or pieces joined by in-word punctuation (``f.u.c.k``,
  ``ass-fucker``), that spells a listed term letter by letter, with each letter
  written as itself, a letter that may stand for it (``l`` for ``i``) or leet
  (``$``, ``4``, ``*``...), as often as `spelling.fits` allows (a doubled letter at
  least twice). Invisible characters and ``! *`` may stand at the edges, and
  in-word punctuation anywhere;
- **spread**: two or more single characters in a row (``f u c k``), or two
  consecutive words whose keys start a multi-word term or allow-list phrase
  (``blow job``, ``cum laude``), separated by short gaps without a new line.

Each hit becomes a *window*: widened to the nearest characters that are neither
word characters nor in-word punctuation (so a run of joined pieces is never cut),
and for spread hits to the next `max_words` pieces as well. Overlapping windows
merge; the exact matcher reads the windows joined by new lines (a new line ends
every run), and its matches are moved back to their places in the text. A window
holds everything a match inside it depends on, so the verdict is the one the exact
matcher gives on the whole text.
"""

from __future__ import annotations

import bisect
import re

from . import automaton
from .latin import JOINERS, LatinMatcher, LatinTerm
from .normalize import HIDDEN
from .spelling import KEYMAP, LEET, SUBSTITUTE

_WORD_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz$@*!|+" + HIDDEN  # latin.PIECE
_W = automaton.char_class(_WORD_CHARS)
_NOT_W = automaton.char_class(_WORD_CHARS, negate=True)
_EDGE = automaton.char_class("!*" + HIDDEN) + "*"  # what a piece may carry around its word
_SEP = automaton.char_class("!*" + HIDDEN + "".join(JOINERS)) + "*"  # ... and between joined pieces
_GAP = automaton.char_class(_WORD_CHARS + "\n", negate=True) + "{1,3}"  # a gap that does not end a run
_BEFORE, _AFTER = f"(?:^|{_NOT_W})", f"(?:{_NOT_W}|$)"

_RUN_CHARS = frozenset(_WORD_CHARS) | JOINERS
_RUN = re.compile("[" + re.escape("".join(sorted(_RUN_CHARS))) + "]*")


def _letter(letter: str) -> str:
    """What may stand for `letter` in a word (as `spelling.fits` reads it)."""
    return automaton.char_class({letter, *SUBSTITUTE.get(letter, ()), *LEET.get(letter, "*")})


def _spelling(term: LatinTerm) -> str:
    return "".join(f"(?:{_letter(letter)}{_SEP}){{{need},}}" for letter, need in term.runs)


def _key_piece(key: str) -> str:
    """A piece whose key (`spelling.key_of`) is `key`."""
    classes = (automaton.char_class({c, *(x for x in _WORD_CHARS if x.translate(KEYMAP) == c)}) for c in key)
    return _EDGE + "".join(f"(?:{c}{HIDDEN}*)+" for c in classes) + _EDGE


def _single_piece() -> str:
    """A piece of one character, maybe repeated (`LatinMatcher` flags it "s")."""
    repeated = "|".join(automaton.char_class(c) + automaton.char_class(c + HIDDEN) + "*"
                        for c in _WORD_CHARS if c not in "*" + HIDDEN)
    return f"(?:{_EDGE}(?:{repeated}){_EDGE}|{automaton.char_class('!*' + HIDDEN)}+)"


def _words_gate(terms: list[LatinTerm]) -> str:
    spellings = sorted({_spelling(t) for t in terms})
    return f"{_BEFORE}{_EDGE}(?:{'|'.join(spellings)}){_AFTER}"


def _spread_gate(pairs: set[tuple[str, str]]) -> str:
    single = _single_piece()
    alternatives = [f"{single}(?:{_GAP}{single})+"]
    alternatives += sorted(f"{_key_piece(a)}{_GAP}{_key_piece(b)}" for a, b in pairs)
    return f"{_BEFORE}(?:{'|'.join(alternatives)}){_AFTER}"


class LatinSites:
    """The Latin-script matches of a text, read only where the gates say a term could be."""

    def __init__(self, matcher: LatinMatcher, terms: list[LatinTerm]):
        self.matcher = matcher
        self._words = automaton.compile_gate(_words_gate(terms)) if terms else None
        self._spread = automaton.compile_gate(_spread_gate(matcher.all_pairs)) if terms else None
        self._context = re.compile(f"(?:{_NOT_W}*{_W}+){{0,{matcher.max_words}}}")

    def find(self, folded: str, offsets: automaton.Offsets) -> list[tuple[int, int, LatinTerm]]:
        """(start, end, term) for every match in the folded text, as `LatinMatcher.find` gives them."""
        if self._words is None:
            return []
        windows = self._windows(folded, offsets)
        if not windows:
            return []
        if windows[0] == (0, len(folded)):
            return self.matcher.find(folded)
        joined = "\n".join(folded[a:b] for a, b in windows)  # "\n" ends every run: windows stay apart
        starts, at = [], 0
        for a, b in windows:
            starts.append(at)
            at += b - a + 1
        out = []
        for a, b, term in self.matcher.find(joined):
            i = bisect.bisect_right(starts, a) - 1
            shift = windows[i][0] - starts[i]
            out.append((a + shift, b + shift, term))
        return out

    def _windows(self, folded: str, offsets: automaton.Offsets) -> list[tuple[int, int]]:
        """The merged windows around every gate hit, in order."""
        windows = []
        for gate, spread in ((self._words, False), (self._spread, True)):
            reach = -1
            for start, end in automaton.gate_hits(gate, offsets):
                windows.append(self._window(folded, start, end, spread, reach))
                reach = windows[-1][1]
        if not windows:
            return []
        windows.sort()
        merged = [windows[0]]
        for a, b in windows[1:]:
            if a <= merged[-1][1]:
                if b > merged[-1][1]:
                    merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        return merged

    def _window(self, folded: str, start: int, end: int, spread: bool, reach: int) -> tuple[int, int]:
        """Widen a hit to cuts that no run crosses (and, for spread hits, the next pieces)."""
        if start > reach and folded[start] in _RUN_CHARS:  # a hit inside the last window needs no walk back
            while start > 0 and folded[start - 1] in _RUN_CHARS:
                start -= 1
        if end < len(folded) and folded[end - 1] in _RUN_CHARS:
            end = _RUN.match(folded, end).end()
        if spread:
            end = _RUN.match(folded, self._context.match(folded, end).end()).end()
        return start, end
