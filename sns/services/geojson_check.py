"""Checking an uploaded GeoJSON file (RFC 7946) and normalising it, before anything is stored.

Accepts a FeatureCollection, a Feature or a bare geometry. Every position must be two or three
finite numbers in range, lines need two positions, polygon rings must be closed with four; the
vertices are counted while walking, so a file with a million of them is refused as soon as the
limit is passed. Only `name`, `title` and `description` string properties are kept. Each feature
gets its own `bbox` so the map sends only those in view.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from sns.errors import Invalid
from sns.i18n import N_, gettext

GEOMETRIES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
              "GeometryCollection")
KEPT_PROPERTIES = {"name": 200, "title": 200, "description": 1000}
MAX_COLLECTION_NESTING = 4
MAX_DEPTH = 64  # objects and arrays inside each other, anywhere in the file


class Refused(Invalid):
    def __init__(self, message: str, **params) -> None:
        super().__init__(message, field="file", **params)


def _no_constants(name: str):
    raise ValueError(name)


@dataclass
class Walk:
    max_vertices: int
    feature: int = 0  # 1-based number of the feature being read, for messages
    vertices: int = 0
    box: list[float] = field(default_factory=lambda: [math.inf, math.inf, -math.inf, -math.inf])

    def fail(self, message: str, **params) -> Refused:
        if self.feature:
            return Refused(N_("Feature %(n)d: %(problem)s"), n=self.feature, problem=_lazy(message, params))
        return Refused(message, **params)


class _lazy:
    """A message inside a message: translated when the outer one is shown."""

    def __init__(self, message: str, params: dict) -> None:
        self.message, self.params = message, params

    def __str__(self) -> str:
        return gettext(self.message, **self.params)


def _position(p: Any, walk: Walk, box: list[float]) -> list[float]:
    if not isinstance(p, list) or len(p) not in (2, 3) or not all(
            isinstance(c, (int, float)) and not isinstance(c, bool) for c in p):
        raise walk.fail(N_("a position must be two or three numbers (longitude, latitude)."))
    lon, lat = p[0], p[1]
    if not (math.isfinite(lon) and math.isfinite(lat)) or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise walk.fail(N_("a position is outside the globe (longitude -180 to 180, latitude -90 to 90)."))
    walk.vertices += 1
    if walk.vertices > walk.max_vertices:
        raise Refused(N_("The file has too many points: at most %(n)d in one layer. Simplify the shapes and "
                         "try again."), n=walk.max_vertices)
    if lon < box[0]:
        box[0] = lon
    if lat < box[1]:
        box[1] = lat
    if lon > box[2]:
        box[2] = lon
    if lat > box[3]:
        box[3] = lat
    return [lon, lat]


def _positions(ps: Any, walk: Walk, box: list[float]) -> list[list[float]]:
    if not isinstance(ps, list):
        raise walk.fail(N_("the coordinates are not nested as the geometry's type needs."))
    return [_position(p, walk, box) for p in ps]


def _line(ps: Any, walk: Walk, box: list[float]) -> list[list[float]]:
    line = _positions(ps, walk, box)
    if len(line) < 2:
        raise walk.fail(N_("a line needs at least two positions."))
    return line


def _polygon(rings: Any, walk: Walk, box: list[float]) -> list[list[list[float]]]:
    if not isinstance(rings, list) or not rings:
        raise walk.fail(N_("a polygon needs at least one ring of positions."))
    out = []
    for ring in rings:
        ring = _positions(ring, walk, box)
        if len(ring) < 4:
            raise walk.fail(N_("a polygon ring needs at least four positions."))
        if ring[0] != ring[-1]:
            raise walk.fail(N_("a polygon ring must end where it starts."))
        out.append(ring)
    return out


def _many(items: Any, walk: Walk, box: list[float], one) -> list:
    if not isinstance(items, list):
        raise walk.fail(N_("the coordinates are not nested as the geometry's type needs."))
    return [one(item, walk, box) for item in items]


def geometry(g: Any, walk: Walk, box: list[float], depth: int = 0) -> dict[str, Any]:
    if not isinstance(g, dict) or g.get("type") not in GEOMETRIES:
        raise walk.fail(N_("the geometry must be a Point, MultiPoint, LineString, MultiLineString, Polygon, "
                           "MultiPolygon or GeometryCollection."))
    kind = g["type"]
    if kind == "GeometryCollection":
        if depth >= MAX_COLLECTION_NESTING or not isinstance(g.get("geometries"), list):
            raise walk.fail(N_("a geometry collection must list its geometries (nested at most %(n)d deep)."),
                            n=MAX_COLLECTION_NESTING)
        return {"type": kind, "geometries": [geometry(x, walk, box, depth + 1) for x in g["geometries"]]}
    c = g.get("coordinates")
    if kind == "Point":
        coordinates: Any = _position(c, walk, box)
    elif kind == "MultiPoint":
        coordinates = _positions(c, walk, box)
    elif kind == "LineString":
        coordinates = _line(c, walk, box)
    elif kind == "MultiLineString":
        coordinates = _many(c, walk, box, _line)
    elif kind == "Polygon":
        coordinates = _polygon(c, walk, box)
    else:
        coordinates = _many(c, walk, box, _polygon)
    return {"type": kind, "coordinates": coordinates}


def _properties(p: Any) -> dict[str, str]:
    out = {}
    if isinstance(p, dict):
        for name, limit in KEPT_PROPERTIES.items():
            value = p.get(name)
            if isinstance(value, str) and value.strip():
                out[name] = value.strip()[:limit]
    return out


def feature(f: Any, walk: Walk) -> dict[str, Any]:
    if not isinstance(f, dict) or f.get("type") != "Feature":
        raise walk.fail(N_("each item of “features” must be a Feature."))
    box = [math.inf, math.inf, -math.inf, -math.inf]
    g = f.get("geometry")
    if g is None:
        raise walk.fail(N_("the feature has no geometry."))
    shape = geometry(g, walk, box)
    if not math.isfinite(box[0]):
        raise walk.fail(N_("the feature has no positions."))
    walk.box = [min(walk.box[0], box[0]), min(walk.box[1], box[1]), max(walk.box[2], box[2]),
                max(walk.box[3], box[3])]
    return {"type": "Feature", "bbox": box, "geometry": shape, "properties": _properties(f.get("properties"))}


def too_deep(doc: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether objects and arrays nest deeper than `limit` anywhere (without recursion)."""
    stack = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


