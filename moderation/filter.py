"""A word filter built from lists, and the verdict it gives on a text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from . import japanese, kana_sites, latin, sites, spans, wordlist
from .normalize import fold, fold_term, to_original

_UNSPACED = re.compile("[\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\u3000-\u303f\U00020000-\U0003ffff]")


@dataclass(frozen=True, slots=True)
class Match:
    """One listed term found in a text; `start`/`end` index the original text."""

    term: str
    start: int
    end: int
    severity: int


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a filter found. `matches` also holds terms noted at severity 0."""

    flagged: bool
    score: int
    matches: tuple[Match, ...]

    def __bool__(self) -> bool:
        return self.flagged


_CLEAN = Verdict(False, 0, ())
# frozen Match and Verdict built through their slots: the generated __init__ costs twice as much
_new = object.__new__
_set_term, _set_start, _set_end, _set_severity = (
    Match.term.__set__, Match.start.__set__, Match.end.__set__, Match.severity.__set__)  # type: ignore[attr-defined]
_set_flagged, _set_score, _set_matches = (
    Verdict.flagged.__set__, Verdict.score.__set__, Verdict.matches.__set__)  # type: ignore[attr-defined]


def _latin_entry(t: latin.LatinTerm) -> tuple[int, tuple, str]:
    """(-severity, rank, term) of a match: among terms matching the same text, the plainest is
    named (shit before sh!+)."""
    return -t.severity, (t.leet, t.words, t.term != t.letters, t.term), t.term


def _is_unspaced(term: str) -> bool:
    return bool(_UNSPACED.search(fold_term(term)))


