"""The map's data: layers that plug in, the box a map shows, and clustering of dense areas.

Each part of the site that has places hands over a `Layer` from its own service module (diaries and
events in map_layers.py, street reports, shelters, alerts and uploaded areas in theirs), named by its area in
the manifest (sns/areas.py); the map reaches them through `ctx.site`. A layer
answers one question: which of its features, visible to this viewer, fall in this box. The page is
rendered once; the markers always come from `features()` through the API, so what a person sees on
the map is exactly what the policies let them read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_

MAX_SPAN_DEGREES = 20.0  # a city's map never needs more; wider boxes are refused, not truncated
POINTS_PER_LAYER = 5000  # the most features one layer returns for one box
LOCATED_PER_LAYER = 50_000  # the most points a layer with `locate` gives for one box (they are only counted)
DESCRIBE_CHUNK = 500  # ids per `describe` call (SQLite's older limit on query parameters is 999)
CLUSTER_ABOVE = 300  # up to this many points in view, every point is sent as it is
GRID_CELLS = 24  # when clustering: the box is cut into about this many cells across


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    def overlaps(self, west: float, south: float, east: float, north: float) -> bool:
        return not (east < self.west or west > self.east or north < self.south or south > self.north)

    def around(self) -> dict[str, float]:
        """Tortoise filters for records with `lat`/`lon` in the box."""
        return {"lat__gte": self.south, "lat__lte": self.north, "lon__gte": self.west, "lon__lte": self.east}


@dataclass(frozen=True)
class Layer:
    """One switchable layer. `features(ctx, bbox, limit)` returns GeoJSON Feature dicts, only those the
    viewer may see; Point features carry `properties` with at least `id`, `title` and `url` (the
    layer's name is added here). `public` layers show the same to everyone (cacheable)."""

    name: str
    label: str  # N_() text: the name in the layer switcher
    features: Callable[[Ctx, BBox, int], Awaitable[list[dict[str, Any]]]]
    order: int = 50
    shown_by_default: bool = True
    public: bool = False
    colour: str = "#1f5f8b"
    list_url: str | None = None  # a page listing the same items without JavaScript
    # Optional, for layers with many items: `locate(ctx, bbox, limit)` gives only (id, lat, lon) of what the
    # viewer may see, cheaply; `describe(ctx, ids)` gives the full features of the few sent one by one. Then
    # `features` is not called, and dense areas cost no more than counting.
    locate: Callable[[Ctx, BBox, int], Awaitable[list[tuple[str, float, float]]]] | None = None
    describe: Callable[[Ctx, list[str]], Awaitable[list[dict[str, Any]]]] | None = None


# Extra layers that are data rather than code (the areas administrators upload): a function
# giving `Layer`s for the names it knows ("area:<id>") and listing the current ones.
@dataclass(frozen=True)
class DynamicLayers:
    prefix: str
    lookup: Callable[[Ctx, str], Awaitable[Layer | None]]
    listing: Callable[[Ctx], Awaitable[list[Layer]]]


async def all_layers(ctx: Ctx) -> list[Layer]:
    """The layers the site's areas hand over (sns/areas.py), in the switcher's order, then the uploaded ones."""
    found = list(ctx.site.layers)
    for dynamic in ctx.site.dynamic_layers:
        found = found + await dynamic.listing(ctx)
    return found


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def parse_bbox(raw: str | None) -> BBox:
    """`W,S,E,N` in degrees, as Leaflet's `getBounds().toBBoxString()` writes it."""
    if not raw or not raw.strip():
        raise Invalid(N_("Give the map's area as bbox=west,south,east,north."), field="bbox")
    parts = raw.split(",")
    if len(parts) != 4 or len(raw) > 200:
        raise Invalid(N_("The area must be four numbers: west,south,east,north."), field="bbox")
    try:
        west, south, east, north = (_number(p.strip()) for p in parts)
    except ValueError:
        raise Invalid(N_("The area must be four numbers: west,south,east,north."), field="bbox") from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        raise Invalid(N_("The area is outside the globe: longitudes run from -180 to 180 and latitudes from -90 to "
                         "90."), field="bbox")
    if west >= east or south >= north:
        raise Invalid(N_("The area is inverted: west must be less than east and south less than north."),
                      field="bbox")
    if east - west > MAX_SPAN_DEGREES or north - south > MAX_SPAN_DEGREES:
        raise Invalid(N_("The area is too large: at most %(n)d degrees each way. Zoom in."), field="bbox",
                      n=int(MAX_SPAN_DEGREES))
    return BBox(west, south, east, north)


async def resolve_layers(ctx: Ctx, raw: str | None) -> list[Layer]:
    """The layers asked for (comma-separated names), or those shown by default. Unknown names are an error."""
    if raw is None or not raw.strip():
        return [layer for layer in ctx.site.layers if layer.shown_by_default]
    names = list(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
    if len(names) > 50:
        raise Invalid(N_("Too many layers asked for at once."), field="layers")
    chosen = []
    for name in names:
        layer = ctx.site.map_layers.get(name)
        if layer is None:
            for dynamic in ctx.site.dynamic_layers:
                if name.startswith(dynamic.prefix):
                    layer = await dynamic.lookup(ctx, name)
                    break
        if layer is None:
            raise Invalid(N_("There is no map layer called “%(name)s”."), field="layers", name=name[:60])
        chosen.append(layer)
    return chosen


def point(lat: float, lon: float, **properties: Any) -> dict[str, Any]:
    """A GeoJSON Point feature (GeoJSON puts longitude first)."""
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


def _cell_size(bbox: BBox, zoom: int | None) -> float:
    size = 360.0 / (2 ** zoom) / 4 if zoom is not None else (bbox.east - bbox.west) / GRID_CELLS
    return max(size, 1e-5)


@dataclass
class _Cell:
    lat: float = 0.0
    lon: float = 0.0
    members: list[tuple] = field(default_factory=list)


def group(points: list[tuple], bbox: BBox, zoom: int | None = None) -> tuple[list[tuple], list[dict[str, Any]]]:
    """Split points `(layer, id, lat, lon, feature-or-None)` into those sent one by one and clusters.

    Up to CLUSTER_ABOVE points in view, every one is sent. Above, points are grouped per layer in square
    cells of a fixed size for the zoom (or for the box's width), aligned to the globe so that a marker
    does not jump between clusters while the map pans; a cell with two or more becomes one feature with
    `cluster: true` and its `count`.
    """
    if len(points) <= CLUSTER_ABOVE:
        return points, []
    size = _cell_size(bbox, zoom)
    cells: dict[tuple[str, int, int], _Cell] = {}
    for p in points:
        cell = cells.setdefault((p[0], math.floor(p[3] / size), math.floor(p[2] / size)), _Cell())
        cell.lat += p[2]
        cell.lon += p[3]
        cell.members.append(p)
    singles, clusters = [], []
    for (layer, _, _), cell in cells.items():
        n = len(cell.members)
        if n == 1:
            singles.append(cell.members[0])
        else:
            clusters.append(point(round(cell.lat / n, 5), round(cell.lon / n, 5), layer=layer, cluster=True, count=n))
    return singles, clusters


async def features(ctx: Ctx, bbox: BBox, chosen: list[Layer], zoom: int | None = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the chosen layers in the box, as the viewer may see them."""
    shapes: list[dict[str, Any]] = []
    points: list[tuple] = []  # (layer, id, lat, lon, feature or None until described)
    located_count: dict[str, int] = {}
    complete = True
    for layer in chosen:
        if layer.locate is not None:
            located = await layer.locate(ctx, bbox, LOCATED_PER_LAYER + 1)
            if len(located) > LOCATED_PER_LAYER:
                located, complete = located[:LOCATED_PER_LAYER], False
            points += [(layer.name, id_, lat, lon, None) for id_, lat, lon in located]
            located_count[layer.name] = len(located)
            continue
        got = await layer.features(ctx, bbox, POINTS_PER_LAYER + 1)
        if len(got) > POINTS_PER_LAYER:
            got, complete = got[:POINTS_PER_LAYER], False
        for f in got:
            f["properties"]["layer"] = layer.name
            if f["geometry"]["type"] == "Point":
                lon, lat = f["geometry"]["coordinates"][:2]
                points.append((layer.name, f["properties"].get("id"), lat, lon, f))
            else:
                shapes.append(f)
    singles, clusters = group(points, bbox, zoom)
    await _describe(ctx, bbox, chosen, singles, located_count)
    sent = [p[4] for p in singles if p[4] is not None]  # one deleted between the two steps is left out
    return {"type": "FeatureCollection", "features": shapes + clusters + sent, "complete": complete,
            "layers": [layer.name for layer in chosen]}


async def _describe(ctx: Ctx, bbox: BBox, chosen: list[Layer], singles: list[tuple],
                    located_count: dict[str, int]) -> None:
    """Fill in the features of located points that are sent one by one (in place). When most of the points a
    layer located are sent, one query by the box (`features`) is cheaper than asking for them by id."""
    wanted: dict[str, list[str]] = {}
    for p in singles:
        if p[4] is None:
            wanted.setdefault(p[0], []).append(p[1])
    described: dict[tuple[str, str], dict[str, Any]] = {}
    for layer in chosen:
        ids = wanted.get(layer.name)
        if not ids or layer.describe is None:
            continue
        if len(ids) * 2 >= located_count.get(layer.name, 0):  # most of them: read the box, keep those wanted
            batches = [await layer.features(ctx, bbox, located_count[layer.name])]
        else:
            batches = [await layer.describe(ctx, ids[start:start + DESCRIBE_CHUNK])
                       for start in range(0, len(ids), DESCRIBE_CHUNK)]
        for batch in batches:
            for f in batch:
                f["properties"]["layer"] = layer.name
                described[(layer.name, f["properties"]["id"])] = f
    singles[:] = [p if p[4] is not None else (*p[:4], described.get((p[0], p[1]))) for p in singles]
