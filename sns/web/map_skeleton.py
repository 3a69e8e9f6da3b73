"""The map's skeleton, drawn by folium once and kept: Leaflet from this instance, the town's centre, the tiles.

folium's own page pulls jQuery, Bootstrap, Font Awesome and Leaflet from four CDN hosts and draws each
marker into the page. Here `TownMap` names the files the instance serves (`/static/leaflet/`, from the
`django-js-lib-leaflet` package), no marker is drawn, and only two parts of folium's output are used:
the map's `<div>` and its script. The script is inline, so pages that show it allow exactly its
SHA-256 in their Content-Security-Policy. Markers come from `/api/v1/map/features` (static/map.js).
"""

from __future__ import annotations

import base64
import hashlib
import html
from dataclasses import dataclass

import folium

LEAFLET_URL = "/static/leaflet"
MAP_ID = "town"  # folium names the map's variable `map_town` and its element `#map_town`


class TownMap(folium.Map):
    """A folium map that loads Leaflet from this instance and nothing else."""

    default_js = [("leaflet", f"{LEAFLET_URL}/leaflet.js")]
    default_css = [("leaflet_css", f"{LEAFLET_URL}/leaflet.css")]


@dataclass(frozen=True)
class Skeleton:
    element: str  # the map's <div>
    script: str  # the inline script (without the <script> tags)
    script_hash: str  # base64 SHA-256 of `script`, for the CSP
    scripts: tuple[str, ...]  # the script files it needs, in order
    styles: tuple[str, ...]


_kept: dict[tuple, Skeleton] = {}


def skeleton(lat: float, lon: float, zoom: int, tile_url: str = "", attribution: str = "") -> Skeleton:
    """The map centred on the town, drawn once per centre and tile setting."""
    key = (lat, lon, zoom, tile_url, attribution)
    if key not in _kept:
        if len(_kept) > 16:  # the centre changes rarely; never let this grow without bound
            _kept.clear()
        _kept[key] = _draw(*key)
    return _kept[key]


def _draw(lat: float, lon: float, zoom: int, tile_url: str, attribution: str) -> Skeleton:
    town = TownMap(location=[lat, lon], zoom_start=zoom, tiles=None, control_scale=True, prefer_canvas=True,
                   height="100%")
    town._id = MAP_ID
    if tile_url:
        # Leaflet shows the attribution as HTML: the setting is plain text, so it is escaped here.
        tiles = folium.TileLayer(tiles=tile_url, attr=html.escape(attribution) or " ", name="tiles", max_zoom=19,
                                 control=False)
        tiles._id = "town"  # a fixed name, so the script (and its hash) is the same in every worker
        tiles.add_to(town)
    root = town.get_root()
    root.render()  # lets every element add its parts to the figure
    element = root.html.render().strip()
    script = "\n" + root.script.render().strip() + "\n"
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    return Skeleton(
        element=element, script=script, script_hash=digest,
        scripts=tuple(url for _, url in TownMap.default_js), styles=tuple(url for _, url in TownMap.default_css),
    )
