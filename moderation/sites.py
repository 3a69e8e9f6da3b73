"""Where a Latin-script term could be: one automaton pass, then the exact matcher there.

`latin.LatinMatcher` reads a text piece by piece, which costs Python work for
every word. Most words of a post are ordinary, so one RE2 automaton
(`moderation.automaton`) first finds the places worth reading. It matches:

- **spread** (tried first): two or more single characters in a row (``f u c k``),
  or two consecutive words whose keys start a multi-word term or allow-list
  phrase (``blow job``, ``cum laude``), separated by short gaps without a new line;
- **words**: a piece, or pieces joined by in-word punctuation (``f.u.c.k``,
  ``ass-fucker``), that spells a listed term letter by letter, with each letter
  written as itself, a letter that may stand for it (``l`` for ``i``) or leet
  (``$``, ``4``, ``*``...), as often as `spelling.fits` allows (a doubled letter at
  least twice). Invisible characters and ``! *`` may stand at the edges, and
  in-word punctuation anywhere.

Each hit becomes a *window*: widened to the nearest characters that are neither
word characters nor in-word punctuation (so a run of joined pieces is never cut),
and for hits of several pieces to the next `max_words` pieces as well. Overlapping
windows merge; the exact matcher reads each window (its answer remembered per
window text), and its matches are moved back to their places in the text. A window
holds everything a match inside it depends on, so the verdict is the one the exact
matcher gives on the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import automaton
from .latin import JOINERS, MAX_GAP, LatinMatcher, LatinTerm
from .normalize import HIDDEN
from .spelling import KEYMAP, LEET, SUBSTITUTE

_LETTERS = "0123456789abcdefghijklmnopqrstuvwxyz$@*!|+"  # latin.PIECE reads these and HIDDEN as words
_WORD_CHARS = _LETTERS + HIDDEN
_RUN_CHARS = frozenset(_WORD_CHARS) | JOINERS
_PY_NOT_W = re.compile(f"[^{re.escape(_WORD_CHARS)}]")
_PY_W = f"[{re.escape(_WORD_CHARS)}]"
_CACHE_SIZE = 50_000
_RUN = re.compile(f"[{re.escape(''.join(sorted(_RUN_CHARS)))}]*")

# The gate reads the folded text one byte a character: HIDDEN made \x00 and every other character
# past ASCII made \x01 (the joiners · and •, kana and the rest alike: \x01 may stand wherever any of
# them may), so the automaton stays small and its offsets are the text's. The Latin-1 encoder writes
# "?" for each character past Latin-1 (fast, in C); a "?" of the text is first made ",", which the
# gate reads alike (neither a letter, nor a joiner, nor an edge).
_HIDDEN_BYTE, _OTHER = "\x00", "\x01"
_GATE_BYTES = bytes.maketrans(b"?" + bytes(range(0x80, 0x100)), _OTHER.encode() * 129)
_NOT_W = automaton.char_class(_LETTERS + _HIDDEN_BYTE, negate=True)
_EDGE = automaton.char_class("!*" + _HIDDEN_BYTE) + "*"  # what a piece may carry around its word
# ... and inside it, between joined pieces
_SEP = automaton.char_class("!*" + _HIDDEN_BYTE + _OTHER + "".join(c for c in JOINERS if c.isascii())) + "*"
# a gap that does not end a run: 1 to 3 characters (`latin.MAX_GAP`), no new line
_GAP = automaton.char_class(_LETTERS + _HIDDEN_BYTE + "\n", negate=True) + f"{{1,{MAX_GAP}}}"
_BEFORE, _AFTER = f"(?:^|{_NOT_W})", f"(?:{_NOT_W}|$)"


def _letter(letter: str) -> str:
    """What may stand for `letter` in a word (as `spelling.fits` reads it)."""
    return automaton.char_class({letter, *SUBSTITUTE.get(letter, ()), *LEET.get(letter, "*")})


def _run(letter: str, need: int) -> str:
    """One run of a term's letters: a letter written once comes once or three times or more."""
    one = f"(?:{_letter(letter)}{_SEP})"
    return f"{one}(?:{one}{{2,}})?" if need == 1 else f"{one}{{{need},}}"


def _spellings(terms: list[LatinTerm]) -> str:
    """All the terms letter by letter, as a trie of runs (terms sharing a start share its automaton)."""
    trie: dict = {}
    for t in terms:
        node = trie
        for run in t.runs:
            node = node.setdefault(run, {})
        node[None] = {}

    def emit(node: dict) -> str:
        branches = [_run(*run) + emit(child) for run, child in sorted(node.items(), key=str) if run is not None]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if None in node else body

    return emit(trie)


def _key_piece(key: str) -> str:
    """A piece whose key (`spelling.key_of`) is `key`."""
    classes = (automaton.char_class({c, *(x for x in _LETTERS if x.translate(KEYMAP) == c)}) for c in key)
    return _EDGE + "".join(f"(?:{c}{_HIDDEN_BYTE}*)+" for c in classes) + _EDGE


def _single_piece() -> str:
    """A piece of one character, maybe repeated (`LatinMatcher` flags it "s"), or of "!"s."""
    repeated = "|".join(automaton.char_class(c) + automaton.char_class(c + _HIDDEN_BYTE) + "*"
                        for c in _LETTERS if c != "*")
    edges = automaton.char_class("!*" + _HIDDEN_BYTE) + "*"
    return f"(?:{_EDGE}(?:{repeated}){_EDGE}|{edges}!{edges})"


