"""Reading a city's shelter list (CSV) into checked rows, before anything is stored.

Japanese cities publish these lists in Shift_JIS (cp932) with CRLF line ends, one column per
hazard marked with "○"; others publish UTF-8 (with or without a BOM) or UTF-16 from spreadsheet
software. Headers are recognised in Japanese (as the national map agency's format names them) and
in English. Every problem is collected with its line number, so the administrator fixes the file
once instead of once per error.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable

from sns.errors import Invalid
from sns.i18n import N_, gettext
from sns.models.places import HAZARDS

MAX_PROBLEMS_SHOWN = 20
MAX_ROWS = 5_000  # a city lists hundreds; each row is a journal entry written in one transaction

# Column names after NFKC, trimming and lower-casing.
COLUMNS = {
    "name": ("施設・場所名", "施設・場所名称", "名称", "施設名", "避難所名", "避難場所名", "name"),
    "address": ("住所", "所在地", "address"),
    "lat": ("緯度", "latitude", "lat"),
    "lon": ("経度", "longitude", "lon", "lng"),
    "capacity": ("収容人数", "想定収容人数", "収容可能人数", "capacity"),
    "remark": ("備考", "remark", "remarks", "note"),
    "hazards": ("hazards", "対象とする異常な現象"),
}
HAZARD_COLUMNS = {
    "flood": ("洪水",),
    "landslide": ("崖崩れ、土石流及び地滑り", "崖崩れ・土石流及び地滑り", "土砂災害"),
    "storm_surge": ("高潮",),
    "earthquake": ("地震",),
    "tsunami": ("津波",),
    "fire": ("大規模な火事", "大規模火災"),
    "inland_flood": ("内水氾濫",),
    "volcano": ("火山現象",),
}
# Japanese names in a "hazards" list cell are accepted too.
HAZARD_WORDS = {n: h for h, names in HAZARD_COLUMNS.items() for n in names} | {h: h for h in HAZARDS}
MARKED = {"○", "◯", "〇", "●", "◎", "✓", "✔", "1", "yes", "y", "true", "x"}
UNMARKED = {"", "-", "ー", "×", "0", "no", "n", "false"}
REQUIRED = ("name", "lat", "lon")
COLUMN_LABELS = {"name": N_("name (施設・場所名 or 名称)"), "lat": N_("latitude (緯度)"),
                 "lon": N_("longitude (経度)")}


@dataclass
class ShelterRow:
    line: int
    name: str
    address: str
    lat: float
    lon: float
    capacity: int | None
    hazards: list[str]
    remark: str


@dataclass
class Problems:
    """Row errors as (msgid, params), translated when shown."""

    items: list[tuple[str, dict]] = field(default_factory=list)

    def add(self, message: str, **params) -> None:
        self.items.append((message, params))


class ImportRefused(Invalid):
    """The file was refused as a whole: `lines()` lists every reason (at most MAX_PROBLEMS_SHOWN)."""

    def __init__(self, problems: list[tuple[str, dict]]) -> None:
        super().__init__(problems[0][0], field="file", **problems[0][1])
        self.problems = problems

    def lines(self) -> list[str]:
        shown = [gettext(m, **p) for m, p in self.problems[:MAX_PROBLEMS_SHOWN]]
        rest = len(self.problems) - MAX_PROBLEMS_SHOWN
        if rest > 0:
            shown.append(gettext(N_("… and %(n)d more problems."), n=rest))
        return shown

    def text(self) -> str:
        return "\n".join(self.lines())


class _Names:
    """Column names (msgids), translated when the message is shown."""

    def __init__(self, names: list[str]) -> None:
        self.names = names

    def __str__(self) -> str:
        return ", ".join(gettext(n) for n in self.names)


def refuse(message: str, **params) -> ImportRefused:
    return ImportRefused([(message, params)])


NOT_TEXT = N_("The file is not text in UTF-8 or Shift_JIS (CP932). Save the list as CSV in one of those encodings "
             "and try again.")


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else Shift_JIS (cp932); anything else is refused.
    Returns the text and the encoding it was read in."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8", "cp932")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # cp932 gives private-use characters for bytes no real list contains (EUC-JP, binary...)
        if any(0xE000 <= ord(ch) <= 0xF8FF or (ord(ch) < 32 and ch not in "\r\n\t") for ch in text):
            continue
        return text, encoding
    raise refuse(NOT_TEXT)


def _looks_like_euc_jp(data: bytes) -> bool:
    """Short EUC-JP files can also be read as Shift_JIS (as nonsense): do its headers make sense in EUC-JP?"""
    try:
        first = data.decode("euc_jp").splitlines()[0]
    except (UnicodeDecodeError, IndexError):
        return False
    return any(_key(h) in KNOWN_HEADERS for h in next(csv.reader([first]), []))


def _key(header: str) -> str:
    return unicodedata.normalize("NFKC", header).strip().strip('"').lower()


KNOWN_HEADERS = {name: what for what, names in COLUMNS.items() for name in names}
KNOWN_HEADERS |= {name: f"hazard:{h}" for h, names in HAZARD_COLUMNS.items() for name in names}
KNOWN_HEADERS |= {h: f"hazard:{h}" for h in HAZARDS}


def map_columns(headers: list[str]) -> dict[str, int]:
    """Which column holds what: {"name": 0, "lat": 10, "hazard:flood": 2, ...}."""
    found: dict[str, int] = {}
    for n, header in enumerate(headers):
        what = KNOWN_HEADERS.get(_key(header))
        if what is not None and what not in found:
            found[what] = n
    missing = [COLUMN_LABELS[c] for c in REQUIRED if c not in found]
    if missing:
        raise ImportRefused([(N_("The first line must name the columns. Missing: %(columns)s."),
                              {"columns": _Names(missing)})])
    return found


def _number(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _cell(row: list[str], columns: dict[str, int], what: str) -> str:
    n = columns.get(what)
    if n is None or n >= len(row):
        return ""
    return unicodedata.normalize("NFKC", row[n]).strip()


def check_row(line: int, row: list[str], columns: dict[str, int], problems: Problems) -> ShelterRow | None:
    before = len(problems.items)
    name = _cell(row, columns, "name")
    address = _cell(row, columns, "address")
    remark = _cell(row, columns, "remark")
    if not name:
        problems.add(N_("Line %(line)d: the name is empty."), line=line)
    elif len(name) > 200:
        problems.add(N_("Line %(line)d: the name is too long (at most %(max)d characters)."), line=line, max=200)
    if len(address) > 300:
        problems.add(N_("Line %(line)d: the address is too long (at most %(max)d characters)."), line=line,
                     max=300)
    if len(remark) > 500:
        problems.add(N_("Line %(line)d: the remark is too long (at most %(max)d characters)."), line=line,
                     max=500)
    lat, lon = _number(_cell(row, columns, "lat")), _number(_cell(row, columns, "lon"))
    if lat is None or not -90 <= lat <= 90:
        problems.add(N_("Line %(line)d: the latitude must be a number from -90 to 90."), line=line)
    if lon is None or not -180 <= lon <= 180:
        problems.add(N_("Line %(line)d: the longitude must be a number from -180 to 180."), line=line)
    raw = _cell(row, columns, "capacity").replace(",", "").removesuffix("人").strip()
    capacity = None
    if raw:
        if raw.isascii() and raw.isdigit() and len(raw) <= 7:
            capacity = int(raw)
        else:
            problems.add(N_("Line %(line)d: the capacity must be a whole number of people."), line=line)
    hazards: list[str] = []
    listed = _cell(row, columns, "hazards")
    for word in (w.strip() for w in listed.replace("、", ";").replace(",", ";").split(";")):
        if not word:
            continue
        hazard = HAZARD_WORDS.get(word.lower())
        if hazard is None:
            problems.add(N_("Line %(line)d: “%(word)s” is not a known hazard (use: %(known)s)."), line=line,
                         word=word[:40], known=", ".join(HAZARDS))
        elif hazard not in hazards:
            hazards.append(hazard)
    for hazard in HAZARDS:
        mark = _cell(row, columns, f"hazard:{hazard}").lower()
        if mark in MARKED and hazard not in hazards:
            hazards.append(hazard)
        elif mark not in MARKED and mark not in UNMARKED:
            problems.add(N_("Line %(line)d: mark a hazard column with ○ or leave it empty (not “%(mark)s”)."),
                         line=line, mark=mark[:20])
    if len(problems.items) > before:
        return None
    hazards.sort(key=HAZARDS.index)
    return ShelterRow(line, name, address, lat, lon, capacity, hazards, remark)


def checked_rows(data: bytes, max_bytes: int, *, max_rows: int, columns_of: Callable[[list[str], str, bytes], Any],
                 check: Callable[[int, list[str], Any, Problems], Any], key_of: Callable[[Any], tuple],
                 same_as: str, nothing: str) -> list:
    """The rows of an uploaded CSV file (UTF-8 or Shift_JIS, `decode`), each checked, or ImportRefused naming
    every problem at once, with its line. `columns_of(headers, encoding, data)` reads the first line (refusing a
    file whose columns cannot be found); `check(line, row, columns, problems)` gives a row, or None after
    adding its problems; a row whose `key_of` an earlier one had is refused with `same_as` (%(line)d and
    %(first)d); `nothing` is the refusal of a file with no rows. Shelters and the garbage calendar read so."""
    if len(data) > max_bytes:
        raise refuse(N_("The file is too large (at most %(mb)d MB)."), mb=max(1, max_bytes // (1024 * 1024)))
    if not data.strip():
        raise refuse(N_("The file is empty."))
    text, encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    problems, rows, seen = Problems(), [], {}
    try:
        columns = columns_of(next(reader, []), encoding, data)
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) + len(problems.items) >= max_rows:
                raise refuse(N_("The file has too many rows (at most %(n)d)."), n=max_rows)
            checked = check(line, row, columns, problems)
            if checked is None:
                continue
            key = key_of(checked)
            if key in seen:
                problems.add(same_as, line=line, first=seen[key])
                continue
            seen[key] = line
            rows.append(checked)
    except csv.Error as exc:
        raise refuse(N_("The file is not valid CSV near line %(line)d."), line=reader.line_num) from exc
    if problems.items:
        raise ImportRefused(problems.items)
    if not rows:
        raise refuse(nothing)
    return rows


def _shelter_columns(headers: list[str], encoding: str, data: bytes) -> dict[str, int]:
    if encoding == "cp932" and not any(_key(h) in KNOWN_HEADERS for h in headers):
        raise refuse(N_("The file seems to be in EUC-JP. Save the list as CSV in UTF-8 or Shift_JIS and try "
                        "again.") if _looks_like_euc_jp(data) else NOT_TEXT)
    return map_columns(headers)


def parse(data: bytes, max_bytes: int) -> list[ShelterRow]:
    """Every row of the file, checked; or ImportRefused naming every problem."""
    return checked_rows(data, max_bytes, max_rows=MAX_ROWS, columns_of=_shelter_columns, check=check_row,
                        key_of=lambda row: (row.name, row.address),
                        same_as=N_("Line %(line)d: the same name and address as line %(first)d."),
                        nothing=N_("The file has no shelters in it, only the line of column names."))