@dataclass
class Checked:
    text: str  # the normalised FeatureCollection
    features: int
    vertices: int
    bbox: list[float]  # west, south, east, north


def check_geojson(data: bytes, *, max_bytes: int, max_vertices: int) -> Checked:
    if len(data) > max_bytes:
        raise Refused(N_("The file is too large (at most %(mb)d MB)."), mb=max(1, max_bytes // (1024 * 1024)))
    if not data.strip():
        raise Refused(N_("The file is empty."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused(N_("The file is not UTF-8 text. GeoJSON files are UTF-8.")) from None
    try:
        doc = json.loads(text, parse_constant=_no_constants)
    except RecursionError:
        raise Refused(N_("The file is nested too deeply to be GeoJSON.")) from None
    except ValueError as exc:
        raise Refused(N_("The file is not valid JSON (%(where)s)."), where=str(exc)[:120]) from None
    walk = Walk(max_vertices)
    if not isinstance(doc, dict):
        raise Refused(N_("The file must be a GeoJSON object: a FeatureCollection, a Feature or a geometry."))
    kind = doc.get("type")
    if kind == "FeatureCollection":
        items = doc.get("features")
        if not isinstance(items, list):
            raise Refused(N_("A FeatureCollection must have a list of “features”."))
        features = []
        for n, item in enumerate(items, 1):
            walk.feature = n
            features.append(feature(item, walk))
    elif kind == "Feature":
        walk.feature = 1
        features = [feature(doc, walk)]
    elif kind in GEOMETRIES:
        walk.feature = 1
        features = [feature({"type": "Feature", "geometry": doc}, walk)]
    else:
        raise Refused(N_("The file must be a GeoJSON object: a FeatureCollection, a Feature or a geometry."))
    if not features:
        raise Refused(N_("The file has no features."))
    if too_deep(doc):  # deep nesting in members that are dropped anyway: still not GeoJSON as people write it
        raise Refused(N_("The file is nested too deeply to be GeoJSON."))
    out = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                     separators=(",", ":"))
    return Checked(out, len(features), walk.vertices, walk.box)
