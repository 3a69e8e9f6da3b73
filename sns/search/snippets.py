"""A short excerpt of a text around the searched words, with where they are (to highlight them).

Matching compares each character NFKC-normalized and case-folded, as the index does, so a search
for "abc" marks "ＡＢＣ" in the original text; the excerpt itself is the original text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from markupsafe import Markup, escape

from sns.search.tokens import is_cjk, normalize

WIDTH = 160  # characters of the excerpt


@dataclass
class Excerpt:
    text: str
    marks: list[tuple[int, int]]  # [start, end) in `text`, in order, not overlapping

    def html(self) -> Markup:
        """The excerpt, escaped, with the matches in <mark>."""
        out, at = [], 0
        for start, end in self.marks:
            out.append(escape(self.text[at:start]))
            out.append(Markup("<mark>") + escape(self.text[start:end]) + Markup("</mark>"))
            at = end
        out.append(escape(self.text[at:]))
        return Markup("").join(out)


def _folded(text: str) -> tuple[str, Sequence[int]]:
    """The normalized text and, for each of its characters, the index of the original one."""
    folded = normalize(text)
    if len(folded) == len(text):  # the usual case: one character each (NFKC and case folding kept lengths)
        return folded, range(len(text))
    chars, where = [], []
    for i, ch in enumerate(text):
        n = normalize(ch)
        chars.append(n)
        where.extend([i] * len(n))
    return "".join(chars), where


def find(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Every place in `text` where one of the normalized `terms` occurs, as original spans."""
    if not text or not terms:
        return []
    folded, where = _folded(text)
    spans = []
    for term in terms:
        whole_word = not is_cjk(term[0])  # "or" is not marked inside "for"
        start = folded.find(term)
        while start != -1 and len(spans) < 200:
            end = start + len(term)
            if not whole_word or ((start == 0 or not folded[start - 1].isalnum())
                                  and (end == len(folded) or not folded[end].isalnum())):
                spans.append((where[start], where[end - 1] + 1))
            start = folded.find(term, end)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def excerpt(text: str, terms: list[str], width: int = WIDTH) -> Excerpt:
    """About `width` characters of `text` around its first match (its beginning if none), as plain
    text: Markdown's emphasis and heading marks are left out, as list excerpts do (sns.markup)."""
    text = " ".join(text.replace("#", " ").replace("*", "").replace("`", "").split())
    spans = find(text, terms)
    start = 0
    if spans and spans[0][1] > width:
        start = max(0, spans[0][0] - width // 3)
    end = min(len(text), start + width)
    piece = text[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    marks = [(s - start + len(prefix), min(e, end) - start + len(prefix)) for s, e in spans if s >= start and s < end]
    return Excerpt(prefix + piece + suffix, marks)


def title_marks(title: str, terms: list[str]) -> Excerpt:
    return Excerpt(title, find(title, terms))
