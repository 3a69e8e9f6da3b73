"""Matching of Japanese (and other unspaced-script) terms in folded text.

Japanese has no spaces, so a term matches wherever it occurs. The folding has
already turned katakana into hiragana, half-width into full-width and dropped
long vowel marks; here a term may also be split by invisible characters or by
marks nobody writes inside a word (``し・ね``, ``死.ね``, ``し_ね``), and a
voiced kana may arrive as base + combining mark (``ﾊﾞｶ``). Spaces between the
characters (``し ね``) count only when the term starts a word (not after a kana
or kanji), so that ``〜しました ね`` stays innocent.

Ordinary words that contain a term (``シネマ`` holds ``しね``, ``ばかり`` holds
``ばか``) are listed as allow-list entries; a match inside one is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from . import automaton
from .normalize import fold_term

_TIGHT = "[\ufdd0・.\\-_*/|~]*"
_SPACED = "[\\s\ufdd0・.\\-_*/|~]*"
# after the first character of a spaced-out term: the one before it is not a kana or kanji
_WORD_CHARS = "\u3041-\u3096\u30a1-\u30fa\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆"  # kana and kanji
_NOT_AFTER_WORD = f"(?<![{_WORD_CHARS}].)"
_UNKNOWN = object()
_CACHE_SIZE = 50_000
_SEPARATORS = re.compile(_SPACED[:-1] + "+")
# RE2's \s is ASCII only: the gate names every character Python's \s matches
_SPACED_GATE = "[\\s\x0b\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000" + _SPACED[3:]


@dataclass(frozen=True, slots=True)
class KanaTerm:
    term: str  # as listed
    severity: int | None  # None: an allow-list entry
    folded: str


def compile_term(term: str, severity: int | None) -> KanaTerm | None:
    folded = unicodedata.normalize("NFC", fold_term(term).replace(" ", ""))
    return KanaTerm(term, severity, folded) if folded else None


def _variants(folded: str) -> list[tuple[str, ...]]:
    """Each way the term can be spelt char by char: ば also as は + combining mark."""
    out: list[tuple[str, ...]] = [()]
    for c in folded:
        decomposed = unicodedata.normalize("NFD", c)
        forms = [(c,)]
        if len(decomposed) == 2 and decomposed[1] in "\u3099\u309a":
            forms.append((decomposed[0], decomposed[1]))
        out = [v + f for v in out for f in forms][:64]
    return out


def _trie_pattern(spellings: set[tuple[str, ...]], separator: str, after_first: str = "") -> str:
    """A regex whose alternatives share prefixes, so each position costs one dict-like test."""
    trie: dict = {}
    for spelling in spellings:
        node = trie
        for c in spelling:
            node = node.setdefault(c, {})
        node[""] = {}

    def emit(node: dict, depth: int) -> str:
        alternatives = []
        for c, child in sorted(node.items(), key=lambda kv: kv[0] == ""):
            if c == "":
                continue
            tail = emit(child, depth + 1)
            head = re.escape(c) + (after_first if depth == 0 else "")
            alternatives.append(head + (separator + tail if tail else ""))
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie, 0)


def _spellings(terms: list[KanaTerm], spaced: bool) -> set[tuple[str, ...]]:
    return {v for t in terms for v in _variants(t.folded) if not spaced or len(t.folded) > 1}


def _pattern(terms: list[KanaTerm], spaced: bool = False) -> re.Pattern[str] | None:
    spellings = _spellings(terms, spaced)
    if not spellings:
        return None
    if spaced:
        return re.compile(_trie_pattern(spellings, _SPACED, _NOT_AFTER_WORD))
    return re.compile(_trie_pattern(spellings, _TIGHT))


def _gate(terms: list[KanaTerm]):
    """The RE2 automaton of `_pattern` (no look-behind in it: RE2's matches are Python's)."""
    spellings = _spellings(terms, spaced=False)
    return automaton.compile_gate(_trie_pattern(spellings, _TIGHT)) if spellings else None


def _canonical(matched: str) -> str:
    return unicodedata.normalize("NFC", _SEPARATORS.sub("", matched))


class KanaMatcher:
    """All unspaced-script terms and allow-list entries of one filter."""

    def __init__(self, terms: list[KanaTerm]):
        self.by_folded: dict[str, KanaTerm] = {}
        for t in terms:
            if t.severity is not None:
                self.by_folded[t.folded] = t
        # terms whose folded form is its own canonical form: a match spelt just so needs no _canonical
        self._canonical_terms = {k: t for k, t in self.by_folded.items() if _canonical(k) == k}
        listed = [t for t in terms if t.severity is not None]
        allowed = [t for t in terms if t.severity is None]
        # the Python patterns, which `kana_sites` runs where its automaton points (and which
        # tests/moderation/test_moderation_fast_path.py runs over whole texts); RE2 reads the
        # allow-list trie itself, over whole texts, when a Latin match may lie inside an entry
        self._terms = (_pattern(listed),)
        self._spaced = (_pattern(listed, spaced=True),)
        self._allow = (_pattern(allowed), _gate(allowed))
        self._entries: dict[bytes, tuple | None] = {}  # what a match spells, by its UTF-8 form

    def allowed_spans(self, encoded: bytes, offsets: automaton.Offsets) -> list[tuple[int, int]]:
        """The spans of the allow-list entries in the whole text (UTF-8 `encoded`), as `finditer`
        of the Python pattern gives them: RE2 runs the trie itself (no look-behind in it)."""
        if self._allow[1] is None:
            return []
        return [(offsets.char(a), offsets.char(b)) for a, b in automaton.byte_spans(self._allow[1], encoded)]

    def _entry_of(self, matched: bytes) -> tuple | None:
        """(-severity, rank, term) of the term a match spells, or None; remembered."""
        entry = self._entries.get(matched, _UNKNOWN)
        if entry is _UNKNOWN:
            text = matched.decode()
            term = self._canonical_terms.get(text) or self.by_folded.get(_canonical(text))
            entry = None if term is None else (-term.severity, (False, 1, False, term.term), term.term)
            if len(self._entries) > _CACHE_SIZE:
                self._entries.clear()
            self._entries[matched] = entry
        return entry

    def clear_caches(self) -> None:
        self._entries.clear()