class Filter:
    """An immutable filter: words with severities, and allow-list phrases.

    `flag_at` is the least severity that flags a text (default 1: severity 0
    terms are only noted). Changing the lists returns a new filter.
    """

    def __init__(self, words: Mapping[str, int] | Iterable[str] = (), allow: Iterable[str] = (), *,
                 flag_at: int = 1, default_severity: int = wordlist.DEFAULT_SEVERITY):
        if isinstance(words, str):
            words = [words]
        if isinstance(allow, str):
            allow = [allow]
        if isinstance(words, Mapping):
            table = {str(t).strip(): int(s) for t, s in words.items()}
        else:
            table = {str(t).strip(): default_severity for t in words}
        self._words = {t: max(0, min(s, wordlist.MAX_SEVERITY)) for t, s in table.items() if t}
        self._allow = tuple(dict.fromkeys(p.strip() for p in allow if p and p.strip()))
        self.flag_at = flag_at
        self.default_severity = default_severity
        entries = [*self._words.items(), *((p, None) for p in self._allow)]
        kana = [japanese.compile_term(t, s) for t, s in entries if _is_unspaced(t)]
        roman = [latin.compile_term(t, s) for t, s in entries if not _is_unspaced(t)]
        roman = [t for t in roman if t is not None]
        self._latin = latin.LatinMatcher(roman)
        self._latin_sites = sites.LatinSites(self._latin, roman, _latin_entry)
        kana = [t for t in kana if t is not None]
        self._kana = japanese.KanaMatcher(kana)
        self._kana_sites = kana_sites.KanaSites(
            self._kana, [t for t in kana if t.severity is not None], [t for t in kana if t.severity is None])

    # --- the lists -------------------------------------------------------
    @property
    def words(self) -> Mapping[str, int]:
        return MappingProxyType(self._words)

    @property
    def allow(self) -> tuple[str, ...]:
        return self._allow

    @classmethod
    def default(cls) -> Filter:
        """The shipped lists: English (from better_profanity, weighted), Japanese, allow-list."""
        return _default_filter()

    @classmethod
    def from_text(cls, text: str, *, base: Filter | None = None, **options) -> Filter:
        """A filter from a list in the text format of `moderation.wordlist` (added to `base`)."""
        words, allow = wordlist.parse(text)
        if base is not None:
            return base.with_words(words).with_allowed(*allow)
        return cls(words, allow, **options)

    def to_text(self, header: str = "") -> str:
        return wordlist.format_list(self._words, self._allow, header=header)

    def _replace(self, words: Mapping[str, int], allow: Iterable[str]) -> Filter:
        return Filter(words, allow, flag_at=self.flag_at, default_severity=self.default_severity)

    def with_words(self, words: Mapping[str, int] | Iterable[str], severity: int | None = None) -> Filter:
        if isinstance(words, str):
            words = [words]
        added = dict(words) if isinstance(words, Mapping) else dict.fromkeys(
            words, self.default_severity if severity is None else severity)
        return self._replace({**self._words, **added}, self._allow)

    def without_words(self, *terms: str) -> Filter:
        drop = {fold_term(t) for t in terms}
        return self._replace({t: s for t, s in self._words.items() if fold_term(t) not in drop}, self._allow)

    def with_allowed(self, *phrases: str) -> Filter:
        return self._replace(self._words, [*self._allow, *phrases])

    def without_allowed(self, *phrases: str) -> Filter:
        drop = {fold_term(p) for p in phrases}
        return self._replace(self._words, [p for p in self._allow if fold_term(p) not in drop])

    def __repr__(self) -> str:
        return f"<Filter {len(self._words)} words, {len(self._allow)} allowed, flag_at={self.flag_at}>"

    # --- scanning --------------------------------------------------------
    def scan(self, text: str | None, *, lang: str | None = None) -> Verdict:
        """Find the listed terms in `text`. `lang` ("en" or "ja") limits the lists used;
        leave it None (all lists) unless the text is known to be in one language."""
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        if not text:
            return _CLEAN
        folded, origin = fold(text)
        found: list[tuple] = []  # items of moderation.spans: (start, -end, -severity, rank, term)
        allowed: list[tuple[int, int]] = []
        if lang != "ja":
            self._latin_sites.collect(folded, found, allowed)
        if lang != "en":
            self._kana_sites.collect(folded, found, allowed)
        if not found:
            return _CLEAN
        if allowed:
            found = spans.outside(found, allowed)
        return self._verdict(spans.outermost(found), origin)

    def _verdict(self, kept: list, origin: list[int] | None) -> Verdict:
        matches, flagging, flag_at = [], {}, self.flag_at
        new, set_term, set_start, set_end, set_severity = _new, _set_term, _set_start, _set_end, _set_severity
        for a, negative_end, negative_severity, _, term in kept:
            match = new(Match)  # Match(term, start, end, severity), for half the time
            set_term(match, term)
            if origin is None:
                set_start(match, a)
                set_end(match, -negative_end)
            else:
                start, end = to_original(origin, a, -negative_end)
                set_start(match, start)
                set_end(match, end)
            set_severity(match, -negative_severity)
            matches.append(match)
            if -negative_severity >= flag_at:
                flagging[term] = -negative_severity
        verdict = new(Verdict)  # Verdict(flagged, score, matches)
        _set_flagged(verdict, bool(flagging))
        _set_score(verdict, sum(flagging.values()))
        _set_matches(verdict, tuple(matches))
        return verdict

    def warm_up(self) -> None:
        """Do at start-up what the first posts would otherwise pay for (~0.1 s): the folding
        table, and the automata's states for the listed words (RE2 builds them as it reads)."""
        sample = " ".join([*self._words, *self._allow, "The 4th f u c k, s.h.i.t @ss ﾊﾞｶ しね。"])
        for text in (sample, sample.upper(), sample.replace(" ", "\n")):
            self.scan(text)
        self.clear_caches()

    def clear_caches(self) -> None:
        """Forget the words and windows read so far (for measuring; the caches bound themselves)."""
        self._latin_sites.clear_caches()
        self._kana_sites.clear_caches()

    def censor(self, text: str | None, mask: str = "*") -> str:
        """`text` with every character of each flagging match (but spaces) replaced by `mask`."""
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        verdict = self.scan(text)
        spans = [(m.start, m.end) for m in verdict.matches if m.severity >= self.flag_at]
        if not spans:
            return text
        out, last = [], 0
        for start, end in sorted(spans):
            start = max(start, last)
            out.append(text[last:start])
            out.append("".join(c if c.isspace() else mask for c in text[start:end]))
            last = max(last, end)
        out.append(text[last:])
        return "".join(out)


@cache
def _default_filter() -> Filter:
    text = "\n".join(wordlist.read_data(name) for name in ("en.txt", "ja.txt", "allow.txt"))
    words, allow = wordlist.parse(text)
    f = Filter(words, allow)
    f.warm_up()
    return f
