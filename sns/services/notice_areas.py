"""Who a notice is for, as staff type it (the whole town, some districts, a circle around a point) and its
category, checked; and how an area is named to a reader ("For Kita", "Within 500 m of your home").

The form and the API send the same fields: `scope` ("town", "districts", "radius"), `district_ids`,
`lat`/`lon` and `radius_m` (metres, MIN_RADIUS_M to MAX_RADIUS_M), `category` (CATEGORIES, "" for none).
Fields the chosen scope does not use are dropped, so a notice for the town carries no stray point.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

from sns.errors import Invalid
from sns.geo import parse_location
from sns.i18n import N_, gettext
from sns.models import District
from sns.models.notices import NOTICE_SCOPES

MIN_RADIUS_M, MAX_RADIUS_M = 50, 20_000
MAX_DISTRICTS = 100
CATEGORIES = {"road_works": N_("Road works"), "permit": N_("Building permit"), "water": N_("Water stop"),
              "other": N_("Other")}
SCOPE_LABELS = {"town": N_("The whole town"), "districts": N_("Some districts"),
                "radius": N_("Around a point")}


@dataclass(frozen=True)
class NoticeArea:
    """A notice's area and category, checked: the values its columns take."""
    scope: str = "town"
    district_ids: tuple[str, ...] | None = None
    lat: float | None = None
    lon: float | None = None
    radius_m: int | None = None
    category: str = ""

    def columns(self) -> dict[str, Any]:
        return {"scope": self.scope, "district_ids": list(self.district_ids) if self.district_ids else None,
                "lat": self.lat, "lon": self.lon, "radius_m": self.radius_m, "category": self.category}


def check_category(value: Any) -> str:
    category = value.strip() if isinstance(value, str) else ""
    if category and category not in CATEGORIES:
        raise Invalid(N_("Choose one of the categories."), field="category")
    return category


def check_radius_m(value: Any) -> int:
    raw = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    try:
        number = float(raw) if len(raw) <= 8 and not isinstance(value, bool) else -1.0
    except ValueError:
        number = -1.0
    if not MIN_RADIUS_M <= number <= MAX_RADIUS_M:
        raise Invalid(N_("Give the radius in metres, from %(min)d to %(max)d."), field="radius_m",
                      min=MIN_RADIUS_M, max=MAX_RADIUS_M)
    return int(round(number))


async def check_area(*, scope: Any = "town", district_ids: Any = None, lat: Any = None, lon: Any = None,
                     radius_m: Any = None, category: Any = "") -> NoticeArea:
    """The area as typed, checked (one query when districts are chosen: they must exist)."""
    scope = scope.strip() if isinstance(scope, str) and scope.strip() else "town"
    if scope not in NOTICE_SCOPES:
        raise Invalid(N_("Choose who the notice is for."), field="scope")
    category = check_category(category)
    if scope == "districts":
        ids = district_ids if isinstance(district_ids, (list, tuple)) else []
        chosen = list(dict.fromkeys(i for i in ids if isinstance(i, str) and i))[:MAX_DISTRICTS + 1]
        if not chosen:
            raise Invalid(N_("Choose at least one district."), field="district_ids")
        if len(chosen) > MAX_DISTRICTS or \
                await District.filter(id__in=chosen, deleted_at=None).count() != len(chosen):
            raise Invalid(N_("Choose districts from the list."), field="district_ids")
        return NoticeArea("districts", tuple(chosen), category=category)
    if scope == "radius":
        la, lo = parse_location(lat, lon)
        if la is None:
            raise Invalid(N_("Give the centre's latitude and longitude."), field="location")
        return NoticeArea("radius", None, la, lo, check_radius_m(radius_m), category)
    return NoticeArea(category=category)


def distance_text(metres: int | None) -> str:
    """500 m, 1.5 km."""
    metres = metres or 0
    return f"{metres} m" if metres < 1000 else f"{metres / 1000:g} km"


def category_label(category: str) -> str:
    return gettext(CATEGORIES[category]) if category in CATEGORIES else ""


def area_label(notice, names: dict[str, str]) -> str:
    """A notice's area for anyone (the list, its page): districts by name, a circle by its centre."""
    if notice.scope == "districts":
        listed = [names[i] for i in notice.district_ids or () if i in names]
        return gettext("For %(districts)s", districts=", ".join(listed) or "?")
    if notice.scope == "radius":
        lat, lon = f"{notice.lat:.5f}", f"{notice.lon:.5f}"
        return gettext("Within %(distance)s of %(lat)s, %(lon)s", distance=distance_text(notice.radius_m),
                       lat=lat, lon=lon)
    return gettext("For the whole town")


def my_area_label(scope: str, radius_m: int | None, my_district: str | None) -> str:
    """A notice's area for one reader it concerns (My page): their district, or the distance from home."""
    if scope == "districts":
        return gettext("For %(districts)s", districts=my_district or "?")
    if scope == "radius":
        return gettext("Within %(distance)s of your home", distance=distance_text(radius_m))
    return gettext("For the whole town")


async def district_names(notices: Iterable) -> dict[str, str]:
    """The names of the districts these notices are for (one query, none when no notice names one)."""
    ids = {i for n in notices if n.scope == "districts" for i in (n.district_ids or ())}
    if not ids:
        return {}
    return dict(await District.filter(id__in=list(ids)).values_list("id", "name"))


async def labels_for(notices: list) -> dict[str, str]:
    """Each notice's id -> its area, named (one query at most)."""
    names = await district_names(notices)
    return {n.id: area_label(n, names) for n in notices}
