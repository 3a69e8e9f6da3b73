"""/admin/map-layers: administrators upload hazard zones and evacuation routes (GeoJSON), rename, hide,
reorder and delete them. The map itself shows them through the lead's features endpoint."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_
from sns.policies import can_manage_map_layers
from sns.services import map_areas as area_service
from sns.web.http import errors_of, files, form_of, redirect, render, signed_in_with, text
from sns.services.geojson_check import Refused

FIELDS = ("name", "name_ja", "description")
PAGE = "/admin/map-layers"


async def _guard(request: Request):
    return await signed_in_with(request, can_manage_map_layers)


async def _render(request: Request, ctx, status: int = 200, **extra):
    layers = await area_service.list_layers(ctx, shown_only=False)
    return await render(request, "admin_map_layers.html", status=status, layers=layers, **extra)


async def layers_page(request: Request):
    """The list of layers and the upload form (POST uploads)."""
    ctx, refused = await _guard(request)
    if refused:
        return refused
    if request.method == "GET":
        return await _render(request, ctx)
    form = form_of(request)
    typed = {n: text(form, n) for n in FIELDS}
    uploads = await files(form, "file")
    try:
        if not uploads:
            raise Refused(N_("Choose a GeoJSON file."))
        await area_service.upload_layer(ctx, **typed, data=uploads[0])
    except ServiceError as exc:
        return await _render(request, ctx, status=exc.status, errors=errors_of(exc), form=typed)
    return redirect(PAGE, N_("The map layer is uploaded and shown on the map."))


async def layer_update(request: Request):
    ctx, refused = await _guard(request)
    if refused:
        return refused
    layer_id = request.path_params["id"]
    form = form_of(request)
    typed = {n: text(form, n) for n in (*FIELDS, "position")}
    try:
        await area_service.edit_layer(ctx, layer_id, **typed)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return await _render(request, ctx, status=exc.status, edit_errors={layer_id: errors_of(exc)},
                             edit_form={layer_id: typed})
    return redirect(f"{PAGE}#layer-{layer_id}", N_("The map layer is saved."))


async def layer_show(request: Request):
    ctx, refused = await _guard(request)
    if refused:
        return refused
    shown = text(form_of(request), "shown") == "1"
    await area_service.show_layer(ctx, request.path_params["id"], shown)
    return redirect(f"{PAGE}#layer-{request.path_params['id']}",
                    N_("The layer is shown on the map.") if shown else N_("The layer is hidden from the map."))


async def layer_delete(request: Request):
    ctx, refused = await _guard(request)
    if refused:
        return refused
    await area_service.delete_layer(ctx, request.path_params["id"])
    return redirect(PAGE, N_("The map layer is deleted."))


ROUTES = [
    Route(PAGE, layers_page, methods=["GET", "POST"]),
    Route(PAGE + "/{id}", layer_update, methods=["POST"]),
    Route(PAGE + "/{id}/show", layer_show, methods=["POST"]),
    Route(PAGE + "/{id}/delete", layer_delete, methods=["POST"]),
]
