"""Which residents a notice concerns, and which notices concern a resident ("Near my home").

A notice for the whole town concerns everyone. A notice for districts concerns a resident whose home
district (their profile's `User.district`) is one of them. A notice around a point concerns a resident
whose home point (the private `home_lat/home_lon` of their AlertSubscription, set on /settings/alerts)
lies within the circle. `concerns` says it for one notice, with the haversine distance of
sns/services/alert_matching.py; the SQL below says the same for a whole list in one query, on both
databases: a JSON list's membership per dialect, and the distance on a flat projection (at a city's scale
it differs from the haversine by well under a metre per kilometre), the cosine of the home's latitude as
a short series so that neither database needs math functions. tests/services/test_notice_reach.py
proves them equal.

The home point never leaves this module but as a yes or no: nothing here returns it, and no page another
person sees or API answer for another carries who a notice concerns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sns.ids import is_id
from sns.policies.sql import Params, database, fetch
from sns.services import rows
from sns.services.alert_matching import distance_m
from sns.services.notice_areas import category_label, my_area_label

M_PER_DEGREE = 111_320.0  # metres per degree of latitude (and of longitude at the equator)
RADIANS = math.pi / 180


def concerns(notice, district_id: str | None, home_lat: float | None, home_lon: float | None) -> bool:
    """Whether `notice` concerns a resident of this district and home point (either may be None)."""
    if notice.scope == "districts":
        return bool(district_id) and district_id in (notice.district_ids or ())
    if notice.scope == "radius":
        if home_lat is None or home_lon is None or notice.lat is None or notice.radius_m is None:
            return False
        return distance_m(home_lat, home_lon, notice.lat, notice.lon) <= notice.radius_m
    return True


def in_json_list(column: str, value: str, p: Params) -> str:
    """SQL: the JSON list in `column` holds the string `value` (SQLite keeps text, PostgreSQL jsonb)."""
    if p.sqlite:
        return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {p(value)})"
    return f"{column} @> jsonb_build_array({p(value)}::text)"


def _cos_sql(degrees: str) -> str:
    """SQL: cos of an angle in degrees, as its Taylor series to x^8 (error below 1e-6 up to 60 degrees)."""
    x2 = f"(({degrees}) * {RADIANS!r}) * (({degrees}) * {RADIANS!r})"
    return f"(1 - {x2} / 2 + {x2} * {x2} / 24 - {x2} * {x2} * {x2} / 720 + {x2} * {x2} * {x2} * {x2} / 40320)"


def within_sql(n: str, lat: str, lon: str, lon_scale: str) -> str:
    """SQL: the point (`lat`, `lon`) lies in notice `n`'s circle; `lon_scale` is metres per degree of
    longitude there (M_PER_DEGREE times the cosine of the latitude)."""
    dy, dx = f"(({n}.lat - {lat}) * {M_PER_DEGREE!r})", f"(({n}.lon - {lon}) * {lon_scale})"
    return f"({dy} * {dy} + {dx} * {dx} <= 1.0 * {n}.radius_m * {n}.radius_m)"


@dataclass(frozen=True, slots=True)
class NearNotice:
    """One notice on a resident's "Near my home" list, with what names its area for them."""
    id: str
    title: str
    created_at: datetime
    scope: str
    radius_m: int | None
    category: str
    my_district: str | None  # the name of my district, when that is why it concerns me

    @property
    def area(self) -> str:
        """Why it concerns me, in the language of the moment: "For Kita", "Within 500 m of your home"."""
        return my_area_label(self.scope, self.radius_m, self.my_district)

    @property
    def category_label(self) -> str:
        return category_label(self.category)


async def near_me(user, limit: int = 5, before: str | None = None) -> list[NearNotice]:
    """The newest notices that concern `user` (town-wide ones included): one query, their home point read
    inside it."""
    conn, p = database()
    home = (f"SELECT home_lat, home_lon, {M_PER_DEGREE!r} * {_cos_sql('home_lat')} AS k"
            f" FROM alert_subscriptions WHERE user_id = {p(user.id)} AND home_lat IS NOT NULL")
    reach = ["n.scope = 'town'", f"(n.scope = 'radius' AND h.k IS NOT NULL AND n.lat IS NOT NULL"
                                 f" AND {within_sql('n', 'h.home_lat', 'h.home_lon', 'h.k')})"]
    mine = "NULL"
    if user.district_id:
        reach.append(f"(n.scope = 'districts' AND {in_json_list('n.district_ids', user.district_id, p)})")
        mine = f"(SELECT name FROM districts WHERE id = {p(user.district_id)})"
    older = f" AND n.id < {p(before)}" if before and is_id(before) else ""
    sql = (f"SELECT n.id, n.title, n.created_at, n.scope, n.radius_m, n.category, {mine} AS my_district"
           f" FROM notices n LEFT JOIN ({home}) h ON 1 = 1"
           f" WHERE n.deleted_at IS NULL AND ({' OR '.join(reach)}){older}"
           f" ORDER BY n.id DESC LIMIT {int(limit)}")
    return [NearNotice(r["id"], r["title"], rows.when(r["created_at"]), r["scope"], r["radius_m"], r["category"],
                       r["my_district"]) for r in await fetch(conn, sql, p)]


async def residents_to_tell(notice) -> list[dict]:
    """The active residents a notice for districts or around a point concerns who asked to be told of such
    notices: rows of user_id, notice_email, notice_push (one query). A notice for the whole town is on
    everyone's My page and tells nobody: "near my home" is what they asked for."""
    conn, p = database()
    if notice.scope == "districts" and notice.district_ids:
        where = f"u.district_id IN ({', '.join(p(i) for i in notice.district_ids)})"
    elif notice.scope == "radius" and notice.lat is not None and notice.radius_m:
        # the circle, seen from the home point: the same flat distance, scaled at the notice's latitude
        scale = p(M_PER_DEGREE * math.cos(notice.lat * RADIANS))
        dy = f"((s.home_lat - {p(notice.lat)}) * {M_PER_DEGREE!r})"
        dx = f"((s.home_lon - {p(notice.lon)}) * {scale})"
        where = f"(s.home_lat IS NOT NULL AND {dy} * {dy} + {dx} * {dx} <= {p(float(notice.radius_m) ** 2)})"
    else:
        return []
    sql = ("SELECT s.user_id, s.notice_email, s.notice_push FROM alert_subscriptions s"
           " JOIN users u ON u.id = s.user_id"
           f" WHERE (s.notice_email OR s.notice_push) AND u.state = 'active' AND u.deleted_at IS NULL AND {where}"
           " ORDER BY s.user_id")
    return [{"user_id": r["user_id"], "email": bool(r["notice_email"]), "push": bool(r["notice_push"])}
            for r in await fetch(conn, sql, p)]
