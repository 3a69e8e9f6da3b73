"""Which residents an alert concerns (pure functions, no database).

- District: the staff ticked the districts affected when posting (Alert.districts, District ids);
  a resident who asked for "my district" is told when their profile's district is one of them.
- Near home: the distance from the home point to the alert's point is within the resident's radius
  plus the alert's own radius (if any), or the home point is inside the alert's polygon.
"""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def inside_polygon(lat: float, lon: float, polygon: list[list[float]]) -> bool:
    """Ray casting over [lat, lon] pairs (a closed ring); small areas, so flat geometry is enough."""
    inside = False
    for (lat1, lon1), (lat2, lon2) in zip(polygon, polygon[1:]):
        if (lat1 > lat) != (lat2 > lat):
            crossing = lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1)
            if lon < crossing:
                inside = not inside
    return inside


def near_home(alert, home_lat: float | None, home_lon: float | None, radius_km: float | None) -> bool:
    if home_lat is None or home_lon is None or not radius_km:
        return False
    if alert.polygon and inside_polygon(home_lat, home_lon, alert.polygon):
        return True
    reach = radius_km * 1000 + (alert.radius_m or 0)
    return distance_m(home_lat, home_lon, alert.lat, alert.lon) <= reach


def in_district(alert, district_id: str | None) -> bool:
    return bool(district_id) and district_id in (alert.districts or [])


def concerns(alert, subscription, district_id: str | None) -> bool:
    """Whether this resident asked to be told of this alert."""
    if alert.exercise and not subscription.drills:
        return False
    return (subscription.by_district and in_district(alert, district_id)) or \
        near_home(alert, subscription.home_lat, subscription.home_lon, subscription.radius_km)
