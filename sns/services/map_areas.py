"""Layers administrators upload as GeoJSON (hazard zones, evacuation routes), shown on the map as they are.

Each shown layer is a map layer named "area:<id>" (`LAYERS`, named in sns/areas.py). Its
features come from the stored, already checked FeatureCollection, parsed once per version and kept in
memory; a map showing another part of the world skips the layer by its bounding box, then each
feature by its own.
"""

from __future__ import annotations

import json
from typing import Any

import anyio

from sns import i18n
from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.i18n import N_
from sns.models.places import MapLayer
from sns.policies import can_manage_map_layers
from sns.services import maps
from sns.services.base import clean_text, require, save_change, save_new, tombstone, transaction
from sns.services.geojson_check import check_geojson
from sns.services.shared import public_changed

PREFIX = "area:"
COLOURS = ("#1565c0", "#c62828", "#6a1b9a", "#ef6c00", "#00838f", "#4e342e")
_parsed: dict[tuple[str, int], list[dict[str, Any]]] = {}  # (layer id, version) -> features


def _texts(name, name_ja, description) -> tuple[str, str, str]:
    return (clean_text(name, field="name", max_chars=100, single_line=True),
            clean_text(name_ja, field="name_ja", max_chars=100, required=False, single_line=True),
            clean_text(description, field="description", max_chars=500, required=False))


async def list_layers(ctx: Ctx, *, shown_only: bool = True) -> list[MapLayer]:
    """Shown layers for everyone; hidden ones too for those who manage them. The big GeoJSON text
    is left out."""
    query = MapLayer.filter(deleted_at=None)
    if not (not shown_only and can_manage_map_layers(ctx.viewer)):
        query = query.filter(shown=True)
    return await query.order_by("position", "id").only(
        "id", "name", "name_ja", "description", "features", "vertices", "west", "south", "east", "north",
        "position", "shown", "version", "created_at", "updated_at")


async def get_layer(ctx: Ctx, layer_id: str) -> MapLayer:
    layer = await MapLayer.get_or_none(id=layer_id, deleted_at=None)
    if layer is None or not (layer.shown or can_manage_map_layers(ctx.viewer)):
        raise NotFound(N_("This map layer does not exist."))
    return layer


async def upload_layer(ctx: Ctx, name, name_ja, description, data: bytes) -> MapLayer:
    """Check the whole file first (size, then JSON, then every shape), then store it at once."""
    require(can_manage_map_layers(ctx.viewer))
    name, name_ja, description = _texts(name, name_ja, description)
    s = ctx.settings
    checked = await anyio.to_thread.run_sync(
        lambda: check_geojson(data or b"", max_bytes=s.max_geojson_bytes, max_vertices=s.max_geojson_vertices))
    for earlier in await MapLayer.filter(deleted_at=None, name=name, features=checked.features,
                                         vertices=checked.vertices):
        if earlier.geojson == checked.text:  # the same form sent twice: one layer
            return earlier
    last = await MapLayer.filter(deleted_at=None).order_by("-position").first().values_list("position", flat=True)
    west, south, east, north = checked.bbox
    async with transaction() as tx:
        layer = await save_new(MapLayer(
            name=name, name_ja=name_ja, description=description, geojson=checked.text, features=checked.features,
            vertices=checked.vertices, west=west, south=south, east=east, north=north,
            position=(last or 0) + 1, uploaded_by_id=ctx.user.id, origin=ctx.origin), tx)
    _changed(layer.id)
    return layer


async def _change(ctx: Ctx, layer_id: str, **values: Any) -> MapLayer:
    require(can_manage_map_layers(ctx.viewer))
    layer = await get_layer(ctx, layer_id)
    async with transaction() as tx:
        for k, v in values.items():
            setattr(layer, k, v)
        await save_change(layer, tx)
    _changed(layer.id)
    return layer


def _position(position: Any) -> int:
    raw = str(position if position is not None else "").strip()
    if not (raw.isascii() and raw.lstrip("-").isdigit() and len(raw) <= 4):
        raise Invalid(N_("Give a whole number."), field="position")
    return int(raw)


async def edit_layer(ctx: Ctx, layer_id: str, *, name, name_ja, description, position=None) -> MapLayer:
    """Rename a layer, describe it, and (if `position` is given) move it in the map's list."""
    require(can_manage_map_layers(ctx.viewer))
    name, name_ja, description = _texts(name, name_ja, description)
    values: dict[str, Any] = {"name": name, "name_ja": name_ja, "description": description}
    if position is not None:
        values["position"] = _position(position)
    return await _change(ctx, layer_id, **values)


async def show_layer(ctx: Ctx, layer_id: str, shown: bool) -> MapLayer:
    return await _change(ctx, layer_id, shown=bool(shown))


async def move_layer(ctx: Ctx, layer_id: str, position: Any) -> MapLayer:
    return await _change(ctx, layer_id, position=_position(position))


async def delete_layer(ctx: Ctx, layer_id: str) -> None:
    require(can_manage_map_layers(ctx.viewer))
    layer = await get_layer(ctx, layer_id)
    async with transaction() as tx:
        await tombstone(layer, tx)
    _changed(layer.id)


def _changed(layer_id: str) -> None:
    for key in [k for k in _parsed if k[0] == layer_id]:
        del _parsed[key]
    public_changed()


async def _features_of(layer_id: str, version: int) -> list[dict[str, Any]]:
    features = _parsed.get((layer_id, version))
    if features is None:
        text = await MapLayer.filter(id=layer_id).first().values_list("geojson", flat=True)
        features = json.loads(text or '{"features": []}')["features"]
        _parsed[(layer_id, version)] = features
    return features


def _features_fn(layer_id: str):
    async def features(ctx: Ctx, bbox: maps.BBox, limit: int) -> list[dict[str, Any]]:
        row = await MapLayer.filter(id=layer_id, deleted_at=None, shown=True).first().values(
            "version", "west", "south", "east", "north")
        if row is None or not bbox.overlaps(row["west"], row["south"], row["east"], row["north"]):
            return []
        out = []
        for f in await _features_of(layer_id, row["version"]):
            if bbox.overlaps(*f["bbox"]):
                out.append({"type": "Feature", "geometry": f["geometry"], "properties": dict(f["properties"])})
                if len(out) >= limit:
                    break
        return out

    return features


def label_of(layer) -> str:
    return layer.name_ja if i18n.current_locale() == "ja" and layer.name_ja else layer.name


def _as_map_layer(layer) -> maps.Layer:
    return maps.Layer(PREFIX + layer.id, label_of(layer), _features_fn(layer.id), order=60 + layer.position,
                      public=True, colour=COLOURS[layer.position % len(COLOURS)])


async def _lookup(ctx: Ctx, name: str) -> maps.Layer | None:
    layer = await MapLayer.get_or_none(id=name[len(PREFIX):][:40], deleted_at=None, shown=True).only(
        "id", "name", "name_ja", "position")
    return _as_map_layer(layer) if layer is not None else None


async def _listing(ctx: Ctx) -> list[maps.Layer]:
    return [_as_map_layer(layer) for layer in await list_layers(ctx)]


LAYERS = maps.DynamicLayers(PREFIX, _lookup, _listing)  # the uploaded layers, handed to the map (sns/areas.py)
