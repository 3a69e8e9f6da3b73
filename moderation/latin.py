"""Whole-word matching of Latin-script terms in folded text.

A text is cut into *pieces*: runs of letters, digits and leet symbols
(``$ @ * ! | +``). A term matches whole pieces only, so `Scunthorpe`,
`cocktail` and `assassin` never match `cunt`, `cock` or `ass`. Besides single
pieces, three kinds of runs are tried, each as one word:

- pieces joined by in-word punctuation (``f.u.c.k``, ``ass-fucker``, ``sh_it``);
- single characters separated by up to three spaces or marks (``f u c k``);
- for terms of several words (``blow job``), that many consecutive pieces.

Each candidate word is checked by `moderation.spelling` (keys, leet, stretched
letters). Each distinct piece is classified once and remembered.
"""

from __future__ import annotations

import re
from itertools import accumulate

from .normalize import HIDDEN, fold_term
from .spelling import LEET, SUBSTITUTE, TERM_SEPARATORS, LatinTerm, compile_term, fits, key_of, term_key, wildcard

__all__ = ["LEET", "SUBSTITUTE", "LatinMatcher", "LatinTerm", "compile_term", "fits", "key_of"]

_W = "0-9a-z$@*!|+\ufdd0"
PIECE = re.compile(f"[{_W}]+")
JOINERS = frozenset(".-_·•/\\~^")
_EDGE = "!" + HIDDEN  # "shit!" is "shit" (but a lone "!" may still be a letter: "s h ! t")
MAX_GAP = 3
_SPLIT = re.compile(f"([{_W}]+)")
_SINGLES = re.compile("[sH]{2,}")
_HOT = re.compile("[hH]")
_JOINED_GAPS = re.compile("j+")
_GAP_FLAGS: dict[str, str] = {}
_CACHE_SIZE = 50_000


