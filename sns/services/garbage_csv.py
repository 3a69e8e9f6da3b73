"""Reading the city's garbage calendar (CSV) into checked rows, before anything is stored.

One line per collection day of a district: `date,district,what,what_ja` (Japanese column names are
recognised too: 日付 or 収集日, 地区, 品目, 品目_ja). The district is named as the site lists it (its full
name, or one side of an "English / 日本語" name), the date as 2027-04-01 or 2027/4/1. The file is UTF-8 (with
or without a BOM) or Shift_JIS as Japanese spreadsheets save it (decoding as for the shelter list,
sns/services/shelter_csv.py). Every problem is collected with its line number; a file with any problem
stores nothing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from sns.errors import Invalid
from sns.i18n import N_
from sns.services.reminders import parse_date
from sns.services.shelter_csv import Problems, checked_rows, refuse

MAX_ROWS = 20_000  # a year of a big city's districts
MAX_WHAT = 200
COLUMNS = {
    "date": ("date", "日付", "収集日"),
    "district": ("district", "地区", "地域"),
    "what": ("what", "品目", "ごみの種類"),
    "what_ja": ("what_ja", "品目_ja", "品目(日本語)"),
}
KNOWN = {name: what for what, names in COLUMNS.items() for name in names}


@dataclass(frozen=True)
class CalendarRow:
    line: int
    district_id: str
    day: date
    what: str
    what_ja: str


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().strip('"').casefold()


def district_names(districts) -> dict[str, str]:
    """What a cell may say -> the district's id: its full name, its id, or one side of "English / 日本語"
    (a side two districts share is left out)."""
    names: dict[str, str] = {}
    sides: dict[str, set[str]] = {}
    for d in districts:
        names[_key(d.name)] = d.id
        names[_key(str(d.id))] = d.id
        for side in d.name.split("/"):
            if side.strip():
                sides.setdefault(_key(side), set()).add(d.id)
    names.update({side: ids.pop() for side, ids in sides.items() if len(ids) == 1 and side not in names})
    return names


def _columns(headers: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for n, header in enumerate(headers):
        what = KNOWN.get(_key(header))
        if what and what not in found:
            found[what] = n
    missing = [name for name in ("date", "district", "what") if name not in found]
    if missing:
        raise refuse(N_("The first line must name the columns date, district, what and what_ja. Missing: "
                        "%(columns)s."), columns=", ".join(missing))
    return found


def _cell(row: list[str], columns: dict[str, int], what: str) -> str:
    n = columns.get(what)
    return unicodedata.normalize("NFKC", row[n]).strip() if n is not None and n < len(row) else ""


def _check(line: int, row: list[str], columns: dict[str, int], names: dict[str, str],
           problems: Problems) -> CalendarRow | None:
    before = len(problems.items)
    try:
        day = parse_date(_cell(row, columns, "date"), field="date")
    except Invalid:
        day = None
        problems.add(N_("Line %(line)d: the date must be a real day written as 2030-04-01."), line=line)
    district = _cell(row, columns, "district")
    district_id = names.get(_key(district))
    if district_id is None:
        problems.add(N_("Line %(line)d: “%(name)s” is not one of the site's districts."), line=line,
                     name=district[:60])
    what, what_ja = _cell(row, columns, "what"), _cell(row, columns, "what_ja")
    if not what:
        problems.add(N_("Line %(line)d: say what is collected."), line=line)
    if len(what) > MAX_WHAT or len(what_ja) > MAX_WHAT:
        problems.add(N_("Line %(line)d: what is collected is too long (at most %(max)d characters)."), line=line,
                     max=MAX_WHAT)
    if len(problems.items) > before:
        return None
    return CalendarRow(line, district_id, day, what, what_ja)


def parse(data: bytes, max_bytes: int, districts) -> list[CalendarRow]:
    """Every row of the file, checked against the site's districts; or ImportRefused naming every problem."""
    names = district_names(districts)
    return checked_rows(data, max_bytes, max_rows=MAX_ROWS, columns_of=lambda headers, encoding, raw: _columns(headers),
                        check=lambda line, row, columns, problems: _check(line, row, columns, names, problems),
                        key_of=lambda row: (row.district_id, row.day),
                        same_as=N_("Line %(line)d: the same district and date as line %(first)d."),
                        nothing=N_("The file has no collection days in it, only the line of column names."))
