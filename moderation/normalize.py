"""Fold text into the form the matchers read, keeping a map back to the original.

Every character of the original text is folded on its own (NFKC, case folding,
combining marks stripped, homoglyphs to Latin, katakana to hiragana, invisible
characters to a placeholder) through a translation table that fills itself the
first time it meets a character, so folding a text is one `str.translate` call.

Invisible characters become `HIDDEN` (U+FDD0, a noncharacter) rather than
disappearing, so nearly every character folds to exactly one character and the
folded text lines up with the original: offsets then need no map at all. Only
characters that fold to several (``ß`` -> ``ss``, ``ﬁ`` -> ``fi``, ``㍻``) need
the offset list that `fold` builds in that (rare) case.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

HIDDEN = "\ufdd0"
"""What invisible characters fold to; the matchers skip it inside words."""

# Zero-width and other invisible characters that are not all in category Cf/Mn.
_INVISIBLE = {
    0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D,
    0x180E, 0x180F, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A,
    0x202B, 0x202C, 0x202D, 0x202E, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x2065,
    0x2066, 0x2067, 0x2068, 0x2069, 0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F,
    0x3164, 0xFEFF, 0xFFA0,
    # long vowel marks and wave dashes: しーね = しね, ばーか = ばか
    0x30FC, 0xFF70, 0x301C, 0xFF5E, 0x3030,
}
_INVISIBLE.update(range(0xFE00, 0xFE10))  # variation selectors
_INVISIBLE.update(range(0xE0100, 0xE01F0))  # variation selectors supplement
_INVISIBLE.update(range(0xE0000, 0xE0080))  # tag characters
_INVISIBLE.update(range(0xFDD0, 0xFDF0))  # noncharacters (HIDDEN itself among them)

_DAKUTEN = {"\u3099", "\u309a"}  # combining voiced marks: kept so ば stays ば

# Look-alikes that NFKC leaves alone (after case folding), to Latin letters.
HOMOGLYPHS = {
    # Cyrillic
    "а": "a", "в": "b", "г": "r", "е": "e", "ё": "e", "з": "3", "і": "i", "ї": "i",
    "ј": "j", "к": "k", "м": "m", "н": "h", "о": "o", "п": "n", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "ӏ": "l", "ү": "y", "ь": "b", "ш": "w", "ѵ": "v", "ɡ": "g",
    # Greek
    "α": "a", "β": "b", "γ": "y", "δ": "d", "ε": "e", "η": "n", "ι": "i", "κ": "k",
    "μ": "u", "ν": "v", "ο": "o", "π": "n", "ρ": "p", "σ": "o", "ς": "s", "τ": "t",
    "υ": "u", "χ": "x", "ω": "w",
    # Latin letters without a decomposition, IPA and small capitals
    "ı": "i", "ȷ": "j", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ƀ": "b",
    "ɑ": "a", "ɩ": "i", "ʟ": "l", "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e",
    "ꜰ": "f", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j", "ᴋ": "k", "ᴍ": "m", "ɴ": "n",
    "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w",
    "ʏ": "y", "ᴢ": "z", "€": "e", "¢": "c", "¡": "!",
    # the spacing voiced marks NFKC turns into "space + combining mark"
    "゛": "\u3099", "゜": "\u309a",
}
# Regional indicators and squared / circled capitals (🇦 🄰 🅐 🅰) to a..z.
for _base in (0x1F1E6, 0x1F130, 0x1F150, 0x1F170):
    for _i in range(26):
        HOMOGLYPHS[chr(_base + _i)] = chr(ord("a") + _i)


def fold_char(ch: str) -> str:
    """The folded form of one character: never empty (invisible -> HIDDEN)."""
    code = ord(ch)
    if code < 0x80:
        return HIDDEN if (code < 0x20 and ch not in "\t\n\r") or code == 0x7F else ch.lower()
    if code in _INVISIBLE:
        return HIDDEN
    if ch in _DAKUTEN:
        return ch
    category = unicodedata.category(ch)
    if category in ("Cf", "Cs", "Co", "Mn", "Me", "Cn") or (category == "Cc" and ch not in "\t\n\r"):
        return HIDDEN
    ch = HOMOGLYPHS.get(ch, ch)
    out = []
    for c in unicodedata.normalize("NFKC", ch).casefold():
        if c in _DAKUTEN:
            out.append(c)
            continue
        decomposed = unicodedata.normalize("NFKD", c)
        if any(unicodedata.combining(d) for d in decomposed) and not ("\u3041" <= c <= "\u30ff"):
            c = "".join(d for d in decomposed if not unicodedata.combining(d))
        for d in c:
            d = HOMOGLYPHS.get(d, d)
            o = ord(d)
            if 0x30A1 <= o <= 0x30F6:  # katakana -> hiragana
                d = chr(o - 0x60)
            elif o in _INVISIBLE or unicodedata.category(d) in ("Cf", "Mn", "Me"):
                if d not in _DAKUTEN:
                    d = HIDDEN
            out.append(d)
    return "".join(out) or HIDDEN


class _FoldTable(dict):
    """A `str.translate` table that computes and remembers each character's fold."""

    def __missing__(self, code: int) -> str:
        folded = fold_char(chr(code))
        self[code] = folded
        return folded