class LatinMatcher:
    """All Latin-script terms (and allow-list phrases) of one filter."""

    def __init__(self, terms: list[LatinTerm]):
        self.single: dict[str, list[LatinTerm]] = {}
        self.multi: dict[str, list[LatinTerm]] = {}
        self._pairs: set[tuple[str, str]] = set()  # keys of the first two words of multi-word terms
        self._all_pairs: set[tuple[str, str]] = set()  # ... and of multi-word allow-list phrases
        self._cache: dict[str, tuple[int, int, str, str, str]] = {}
        self._key: dict[str, str] = {}
        self._lookups: dict[tuple[str, bool], list[LatinTerm]] = {}
        self._flag: dict[str, str] = {}
        self._joined_cache: dict[str, bool] = {}
        self.max_words = 1
        for t in terms:
            (self.single if t.words == 1 else self.multi).setdefault(t.key, []).append(t)
            if t.words > 1:
                self.max_words = max(self.max_words, t.words)
                first, second = [p for p in TERM_SEPARATORS.split(fold_term(t.term)) if p][:2]
                self._all_pairs.add((term_key(first), term_key(second)))
                if t.severity is not None:
                    self._pairs.add((term_key(first), term_key(second)))
        self.max_key = max((len(k) for k in [*self.single, *self.multi]), default=0)
        self._single_keys = "\n".join(self.single)
        self._multi_keys = "\n".join(self.multi)

    @property
    def all_pairs(self) -> set[tuple[str, str]]:
        """Keys of the first two words of every multi-word term and allow-list phrase."""
        return self._all_pairs

    def _lookup(self, text: str, multi_only: bool = False, key: str | None = None) -> list[LatinTerm]:
        """The terms `text` (one word, or words joined) spells; remembered."""
        found = self._lookups.get((text, multi_only))
        if found is None:
            if len(self._lookups) > _CACHE_SIZE:
                self._lookups.clear()
            found = self._lookups[text, multi_only] = self._lookup_uncached(text, multi_only, key)
        return found

    def _lookup_uncached(self, text: str, multi_only: bool, key: str | None) -> list[LatinTerm]:
        if key is None:
            key = key_of(text)
        if len(key) > self.max_key + text.count("*"):
            return []
        found: list[LatinTerm] = []
        indexes = ((self.multi, self._multi_keys),) if multi_only else (
            (self.single, self._single_keys), (self.multi, self._multi_keys))
        for index, keys in indexes:
            if "*" in key or "@" in key:
                if key.count("*") + key.count("@") > 6 or not keys or not text.strip("*!|+"):
                    continue  # "****" is a mask, not a word; many wildcards say nothing
                for k in wildcard(key).findall(keys):
                    found.extend(index[k])
            else:
                found.extend(index.get(key, ()))
        plain = text.isalpha()
        return [t for t in found if not (plain and t.leet) and fits(text, t.runs)]

    # --- pieces, remembered: most texts are made of words seen before ---------------
    def _piece(self, raw: str) -> tuple[int, int, str, str, str]:
        """(lead, trail, text, key, flag) of a raw piece: `lead`/`trail` characters of
        punctuation-like leet are not part of the word; flag "h": it matches a term on its
        own, "s": it is a single character, "H": both, ".": neither."""
        a, b = 0, len(raw)
        while a < b and raw[a] in _EDGE:
            a += 1
        while b > a and raw[b - 1] in _EDGE:
            b -= 1
        if a < b and raw[a] == "*" and raw[b - 1] == "*":  # *emphasis*
            while a < b and raw[a] in "*" + HIDDEN:
                a += 1
            while b > a and raw[b - 1] in "*" + HIDDEN:
                b -= 1
        text = raw[a:b].replace(HIDDEN, "")
        if not text:
            a, b, text = 0, len(raw), raw.replace(HIDDEN, "")
        key = key_of(text) if text else ""
        hot = self._hot(text, key)
        if "!" in raw and raw.strip("!" + HIDDEN):
            # "shit!" is shit, but "!njun", "ana!" and "puss!" spell with the "!": keep the
            # reading whose match is most severe
            a0 = len(raw) - len(raw.lstrip(HIDDEN))
            b0 = len(raw.rstrip(HIDDEN))
            best = self._severest(text, key)
            for a1, b1 in ((a0, b), (a, b0), (a0, b0)):
                other = raw[a1:b1].replace(HIDDEN, "")
                severity = self._severest(other, key_of(other)) if other != text else -2
                if severity > best:
                    a, b, text, key, hot, best = a1, b1, other, key_of(other), True, severity
        # one character, maybe stretched ("f uuu c k"); lone stars are masks or bullets
        single = len(set(text)) == 1 and text[0] != "*"
        flag = ("H" if hot else "s") if single else "h" if hot else "."
        return a, len(raw) - b, text, key, flag

    def _severest(self, text: str, key: str) -> int:
        """The highest severity among terms the word matches on its own (-1: none)."""
        if not self._hot(text, key):
            return -1
        return max(-1 if t.severity is None else t.severity for t in self._lookup(text, key=key) if t.words == 1)

    def _hot(self, text: str, key: str) -> bool:
        return bool(text) and (key in self.single or "*" in key or "@" in key) and any(
            t.words == 1 for t in self._lookup(text, key=key))

    def _pieces(self, raws: list[str]) -> None:
        """Make sure every raw piece is in the caches."""
        cache = self._cache
        missing = set(raws).difference(cache)
        if missing:
            if len(cache) + len(missing) > _CACHE_SIZE:
                cache.clear()
                self._flag.clear()
                self._key.clear()
                missing = set(raws)
            for raw in missing:
                info = cache[raw] = self._piece(raw)
                self._key[raw] = info[3]
                self._flag[raw] = info[4]

    def _split(self, folded: str) -> tuple[list[str], list[str], str, str]:
        """(parts, raws, piece flags, gap flags); parts alternate gap, piece, gap, ...

        Gap flags, one per gap (before the first piece, between pieces, after the last):
        "j" in-word punctuation only (f.u.c.k), "s" a short gap (f u c k), "x" otherwise.
        """
        parts = _SPLIT.split(folded)
        raws = parts[1::2]
        self._pieces(raws)
        gaps = parts[0::2]
        missing = set(gaps).difference(_GAP_FLAGS)
        for gap in missing:
            _GAP_FLAGS[gap] = "j" if gap and len(gap) <= MAX_GAP and all(c in JOINERS for c in gap) else (
                "s" if len(gap) <= MAX_GAP and "\n" not in gap else "x")
        return parts, raws, "".join(map(self._flag.__getitem__, raws)), "".join(map(_GAP_FLAGS.__getitem__, gaps))

    def find(self, folded: str) -> list[tuple[int, int, LatinTerm]]:
        """(start, end, term) for every match in the folded text."""
        parts, raws, flags, gaps = self._split(folded)
        n = len(raws)
        if not n:
            return []
        keys = list(map(self._key.__getitem__, raws))
        hot = "h" in flags or "H" in flags
        singles = _SINGLES.search(flags) is not None
        pairs = self._pairs.intersection(zip(keys, keys[1:])) if self._pairs else ()
        joined = [m for m in _JOINED_GAPS.finditer(gaps, 1, n) if self._run_hot(raws, m.start() - 1, m.end() - 1)]
        if not (hot or singles or pairs or joined):
            return []
        ends = list(accumulate(map(len, parts)))  # piece k spans ends[2k] .. ends[2k + 1]
        cache = self._cache
        out: list[tuple[int, int, LatinTerm]] = []

        def span(k: int) -> tuple[int, int]:
            lead, trail = cache[raws[k]][:2]
            return ends[2 * k] + lead, ends[2 * k + 1] - trail

        def add_run(first: int, last: int, multi_only: bool = False) -> None:
            text = "".join(cache[r][2] for r in raws[first:last + 1])
            found = self._lookup(text, multi_only=multi_only)
            if found:
                a, b = span(first)[0], span(last)[1]
                out.extend((a, b, t) for t in found)

        if hot:  # words on their own
            for m in _HOT.finditer(flags):
                k = m.start()
                a, b = span(k)
                info = cache[raws[k]]
                out.extend((a, b, t) for t in self._lookup(info[2], key=info[3]) if t.words == 1)
        for m in joined:  # joined by in-word punctuation: "f.u.c.k", "ass-fucker"
            add_run(m.start() - 1, m.end() - 1)
        if singles:  # single characters, every sub-run: "a f u c k" still holds "f u c k"
            for m in _SINGLES.finditer(flags):
                run = [m.start()]
                for k in range(m.start() + 1, m.end()):
                    if gaps[k] == "x":
                        self._add_singles(run, add_run)
                        run = []
                    run.append(k)
                self._add_singles(run, add_run)
        if self._all_pairs:  # several words: "blow job", "kill yourself", allowed "cum laude"
            for k in range(n - 1) if self._all_pairs.intersection(zip(keys, keys[1:])) else ():
                if (keys[k], keys[k + 1]) in self._all_pairs:
                    for e in range(k + 1, min(n, k + self.max_words)):
                        if gaps[e] == "x":
                            break
                        add_run(k, e, multi_only=True)
        return out

    def _run_hot(self, raws: list[str], first: int, last: int) -> bool:
        joined = "\x00".join(raws[first:last + 1])
        hot = self._joined_cache.get(joined)
        if hot is None:
            if len(self._joined_cache) > _CACHE_SIZE:
                self._joined_cache.clear()
            text = "".join(self._cache[r][2] for r in raws[first:last + 1])
            hot = self._joined_cache[joined] = bool(text) and bool(self._lookup(text))
        return hot

    def _add_singles(self, run: list[int], add_run) -> None:
        for s in range(len(run) - 1):
            for e in range(s + 1, min(len(run), s + self.max_key + 1)):
                add_run(run[s], run[e])

    def clear_caches(self) -> None:
        """Forget the words seen so far (for measuring; the caches bound themselves)."""
        for cache in (self._cache, self._key, self._flag, self._joined_cache, self._lookups):
            cache.clear()
