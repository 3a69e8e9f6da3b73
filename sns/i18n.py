"""Translations (Babel gettext catalogues): English is the source, Japanese ships complete.

The current language lives in a context variable set per request by the
locale middleware; templates and services call `gettext` and get the
reader's language. Messages defined away from a request are marked with
`N_()` and translated where they are shown.
"""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import DateTimePattern, get_date_format, get_datetime_format, get_time_format, parse_pattern
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("en", "ja")
LOCALE_DIR = Path(__file__).parent / "locale"
_current: ContextVar[str] = ContextVar("locale", default="en")
_zone = ZoneInfo("Asia/Tokyo")


def set_timezone(name: str) -> None:
    global _zone
    _zone = ZoneInfo(name)


@lru_cache(maxsize=None)
def translations(locale: str) -> NullTranslations:
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


def current_locale() -> str:
    return _current.get()


def set_locale(locale: str):
    return _current.set(locale if locale in LOCALES else "en")


@contextmanager
def using_locale(locale: str) -> Iterator[None]:
    token = set_locale(locale)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **params) -> str:
    text = translations(_current.get()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params) -> str:
    text = translations(_current.get()).ngettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


_ = gettext


def N_(message: str) -> str:
    """Mark a message for extraction; translate it later with `gettext`."""
    return message


def negotiate(accept_language: str | None, default: str = "en") -> str:
    """Pick en or ja from an Accept-Language header."""
    if not accept_language:
        return default
    best, best_q = default, -1.0
    for part in accept_language.split(","):
        lang, _, q = part.strip().partition(";q=")
        code = lang.strip().lower().split("-")[0]
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        if code in LOCALES and weight > best_q:
            best, best_q = code, weight
    return best


@lru_cache(maxsize=None)
def _locale(code: str) -> Locale:
    return Locale.parse(code)


@lru_cache(maxsize=64)
def _pattern(code: str, fmt: str) -> DateTimePattern:
    """The date-and-time pattern for a named format ("short"...) or a custom one, parsed once.

    Babel's `format_datetime` joins the date and time patterns with the locale's glue
    ("{1}, {0}") on every call; joining them once gives the same text (tests compare).
    """
    locale = _locale(code)
    if fmt not in ("full", "long", "medium", "short"):
        return parse_pattern(fmt)
    glue = get_datetime_format(fmt, locale=locale).replace("'", "")
    time_pattern, date_pattern = get_time_format(fmt, locale=locale), get_date_format(fmt, locale=locale)
    pieces = {"{0}": time_pattern.pattern, "{1}": date_pattern.pattern}
    # the glue's own text (", ", " at ") is quoted so that it is not read as pattern letters
    return parse_pattern("".join(pieces.get(piece, f"'{piece}'") for piece in re.split(r"(\{[01]\})", glue)
                                 if piece))


def format_time(value: datetime | None, fmt: str = "medium") -> str:
    """A date and time in the reader's language and the site's time zone."""
    if value is None:
        return ""
    return _formatted(value, fmt, _current.get(), _zone)


@lru_cache(maxsize=8192)  # the same entries' times are shown again and again
def _formatted(value: datetime, fmt: str, code: str, zone: ZoneInfo) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return _pattern(code, fmt).apply(value.astimezone(zone), _locale(code))


def month_name(key: str) -> str:
    """"2026-11" as the reader says it: "November 2026", "2026年11月"."""
    from datetime import date

    from babel.dates import format_skeleton

    try:
        year, month = (int(part) for part in key.split("-"))
        return format_skeleton("yMMMM", date(year, month, 1), locale=_locale(_current.get()))
    except (ValueError, TypeError):
        return key


def language_name(code: str) -> str:
    return {"en": "English", "ja": "日本語"}[code]
