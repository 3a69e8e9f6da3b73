"""The map's data as GeoJSON (see sns/api/v1.py): the same layers, boxes and policies as the map page."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field
from starlette.responses import Response

from sns.api.declare import Media, Operations, Output, Query
from sns.api.http import answer
from sns.api.refusals import Reported, custom
from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_, gettext
from sns.services import maps

API = Operations("map")
NUMBER = r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?"  # as JavaScript writes a number (Leaflet's toBBoxString)
BBOX = rf"^{NUMBER}(,{NUMBER}){{3}}$"
FOUR_NUMBERS = re.compile(BBOX)


def _four_numbers(raw: str) -> str:
    """The box's form; whether it is on the globe, the right way round and small enough is the map's rule."""
    if not FOUR_NUMBERS.match(raw):
        raise custom(N_("The area must be four numbers: west,south,east,north."))
    return raw


class MapQuery(Query):
    bbox: Annotated[str, Field(
        max_length=200, examples=["130.58,32.49,130.63,32.52"], json_schema_extra={"pattern": BBOX},
        description="The box: west,south,east,north in degrees (Leaflet's toBBoxString()). At most %d degrees "
                    "each way; west < east, south < north." % int(maps.MAX_SPAN_DEGREES)),
        AfterValidator(_four_numbers)]
    layers: Annotated[str | None, Field(
        examples=["diaries,events"],
        description="Comma-separated layer names (see /api/v1/map/layers); the default layers when absent.")] = None
    zoom: Annotated[int | None, Field(ge=0, le=22, description="The map's zoom: clusters are sized to it "
                                                               "(otherwise to the box)."),
                    Reported(message=N_("The zoom must be a whole number from 0 to 22."))] = None


class Geometry(Output):
    """A GeoJSON geometry (longitude first). Points for items and clusters; uploaded areas keep their shapes."""

    type: str
    coordinates: list[Any]


class Feature(Output):
    type: Literal["Feature"]
    geometry: Geometry
    properties: dict[str, Any] = Field(description="`layer`; for an item `id`, `title`, `url` and what its layer "
                                                   "adds; for a cluster `cluster: true` and `count`.")


# Documents the answer only: the features are sent as `maps.features` made them (a hot path, not re-validated).
class FeatureCollection(Output):
    type: Literal["FeatureCollection"]
    features: list[Feature]
    complete: bool = Field(description="False when a layer had more items in the box than one answer carries: "
                                       "zoom in.")
    layers: list[str]


class MapLayer(Output):
    name: str
    label: str
    colour: str
    shown_by_default: bool
    list_url: str | None


class MapLayers(Output):
    items: list[MapLayer]


def _zoom(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or not 0 <= int(raw) <= 22:
        raise Invalid(N_("The zoom must be a whole number from 0 to 22."), field="zoom")
    return int(raw)


async def feature_collection(ctx: Ctx, params) -> dict[str, Any]:
    """The map page's answer (it calls this with the resident's session and its query string as it came)."""
    bbox = maps.parse_bbox(params.get("bbox"))
    chosen = await maps.resolve_layers(ctx, params.get("layers"))
    return await maps.features(ctx, bbox, chosen, _zoom(params.get("zoom")))


def geojson(data: dict[str, Any]) -> Response:
    return answer(data, headers={"Content-Type": "application/geo+json"})


@API.get("/api/v1/map/features", answer=Media("application/geo+json", FeatureCollection), query=MapQuery,
         errors=(400, 401), name="api_map_features", refuses=("bbox", "layers"))
async def features(ctx: Ctx, query: MapQuery):
    """What is on the map in a box: GeoJSON features of the chosen layers that the caller may see.

    Points in dense areas come as one feature with `cluster: true` and a `count` (counted after the
    caller's permissions, like everything else). Uploaded areas come as their shapes.
    """
    bbox = maps.parse_bbox(query.bbox)
    chosen = await maps.resolve_layers(ctx, query.layers)
    return geojson(await maps.features(ctx, bbox, chosen, query.zoom))


async def layer_list(ctx: Ctx) -> list[dict[str, Any]]:
    return [{"name": layer.name, "label": gettext(layer.label), "colour": layer.colour,
             "shown_by_default": layer.shown_by_default, "list_url": layer.list_url}
            for layer in await maps.all_layers(ctx)]


@API.get("/api/v1/map/layers", answer=MapLayers, name="api_map_layers")
async def layers(ctx: Ctx):
    """The map's layers, in the order the map lists them, named in the caller's language."""
    return {"items": await layer_list(ctx)}
