"""The map page: the skeleton folium drew once, the layers a person can switch, and lists for those without JavaScript."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sns.api.maps import feature_collection, geojson
from sns.errors import ServiceError
from sns.services import maps
from sns.services.site import load_site
from sns.web.http import load_ctx, render
from sns.web.map_skeleton import skeleton
from sns.web.middleware import content_security_policy
from sns.i18n import gettext


def layer_config(layers: list[maps.Layer]) -> list[dict]:
    """What static/map.js needs to know of each layer (names in the reader's language)."""
    return [{"name": layer.name, "label": gettext(layer.label), "colour": layer.colour,
             "shown": layer.shown_by_default, "list": layer.list_url} for layer in layers]


async def map_page(request: Request):
    ctx = await load_ctx(request)
    site = await load_site()
    settings = ctx.settings
    drawn = skeleton(site.map_lat, site.map_lon, site.map_zoom, settings.tile_url, settings.tile_attribution)
    layers = await maps.all_layers(ctx)
    response = await render(request, "map.html", skeleton=drawn, layers=layers, layer_config=layer_config(layers))
    # The one inline script on the site, allowed by its hash (never 'unsafe-inline').
    response.headers["Content-Security-Policy"] = content_security_policy(settings.tile_url, (drawn.script_hash,))
    return response


async def map_features(request: Request):
    """The map page's own data source: like /api/v1/map/features, as the signed-in resident (session cookie).
    Only GET, answered as JSON that no other site's page may read (no CORS), so it needs no CSRF token."""
    ctx = await load_ctx(request)
    try:
        data = await feature_collection(ctx, request.query_params)
    except ServiceError as exc:
        return JSONResponse({"error": exc.text(), "field": exc.field}, status_code=exc.status)
    response = geojson(data)
    response.headers["Cache-Control"] = "private, no-cache" if ctx.user else "no-cache"
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response


ROUTES: list[Route] = [
    Route("/map", map_page, methods=["GET"], name="map"),
    Route("/map/features.json", map_features, methods=["GET"]),
]
