"""Compiled automata (RE2) that find, in one linear pass, the few places a term could be.

Python's `re` tries a pattern at every position of the text, which for hundreds of
terms costs far more than the text is long. RE2 compiles a pattern into a DFA and
reads each byte once, whatever the number of alternatives; but it has no
look-behind and no back-references. So the automata here are *gates*: patterns
that match wherever the exact matchers could match (and a little more), and the
exact matchers then run only there. A gate may say yes too often (a cost), never
too rarely (a miss): `tests/moderation/test_moderation_fast_path.py` checks the
verdicts against the exact matchers run on the whole text.

The Latin gate reads one byte a character (Latin-1 mode), so its offsets are the
text's. The Japanese gates read UTF-8: `Offsets` turns the byte offsets of the (few)
hits that matter into character offsets, moving from one to the next, so the work
stays linear in the text. Each call into RE2 costs ~0.5 µs whatever it reads, so a
search reports one hit and the caller's loop asks again from there.
"""

from __future__ import annotations

from collections.abc import Iterable

import re2
from re2 import _re2

_UNANCHORED = UNANCHORED = _re2.RE2.Anchor.UNANCHORED

_MAX_MEM = 64 << 20  # room for the DFA of a town's whole list; RE2 falls back to a slower NFA past it


class Gate:
    """One compiled RE2 automaton, searched from a byte position.

    It calls the binding's compiled object (`re2._re2.RE2.Match`) directly: the
    public wrapper builds a generator and a match object per call, which costs more
    than the search of a post. pyproject.toml pins google-re2 to the versions tested.
    """

    __slots__ = ("pattern", "match_bytes")

    def __init__(self, pattern: str, *, latin1: bool = False):
        options = re2.Options()  # leftmost-first, like Python's re: a search stops soon after its match
        options.max_mem = _MAX_MEM
        options.never_capture = True
        if latin1:  # the pattern and the texts are single bytes (ASCII), not UTF-8
            options.encoding = re2.Options.Encoding.LATIN1
        compiled = _re2.RE2(pattern.encode("latin-1" if latin1 else "utf-8"), options)
        if not compiled.ok():
            raise re2.error(compiled.error())
        self.pattern = pattern
        self.match_bytes = compiled.Match  # (anchor, data, pos, endpos) -> [(start, end)], (-1, -1): none

    def search(self, data: bytes, pos: int = 0) -> tuple[int, int] | None:
        """The byte span of the first match at or after `pos`, or None."""
        span = self.match_bytes(_UNANCHORED, data, pos, len(data))[0]
        return None if span[0] < 0 else span


def compile_gate(pattern: str, *, latin1: bool = False) -> Gate:
    return Gate(pattern, latin1=latin1)


def char_class(chars: Iterable[str], negate: bool = False) -> str:
    """A character class that RE2 (and Python's `re`) read the same way."""
    body = "".join("\\" + c if c in "\\]^-[" else c for c in sorted(set(chars)))
    return f"[{'^' if negate else ''}{body}]"


class Offsets:
    """Character offsets of byte offsets in the UTF-8 form of `text`.

    Each call moves from the previous position, so a walk through the text in
    (mostly) increasing order costs one pass. ASCII text needs no conversion.
    """

    __slots__ = ("text", "encoded", "ascii", "_byte", "_char")

    def __init__(self, text: str, encoded: bytes):
        self.text, self.encoded = text, encoded
        self.ascii = len(text) == len(encoded)
        self._byte = self._char = 0

    def char(self, byte: int) -> int:
        if self.ascii:
            return byte
        if byte >= self._byte:
            self._char += len(self.encoded[self._byte:byte].decode())
        else:
            self._char -= len(self.encoded[byte:self._byte].decode())
        self._byte = byte
        return self._char



def ascii_hits(gate: Gate, searched: bytes) -> list[tuple[int, int]]:
    """The spans of the gate's matches in a text of one byte a character, overlapping by one.

    A gate consumes the character before and after a word as its boundaries; the next
    search starts again at the last character of a hit, so that two words separated by
    one space are both found."""
    hits, pos, size, match = [], 0, len(searched), gate.match_bytes
    while (hit := match(_UNANCHORED, searched, pos, size)[0])[0] >= 0:
        hits.append(hit)
        pos = hit[1] - 1 if hit[1] - 1 > hit[0] else hit[1]
        if pos >= size:
            break
    return hits


def _char_end(encoded: bytes, at: int) -> int:
    """`at`, or the end of the UTF-8 sequence that byte `at` is inside."""
    while at < len(encoded) and encoded[at] & 0xC0 == 0x80:
        at += 1
    return at


def byte_spans(gate: Gate, encoded: bytes) -> list[tuple[int, int]]:
    """The byte spans of the gate's own matches, as `finditer` gives them (no look-behind in the
    pattern: RE2's leftmost-first matches are Python's)."""
    spans, pos, size, match = [], 0, len(encoded), gate.match_bytes
    while (hit := match(_UNANCHORED, encoded, pos, size)[0])[0] >= 0:
        spans.append(hit)
        pos = hit[1] if hit[1] > hit[0] else _char_end(encoded, hit[1] + 1)
        if pos > size:
            break
    return spans
