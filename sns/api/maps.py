"""The map's data as GeoJSON (see sns/api/v1.py): the same layers, boxes and policies as the map page."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sns.api.http import answer, endpoint
from sns.api.openapi import op
from sns.api.schemas import obj
from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_, gettext
from sns.services import maps


def _zoom(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or not 0 <= int(raw) <= 22:
        raise Invalid(N_("The zoom must be a whole number from 0 to 22."), field="zoom")
    return int(raw)


async def feature_collection(ctx: Ctx, params) -> dict[str, Any]:
    """One answer for the API and for the map page (which calls it with the resident's session)."""
    bbox = maps.parse_bbox(params.get("bbox"))
    chosen = await maps.resolve_layers(ctx, params.get("layers"))
    return await maps.features(ctx, bbox, chosen, _zoom(params.get("zoom")))


def geojson(data: dict[str, Any]) -> Response:
    return answer(data, headers={"Content-Type": "application/geo+json"})


@endpoint
async def features(request: Request, ctx: Ctx):
    """What is on the map in a box: GeoJSON features of the chosen layers that the caller may see.

    Points in dense areas come as one feature with `cluster: true` and a `count` (counted after the
    caller's permissions, like everything else). Uploaded areas come as their shapes.
    """
    return geojson(await feature_collection(ctx, request.query_params))


async def layer_list(ctx: Ctx) -> list[dict[str, Any]]:
    return [{"name": layer.name, "label": gettext(layer.label), "colour": layer.colour,
             "shown_by_default": layer.shown_by_default, "list_url": layer.list_url}
            for layer in await maps.all_layers(ctx)]


@endpoint
async def layers(request: Request, ctx: Ctx):
    """The map's layers, in the order the map lists them, named in the caller's language."""
    return answer({"items": await layer_list(ctx)})


ENDPOINTS: list[Route] = [
    Route("/api/v1/map/features", features, methods=["GET"], name="api_map_features"),
    Route("/api/v1/map/layers", layers, methods=["GET"], name="api_map_layers"),
]
QUERY = [
    {"name": "bbox", "in": "query", "required": True,
     "schema": {"type": "string", "example": "130.58,32.49,130.63,32.52"},
     "description": "The box: west,south,east,north in degrees (Leaflet's toBBoxString()). At most %d degrees "
                    "each way; west < east, south < north." % int(maps.MAX_SPAN_DEGREES)},
    {"name": "layers", "in": "query", "required": False, "schema": {"type": "string", "example": "diaries,events"},
     "description": "Comma-separated layer names (see /api/v1/map/layers); the default layers when absent."},
    {"name": "zoom", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0, "maximum": 22},
     "description": "The map's zoom: clusters are sized to it (otherwise to the box)."},
]
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/v1/map/features"): op("map", (200, "FeatureCollection"), query=QUERY, errors=(400, 401)),
    ("GET", "/api/v1/map/layers"): op("map", (200, "MapLayers"), errors=(401,)),
}
POSITION = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 3}
SCHEMAS: dict[str, Any] = {
    "Feature": obj({
        "type": {"const": "Feature"},
        "geometry": {"type": "object", "description": "A GeoJSON geometry (longitude first). Points for "
                                                      "items and clusters; uploaded areas keep their shapes.",
                     "properties": {"type": {"type": "string"}, "coordinates": {"type": "array"}}},
        "properties": {"type": "object", "description": "`layer`; for an item `id`, `title`, `url` and what its "
                                                        "layer adds; for a cluster `cluster: true` and `count`."},
    }),
    "FeatureCollection": obj({
        "type": {"const": "FeatureCollection"},
        "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}},
        "complete": {"type": "boolean", "description": "False when a layer had more items in the box than one "
                                                       "answer carries: zoom in."},
        "layers": {"type": "array", "items": {"type": "string"}},
    }),
    "MapLayer": obj({
        "name": {"type": "string"}, "label": {"type": "string"}, "colour": {"type": "string"},
        "shown_by_default": {"type": "boolean"}, "list_url": {"type": ["string", "null"]},
    }),
    "MapLayers": obj({"items": {"type": "array", "items": {"$ref": "#/components/schemas/MapLayer"}}}),
}
PATH_PARAMS: dict[str, Any] = {}
