"""Translations (Babel gettext catalogues): English is the source, Japanese ships complete.

The current language lives in a context variable set per request by the
locale middleware; templates and services call `gettext` and get the
reader's language. Messages defined away from a request are marked with
`N_()` and translated where they are shown.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
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


def format_time(value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return format_datetime(value, format=fmt, locale=Locale.parse(_current.get()), tzinfo=_zone)


def language_name(code: str) -> str:
    return {"en": "English", "ja": "日本語"}[code]
