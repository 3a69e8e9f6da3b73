"""The fast path (RE2 gates, windows, list-table folding) gives exactly the verdicts of the
exact matchers run over the whole text, as the filter read texts before the gates existed."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bisect

import moderation
from moderation.filter import Match, Verdict
from moderation.latin import LEET
from moderation.normalize import FOLD_TABLE, fold, to_original

HERE = Path(__file__).parent
FILTER = moderation.default_filter()
CUSTOM = FILTER.with_words({"blow it off": 3, "ぽんこつ": 2, "s0b": 1}).with_allowed(
    "ぽんこつ車", "dick whittington")
TERMS = sorted(FILTER.words)
ALLOWED = sorted(FILTER.allow)
LINES = [line for name in ("corpus_ok_en.txt", "corpus_ok_ja.txt")
         for line in (HERE / name).read_text(encoding="utf-8").splitlines() if line.strip() and line[0] != "#"]
ODD = ["\u200b", "\ufeff", "\u00ad", "ー", "・", "·", "•", ".", "-", "_", "*", "@", "!", "$", "|", "+", "'", " ",
       "  ", "\n", "\t", "、", "。", "…", "ß", "ﬁ", "㍻", "🇫", "ｆ", "ﾊﾞ", "\u0301",
       "5", "4", "1", "0", "8"]
DEEP = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reference_fold(text):
    """`normalize.fold` as it was: one translate through the self-filling table."""
    folded = text.translate(FOLD_TABLE)
    if len(folded) == len(text):
        return folded, None
    origin = []
    for i, ch in enumerate(text):
        origin.extend([i] * len(FOLD_TABLE[ord(ch)]))
    origin.append(len(text))
    return folded, origin


def reference_outside(found, allowed):
    """`filter._outside` as it was."""
    allowed.sort()
    starts = [s for s, _ in allowed]
    reach, furthest = [], -1
    for _, e in allowed:
        furthest = max(furthest, e)
        reach.append(furthest)
    return [item for item in found
            if (i := bisect.bisect_right(starts, item[0]) - 1) < 0 or reach[i] < item[1]]


def reference_outermost(found):
    """`filter._outermost` as it was."""
    found = sorted(set(found), key=lambda f: (f[0], -f[1], -f[3], f[4]))
    kept, cover_end, cover_severity = [], -1, -1
    for item in found:
        a, b, _, severity, _ = item
        if b <= cover_end and severity <= cover_severity:
            continue
        kept.append(item)
        if b > cover_end:
            cover_end, cover_severity = b, severity
    return kept


def reference_scan(f, text, lang=None):
    """`Filter.scan` as it was: the Latin matcher and Python's regexes over the whole text."""
    if not text:
        return Verdict(False, 0, ())
    folded, origin = reference_fold(text)
    found, allowed = [], []
    if lang != "ja":
        for a, b, t in f._latin.find(folded):
            if t.severity is None:
                allowed.append((a, b))
            else:
                found.append((a, b, t.term, t.severity, (t.leet, t.words, t.term != t.letters, t.term)))
    if lang != "en" and f._kana._terms[0] is not None:
        kana = f._kana
        for pattern in (kana._terms[0], kana._spaced[0]):
            for m in pattern.finditer(folded) if pattern is not None else ():
                t = kana.by_folded.get(moderation.japanese._canonical(m.group()))
                if t is not None:
                    found.append((m.start(), m.end(), t.term, t.severity, (False, 1, False, t.term)))
        if found and kana._allow[0] is not None:
            allowed.extend(m.span() for m in kana._allow[0].finditer(folded))
    if allowed:
        found = reference_outside(found, allowed)
    matches = []
    for a, b, term, severity, _ in reference_outermost(found):
        start, end = to_original(origin, a, b)
        matches.append(Match(term, start, end, severity))
    flagging = {m.term: m.severity for m in matches if m.severity >= f.flag_at}
    return Verdict(bool(flagging), sum(flagging.values()), tuple(matches))


@st.composite
def spelt(draw, words):
    """A listed word or phrase, maybe spelt out, stretched, with leet or separators."""
    word = draw(st.sampled_from(words))
    how = draw(st.sampled_from(["plain", "plain", "spaced", "joined", "stretched", "leet", "upper", "cut"]))
    if how == "spaced":
        return " ".join(word)
    if how == "joined":
        return draw(st.sampled_from([".", "-", "_", "\u200b", "・", " . "])).join(word)
    if how == "stretched" and word:
        i = draw(st.integers(0, len(word) - 1))
        return word[:i] + word[i] * draw(st.integers(2, 5)) + word[i + 1:]
    if how == "leet":
        return "".join(draw(st.sampled_from(sorted(LEET[c] - {"*"}))) if LEET.get(c, set()) - {"*"}
                       and draw(st.booleans()) else c for c in word)
    if how == "upper":
        return word.upper()
    if how == "cut" and len(word) > 2:
        i = draw(st.integers(1, len(word) - 1))
        return word[:i] + draw(st.sampled_from(ODD)) + word[i:]
    return word


def texts():
    piece = st.one_of(spelt(TERMS), spelt(ALLOWED), st.sampled_from(LINES), st.sampled_from(ODD),
                      st.text(alphabet="abcdefghijklmnopqrstuvwxyz !.@*$1'", max_size=6),
                      st.text(alphabet="しねばかまんこぽつ死馬鹿・ー 車", max_size=4))
    glue = st.sampled_from(["", " ", " ", "  ", "\n", ", ", ".", "-", "・", "\u200b", "。"])
    return st.lists(st.tuples(piece, glue), max_size=12).map(lambda parts: "".join(p + g for p, g in parts))


@DEEP
@given(texts(), st.sampled_from([None, None, "en", "ja"]))
def test_the_same_verdict_as_the_exact_matchers_alone(text, lang):
    assert FILTER.scan(text, lang=lang) == reference_scan(FILTER, text, lang)


@DEEP
@given(texts())
def test_the_same_verdict_with_a_towns_own_list(text):
    assert CUSTOM.scan(text) == reference_scan(CUSTOM, text)


@DEEP
@given(st.text(max_size=40))
def test_the_same_folding_for_any_text(text):
    assert fold(text) == reference_fold(text)
    assert fold(text * 10) == reference_fold(text * 10)  # long ASCII runs take the mixed path


def test_the_same_verdict_on_the_corpus_and_the_word_lists():
    for text in [*LINES, " ".join(LINES), " ".join(TERMS), " ".join(ALLOWED), "\n".join(TERMS[::7])]:
        assert FILTER.scan(text) == reference_scan(FILTER, text), text[:80]
