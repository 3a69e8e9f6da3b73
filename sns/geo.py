"""Coordinates typed or sent by people: validated, rounded, optional."""

from __future__ import annotations

import math

from sns.errors import Invalid
from sns.i18n import N_

PRECISION = 5  # about 1 metre; more digits only pretend


def parse_location(lat, lon) -> tuple[float | None, float | None]:
    """Both empty: no location. Otherwise both must be numbers within range."""
    blank_lat = lat is None or (isinstance(lat, str) and not lat.strip())
    blank_lon = lon is None or (isinstance(lon, str) and not lon.strip())
    if blank_lat and blank_lon:
        return None, None
    if blank_lat or blank_lon:
        raise Invalid(N_("Give both latitude and longitude, or neither."), field="location")
    try:
        la, lo = float(lat), float(lon)
    except (TypeError, ValueError):
        raise Invalid(N_("Latitude and longitude must be numbers, such as 32.5073 and 130.6016."),
                      field="location") from None
    if not (math.isfinite(la) and math.isfinite(lo)) or not -90 <= la <= 90 or not -180 <= lo <= 180:
        raise Invalid(N_("Latitude must be between -90 and 90 and longitude between -180 and 180."),
                      field="location")
    return round(la, PRECISION), round(lo, PRECISION)
