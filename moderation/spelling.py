"""How a Latin-script word may be spelt: leet, look-up keys and the exact check.

A word is looked up by its *key*: letters merged where leet makes them
ambiguous (``l`` may be ``i``, ``u`` and ``v`` swap), unambiguous leet
decoded (``4`` -> ``a``, ``$`` -> ``s``), repeated letters collapsed. The key
finds the few candidate terms in a dict; `fits` then checks each exactly:
a letter may be stretched to three or more (``fuuuck``) but not merely doubled
(``good`` is not ``god``), a doubled letter needs two (``as`` is not ``ass``),
and leet stands only for the letters it can mean. ``@`` (a or o) and ``*``
(any letter) are resolved by matching the key as a pattern (`wildcard`)
against all keys at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .normalize import fold_term
from .wordlist import parse_leet, read_data

_RUNS = re.compile(r"(.)\1+")
TERM_SEPARATORS = re.compile(r"[\s.\-_·•/\\~^']+")
_HAS_LETTER = re.compile(r"[a-z$@!|+]")  # not "*": 7*7 and 4*5 are arithmetic

LEET: dict[str, frozenset[str]] = {}
"""letter -> the characters that may stand for it (besides itself)."""
SUBSTITUTE: dict[str, frozenset[str]] = {}
"""letter -> other *letters* that may stand for it (``l`` for ``i``): never mixed with it."""


def _load_leet() -> dict[str, str]:
    table = parse_leet(read_data("leet.txt"))
    for letter, subs in table.items():
        LEET[letter] = frozenset(s for s in subs if not s.isalpha()) | {"*"}
        SUBSTITUTE[letter] = frozenset(s for s in subs if s.isalpha())
    # One representative per group of letters that leet confuses (i ~ l, u ~ v).
    parent = {c: c for c in "abcdefghijklmnopqrstuvwxyz"}

    def root(c: str) -> str:
        while parent[c] != c:
            c = parent[c]
        return c

    for letter, subs in SUBSTITUTE.items():
        for s in subs:
            a, b = sorted((root(letter), root(s)))
            parent[b] = a
    keymap = {c: root(c) for c in parent if root(c) != c}
    for symbol in {s for subs in LEET.values() for s in subs} - {"*"}:
        roots = {root(letter) for letter, subs in LEET.items() if symbol in subs}
        if len(roots) == 1:
            keymap[symbol] = roots.pop()
    return keymap


_KEYMAP = str.maketrans(_load_leet())
KEYMAP = _KEYMAP
"""`str.translate` table: a character to the one its key has in its place (``l`` -> ``i``, ``4`` -> ``a``)."""
# decoding a listed term: the first letter a symbol stands for (1 -> i, @ -> a)
_DECODE = str.maketrans({s: letter for letter, subs in reversed(LEET.items()) for s in subs if s != "*"} | {"*": ""})
_ANY = frozenset("*")


def term_key(piece: str) -> str:
    return key_of(piece.translate(_DECODE) if re.search("[a-z]", piece) else piece)


def key_of(text: str) -> str:
    """The lookup key of a piece (or of joined pieces)."""
    if not _HAS_LETTER.search(text):
        return text  # numbers stay numbers: room 455 is not "ass"
    return _RUNS.sub(r"\1", text.translate(_KEYMAP))


def runs_of(letters: str) -> tuple[tuple[str, int], ...]:
    return tuple((m.group(1), min(len(m.group(0)), 3)) for m in re.finditer(r"(.)\1*", letters))


def fits(text: str, runs: tuple[tuple[str, int], ...]) -> bool:
    """Whether `text` (one word, leet and repeats allowed) spells the term with these runs."""
    n = len(text)
    reach = {0}
    for letter, need in runs:
        leet = LEET.get(letter, _ANY)
        subs = SUBSTITUTE.get(letter, ())
        nxt = set()
        for p in reach:
            own = other = False
            q = p
            while q < n:
                ch = text[q]
                if ch == letter:
                    own = True
                elif ch in subs:
                    other = True
                elif ch not in leet:
                    break
                if own and other:
                    break
                q += 1
                if q - p == need or q - p >= max(need + 1, 3):
                    nxt.add(q)
        if not nxt:
            return False
        reach = nxt
    return n in reach


@dataclass(frozen=True, slots=True)
class LatinTerm:
    term: str  # as listed
    severity: int | None  # None: an allow-list entry
    letters: str  # leet decoded, separators removed
    key: str
    runs: tuple[tuple[str, int], ...]
    words: int  # pieces in the listed form (f.u.c.k and blow job have several)
    leet: bool  # written with leet (s0b): matches only texts that use leet too ("sob" is a word)


def compile_term(term: str, severity: int | None) -> LatinTerm | None:
    pieces = [p for p in TERM_SEPARATORS.split(fold_term(term)) if p]
    decoded = [p.translate(_DECODE) if re.search("[a-z]", p) else p for p in pieces]
    letters = "".join(decoded)
    if not letters:
        return None
    leet = any(p != d for p, d in zip(pieces, decoded))
    return LatinTerm(term, severity, letters, key_of(letters), runs_of(letters), len(pieces), leet)


@lru_cache(maxsize=4096)
def wildcard(key: str) -> re.Pattern[str]:
    parts, last = [], ""
    for ch in key:
        if ch in "*@":
            parts.append("[^\n]*" if ch == "*" else "[ao]*")
        else:  # after a wildcard, "o@o" may be one run of o: the second o is optional
            parts.append(re.escape(ch) + ("?" if ch == last and parts[-1].endswith("*") else ""))
            last = ch
    return re.compile("^" + "".join(parts) + "$", re.MULTILINE)