FOLD_TABLE = _FoldTable()


_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])  # \t \n \r are kept
# what `str.lower` folds as fold_char does: printable ASCII, \t \n \r; the rest of a mostly-ASCII
# text goes through the table in runs that take up to three such characters between two others
# (a word spelt with invisible characters is one run)
_PLAIN = "\t\n\r\x20-\x7e"
_TABLE_RUNS = re.compile(f"([^{_PLAIN}](?:[{_PLAIN}]{{0,3}}[^{_PLAIN}])*)")


def _no_controls(encoded: bytes) -> bool:
    return len(encoded.translate(None, _CONTROL_BYTES)) == len(encoded)


@cache
def _bmp_table() -> tuple[list[int | str], re.Pattern[str], re.Pattern[str]]:
    """Every character of the Basic Multilingual Plane folded in advance (~0.1 s, once), as a
    list: `str.translate` indexes a list faster than it looks up a dict. Also a pattern of the
    characters that fold to several, and one of the runs of characters that fold to themselves."""
    table: list[int | str] = []
    expanding, same = [], []
    for code in range(0x10000):
        folded = fold_char(chr(code))
        table.append(ord(folded) if len(folded) == 1 else folded)
        if len(folded) > 1:
            expanding.append(code)
        elif folded == chr(code):
            same.append(code)
    return (table, re.compile("[" + "".join(re.escape(chr(c)) for c in expanding) + "]"),
            re.compile("(" + _char_ranges(same) + "+)"))


def _char_ranges(codes: list[int]) -> str:
    """A character class of the (sorted) code points."""
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                         for a, b in ranges) + "]"


def _fold_bmp(text: str, table: list[int | str], same: re.Pattern[str]) -> str:
    """`text.translate(table)`, which costs ~25 ns a character past ASCII, for less: in a
    mostly-ASCII text the printable ASCII is only lowered; in others (Japanese) the runs of
    characters that fold to themselves are kept as they are (a regex reads them faster than
    `str.translate`), and only what is between them (katakana, full-width forms, long vowel
    marks...) goes through the table."""
    if len(text.encode("utf-8", "surrogatepass")) - len(text) > len(text) // 2:
        parts = same.split(text)
        parts[0::2] = [p.translate(table) for p in parts[0::2]]
        return "".join(parts)
    parts = _TABLE_RUNS.split(text)
    parts[0::2] = [p.lower() for p in parts[0::2]]
    parts[1::2] = [p.translate(table) for p in parts[1::2]]
    return "".join(parts)


def fold(text: str) -> tuple[str, list[int] | None]:
    """Return the folded text and, if it is not aligned with `text`, the map back.

    With a map, ``origin[j]`` is the index in `text` of the character that folded
    to position ``j``; ``origin[len(folded)] == len(text)``. Without one (the usual
    case), position j of the folded text is position j of the original.
    """
    if text.isascii() and _no_controls(text.encode()):  # (faster than str.isprintable, and \n passes)
        return text.lower(), None  # what fold_char gives every ASCII character but the controls
    if len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text):  # a character past the BMP
        folded = text.translate(FOLD_TABLE)
        if len(folded) == len(text):
            return folded, None
        origin: list[int] = []
        for i, ch in enumerate(text):
            origin.extend([i] * len(FOLD_TABLE[ord(ch)]))
        origin.append(len(text))
        return folded, origin
    table, expanding, same = _bmp_table()
    folded = _fold_bmp(text, table, same)
    if len(folded) == len(text):
        return folded, None
    origin, last = [], 0
    for m in expanding.finditer(text):
        i = m.start()
        origin.extend(range(last, i))
        origin.extend([i] * len(table[ord(text[i])]))
        last = i + 1
    origin.extend(range(last, len(text)))
    origin.append(len(text))
    return folded, origin


def to_original(origin: list[int] | None, start: int, end: int) -> tuple[int, int]:
    """Map a span of the folded text back to a span of the original text."""
    if origin is None:
        return start, end
    return origin[start], origin[end - 1] + 1 if end > start else origin[start]


def fold_term(term: str) -> str:
    """Fold a listed term the way texts are folded, without the invisible placeholders."""
    return term.translate(FOLD_TABLE).replace(HIDDEN, "")
