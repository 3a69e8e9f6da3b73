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