def _gate(terms: list[LatinTerm], pairs: set[tuple[str, str]]) -> str:
    """Spread-out alternatives first: where a pair or a run of single characters starts, the
    automaton (leftmost-first) reports it rather than the word that starts it."""
    single = _single_piece()
    spread = [f"{single}(?:{_GAP}{single})+"]
    spread += sorted(f"{_key_piece(a)}{_GAP}{_key_piece(b)}" for a, b in pairs)
    return f"{_BEFORE}(?:{'|'.join(spread)}|{_EDGE}{_spellings(terms)}){_AFTER}"


def _gate_bytes(folded: str) -> bytes:
    """What the gate reads of a folded text: one byte a character."""
    marked = folded.replace(HIDDEN, _HIDDEN_BYTE) if HIDDEN in folded else folded
    if marked.isascii():
        return marked.encode()
    if "?" in marked:
        marked = marked.replace("?", ",")
    return marked.encode("latin-1", "replace").translate(_GATE_BYTES)


def _add(entries: tuple, at: int, found: list, allowed: list) -> None:
    """A window's matches (from `at`): allow-list phrases to `allowed`, the rest to `found`."""
    for start, end, entry in entries:
        if entry is None:
            allowed.append((at + start, at + end))
        else:
            found.append((at + start, -(at + end)) + entry)


class LatinSites:
    """The Latin-script matches of a text, read only where the gates say a term could be."""

    def __init__(self, matcher: LatinMatcher, terms: list[LatinTerm], entry: Callable[[LatinTerm], tuple]):
        """`entry(term)`: what `collect` reports for each match of a listed term, after its span."""
        self.matcher = matcher
        self._entry = entry
        self._window_cache: dict[str, tuple[tuple[int, int, object], ...]] = {}
        self._gate = automaton.compile_gate(_gate(terms, matcher.all_pairs), latin1=True) if terms else None
        # the next pieces, across gaps that do not end a run (short, no new line)
        self._context = re.compile(f"(?:[^{re.escape(_WORD_CHARS)}\\n]{{1,3}}{_PY_W}+){{0,{matcher.max_words}}}")

    def collect(self, folded: str, found: list, allowed: list[tuple[int, int]]) -> None:
        """Add ``(start, -end, *entry(term))`` of every match of a listed term in the folded text
        to `found`, and ``(start, end)`` of every allow-list phrase to `allowed`."""
        if self._gate is None:
            return
        hits = automaton.ascii_hits(self._gate, _gate_bytes(folded))
        first = last = -1  # the window being built: merged with the next if they overlap
        size, run = len(folded), _RUN_CHARS
        for start, end in hits:
            if start > last and (start == 0 or folded[start] not in run or folded[start - 1] not in run) and (
                    end == size or folded[end - 1] not in run or folded[end] not in run) and (
                    ((inner := folded[start + 1:end - 1]).isascii() and inner.isalnum()
                     or _PY_NOT_W.search(inner) is None)):
                # one piece ("word", "$h1t"), and the run of joined pieces ends at the hit's edges
                # ("word."): the window is the hit (what `_window` gives it)
                a, b = start, end
            else:
                a, b = self._window(folded, start, end, last)
                if a <= last:  # overlapping windows merge (the windows come in order)
                    last = max(last, b)
                    continue
            if last >= 0:
                self._read(folded, first, last, found, allowed)
            first, last = a, b
        if last >= 0:
            self._read(folded, first, last, found, allowed)

    def _read(self, folded: str, a: int, b: int, found: list, allowed: list) -> None:
        """The exact matcher's matches in one window, remembered: most windows are one word, and
        a town's words recur."""
        entries = self._window_cache.get(window := folded[a:b])
        if entries is None:
            entries = self._read_uncached(window)
        _add(entries, a, found, allowed)

    def _read_uncached(self, window: str) -> tuple[tuple[int, int, object], ...]:
        if len(self._window_cache) > _CACHE_SIZE:
            self._window_cache.clear()
        entries = tuple((start, end, None if t.severity is None else self._entry(t))
                        for start, end, t in self.matcher.find(window))
        self._window_cache[window] = entries
        return entries

    def clear_caches(self) -> None:
        """Forget the windows and words seen so far (for measuring; the caches bound themselves)."""
        self._window_cache.clear()
        self.matcher.clear_caches()

    def _window(self, folded: str, start: int, end: int, reach: int) -> tuple[int, int]:
        """Widen a hit to cuts that no run crosses (and, for hits of several pieces, the next
        `max_words` pieces: a multi-word term starting there). `reach`: where the last window
        ended (a cut); a hit before it needs no walk through the run again."""
        inner = folded[start + 1:end - 1]  # an ASCII word of letters and digits is one piece
        several = not (inner.isascii() and inner.isalnum()) and _PY_NOT_W.search(inner) is not None
        if start > reach and folded[start] in _RUN_CHARS:
            while start > 0 and folded[start - 1] in _RUN_CHARS:
                start -= 1
        if end <= reach:
            end = reach
        elif end < len(folded) and folded[end - 1] in _RUN_CHARS:
            end = _RUN.match(folded, end).end()
        if several:
            last = end - 1 if folded[end - 1] not in _RUN_CHARS else end  # the gap after the hit's last piece
            following = self._context.match(folded, last).end()
            if following > end:
                end = _RUN.match(folded, following).end()
        return start, end
