"""Words for the search index, made the same way for stored texts and for queries.

Japanese has no spaces between words, and most of its words are two characters (火事, 避難),
so no database tokenizer is asked to find words. Python does it, identically on SQLite and
PostgreSQL:

- the text is NFKC-normalized (full-width ＡＢＣ becomes ABC, half-width ｶﾅ becomes カナ) and
  case-folded;
- a run of letters and digits outside Chinese characters and kana is one word ("typhoon", "2026",
  "café");
- a run of Chinese characters and kana becomes its overlapping bigrams plus its last character
  alone ("避難所" -> 避難 難所 所): every character of a run starts one token, so a one-character
  query is a prefix search ("所*") and a longer one is the AND of its bigrams;
- everything else (spaces, punctuation, symbols, emoji, control characters) separates tokens.

Tokens therefore contain only letters and digits: never a quote, space, underscore or operator, so
they can be quoted into an FTS5 MATCH expression or a tsquery literal without escaping tricks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MAX_WORD = 60  # longer "words" (a pasted hash, a URL's path) are cut to this many characters
MAX_QUERY_TOKENS = 24  # a longer query is narrowed by its first tokens, then checked as text


# Hiragana and katakana (with ー, without the middle dot ・), CJK ideographs (with 々 and the
# extensions), compatibility ideographs and the katakana extensions.
_CJK = ("\u3040-\u30fa\u30fc-\u30ff\u3005\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u31f0-\u31ff"
        "\U00020000-\U0003134f")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_RUN = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)")


def is_cjk(ch: str) -> bool:
    return bool(_CJK_CHAR.match(ch))


def normalize(text: str) -> str:
    """NFKC and case-folded: what both the index and the query compare."""
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become U+FFFD
    return unicodedata.normalize("NFKC", text).casefold()


def runs(text: str) -> list[tuple[str, str]]:
    """The normalized text as ("word" | "cjk", run) pairs, in order."""
    return [("cjk", m.group(1)) if m.group(1) else ("word", m.group(2)) for m in _RUN.finditer(normalize(text))]


def tokens(text: str) -> list[str]:
    """The tokens of a stored text, in order (with repeats: positions count for ranking)."""
    out: list[str] = []
    for kind, run in runs(text):
        if kind == "word":
            out.append(run[:MAX_WORD])
        else:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
            out.append(run[-1])
    return out


@dataclass
class Query:
    """A search query made safe: tokens to match (all of them), and the runs to show highlighted."""

    text: str
    exact: list[str] = field(default_factory=list)  # whole tokens that must all be present
    prefix: list[str] = field(default_factory=list)  # one-character Japanese queries: token starts with it
    phrases: list[str] = field(default_factory=list)  # CJK runs that must appear as written (checked in Python)
    highlight: list[str] = field(default_factory=list)  # normalized runs to mark in snippets

    @property
    def empty(self) -> bool:
        return not (self.exact or self.prefix)


def parse_query(text: str) -> Query:
    """Turn what a person typed into tokens. Nothing of the input reaches SQL but these tokens."""
    q = Query(text=text)
    seen: set[str] = set()

    def add(token: str, prefix: bool = False) -> None:
        if token in seen or len(q.exact) + len(q.prefix) >= MAX_QUERY_TOKENS:
            return
        seen.add(token)
        (q.prefix if prefix else q.exact).append(token)

    for kind, run in runs(text):
        if run not in q.highlight:
            q.highlight.append(run)
        if kind == "word":
            add(run[:MAX_WORD])
        elif len(run) == 1:
            add(run, prefix=True)
        else:
            if len(run) > 2:
                q.phrases.append(run)
            for i in range(len(run) - 1):
                add(run[i:i + 2])
    return q


def fts5_match(q: Query) -> str:
    """An FTS5 MATCH expression: every token quoted (tokens never contain a quote)."""
    parts = [f'"{t}"' for t in q.exact] + [f'"{t}"*' for t in q.prefix]
    return " AND ".join(parts)


def tsquery(q: Query) -> str:
    """A tsquery literal for PostgreSQL (cast with ::tsquery, never parsed by a text search parser)."""
    parts = [f"'{t}'" for t in q.exact] + [f"'{t}':*" for t in q.prefix]
    return " & ".join(parts)


def tsvector(title: str, body: str) -> str:
    """A tsvector literal with positions (title weighted A) for PostgreSQL."""
    parts, pos = [], 0
    for weight, text in (("A", title), ("", body)):
        for token in tokens(text):
            pos = min(pos + 1, 16383)
            parts.append(f"'{token}':{pos}{weight}")
    return " ".join(parts)
