"""Coordinates typed or sent by people: validated, rounded, optional, and blurred when asked."""

from __future__ import annotations

import math
import unicodedata

from sns.errors import Invalid
from sns.i18n import N_

PRECISION = 5  # about 1 metre; more digits only pretend
NEIGHBOURHOOD = 0.005  # degrees: a blurred place is the centre of a cell about 500 m across
MAX_TYPED = 32  # characters in one typed coordinate


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value) -> float:
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value).strip()  # full-width digits from a Japanese keyboard
        if len(value) > MAX_TYPED:
            raise ValueError(value)
    if isinstance(value, bool):
        raise ValueError(value)
    return float(value)


def to_neighbourhood(lat: float, lon: float) -> tuple[float, float]:
    """The centre of the neighbourhood cell the place is in: the exact place is never stored."""
    def snap(x: float) -> float:
        return round((math.floor(x / NEIGHBOURHOOD) + 0.5) * NEIGHBOURHOOD, PRECISION)
    return min(max(snap(lat), -90.0), 90.0), min(max(snap(lon), -180.0), 180.0)


def parse_location(lat, lon, *, blur: bool = False) -> tuple[float | None, float | None]:
    """Both empty: no location. Otherwise both must be numbers within range (rounded to about a metre).

    "32.5073, 130.6016" pasted whole into the latitude field is understood too, as map sites copy it.
    With `blur`, the place is moved to the centre of its neighbourhood (about 500 m) before it is kept.
    """
    if isinstance(lat, str) and "," in lat and _blank(lon):
        lat, _, lon = lat.partition(",")
    if _blank(lat) and _blank(lon):
        return None, None
    if _blank(lat) or _blank(lon):
        raise Invalid(N_("Give both latitude and longitude, or neither."), field="location")
    try:
        la, lo = _number(lat), _number(lon)
    except (TypeError, ValueError, OverflowError):
        raise Invalid(N_("Latitude and longitude must be numbers, such as 32.5073 and 130.6016."),
                      field="location") from None
    if not (math.isfinite(la) and math.isfinite(lo)) or not -90 <= la <= 90 or not -180 <= lo <= 180:
        raise Invalid(N_("Latitude must be between -90 and 90 and longitude between -180 and 180."),
                      field="location")
    la, lo = round(la, PRECISION), round(lo, PRECISION)
    return to_neighbourhood(la, lo) if blur else (la, lo)


MAX_OUTLINE_CHARS = 20_000  # an outline typed or pasted into a form: 500 points of "32.50731, 130.60162"


def parse_outline(text) -> list[list[float]] | None:
    """An area's outline typed into a form: one point per line, "latitude, longitude" (a space or a
    full-width comma works too). Empty: no outline. Whether it closes is the caller's rule."""
    if _blank(text):
        return None
    if not isinstance(text, str) or len(text) > MAX_OUTLINE_CHARS:
        raise Invalid(N_("The area's outline is too long."), field="polygon")
    points = []
    for number, line in enumerate(unicodedata.normalize("NFKC", text).splitlines(), start=1):
        parts = line.replace(",", " ").split()
        if not parts:
            continue
        try:
            if len(parts) != 2:
                raise ValueError(line)
            la, lo = _number(parts[0]), _number(parts[1])
        except (TypeError, ValueError, OverflowError):
            raise Invalid(N_("Line %(line)d of the outline is not a latitude and longitude such as "
                             "32.5073, 130.6016."), field="polygon", line=number) from None
        points.append([la, lo])
    return points or None
