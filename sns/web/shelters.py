"""Shelter pages: the public list (/shelters, no JavaScript needed), and /admin/shelters where
administrators import the city's CSV and the disaster desk marks each shelter open, full or closed."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_
from sns.models.places import HAZARDS, SHELTER_STATUSES
from sns.policies import can_manage_map_layers, can_manage_shelters, can_set_shelter_status
from sns.services import shelters as shelter_service
from sns.services.shelter_csv import ImportRefused
from sns.web import map_areas
from sns.web.http import errors_of, files, form_of, load_ctx, redirect, render, signed_in_with, text

EDIT_FIELDS = ("name", "address", "lat", "lon", "capacity", "remark")


def _helpers() -> dict:
    return {"hazards": HAZARDS, "statuses": SHELTER_STATUSES, "hazard_label": shelter_service.hazard_label,
            "status_label": shelter_service.status_label}


async def shelter_list(request: Request):
    ctx = await load_ctx(request)
    q = request.query_params
    hazard, status = q.get("hazard", "")[:20], q.get("status", "")[:10]
    try:
        items = await shelter_service.list_shelters(ctx, hazard=hazard, status=status)
        errors, code = {}, 200
    except ServiceError as exc:
        items, errors, code = await shelter_service.list_shelters(ctx), errors_of(exc), exc.status
    return await render(request, "shelter_list.html", status=code, shelters=items, errors=errors,
                        f={"hazard": hazard, "status": status}, may_set_status=can_set_shelter_status(ctx.viewer),
                        **_helpers())


async def _render_admin(request: Request, ctx, status: int = 200, **extra):
    items = await shelter_service.list_shelters(ctx)
    return await render(request, "admin_shelters.html", status=status, shelters=items,
                        may_import=can_manage_shelters(ctx.viewer), may_layers=can_manage_map_layers(ctx.viewer),
                        **_helpers(), **extra)


def _count(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else None


async def admin_page(request: Request):
    ctx, refused = await signed_in_with(request, can_set_shelter_status)
    if refused:
        return refused
    result = {k: _count(request, k) for k in ("added", "updated", "unchanged", "removed")}
    return await _render_admin(request, ctx, result=result if result["added"] is not None else None)


async def import_csv(request: Request):
    ctx, refused = await signed_in_with(request, can_manage_shelters)
    if refused:
        return refused
    form = form_of(request)
    uploads = await files(form, "file")
    replace = text(form, "replace") == "1"
    try:
        if not uploads:
            raise ImportRefused([(N_("Choose the CSV file of the city's shelters."), {})])
        result = await shelter_service.import_shelters(ctx, uploads[0], replace=replace)
    except ImportRefused as exc:
        return await _render_admin(request, ctx, status=exc.status, problems=exc.lines(), form={"replace": replace})
    except ServiceError as exc:
        return await _render_admin(request, ctx, status=exc.status, problems=[exc.text()], form={"replace": replace})
    query = urlencode({"added": result.added, "updated": result.updated, "unchanged": result.unchanged,
                       "removed": result.removed})
    return redirect(f"/admin/shelters?{query}#result", N_("The shelter list is imported."))


async def set_status(request: Request):
    ctx, refused = await signed_in_with(request, can_set_shelter_status)
    if refused:
        return refused
    shelter_id = request.path_params["id"]
    try:
        await shelter_service.set_shelter_status(ctx, shelter_id, text(form_of(request), "status"))
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return await _render_admin(request, ctx, status=exc.status, status_errors={shelter_id: exc.text()})
    return redirect(f"/admin/shelters#shelter-{shelter_id}", N_("The shelter's status is changed."))


async def edit_page(request: Request):
    ctx, refused = await signed_in_with(request, can_manage_shelters)
    if refused:
        return refused
    shelter = await shelter_service.get_shelter(ctx, request.path_params["id"])
    if request.method == "GET":
        typed = {n: "" if getattr(shelter, n) is None else str(getattr(shelter, n)) for n in EDIT_FIELDS}
        typed["hazards"] = list(shelter.hazards or [])
        return await render(request, "shelter_form.html", shelter=shelter, form=typed, **_helpers())
    form = form_of(request)
    typed = {n: text(form, n) for n in EDIT_FIELDS}
    chosen = [h for h in form.getlist("hazards") if isinstance(h, str)]
    try:
        await shelter_service.edit_shelter(ctx, shelter.id, **typed, hazards=chosen)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return await render(request, "shelter_form.html", status=exc.status, shelter=shelter, errors=errors_of(exc),
                            form={**typed, "hazards": chosen}, **_helpers())
    return redirect(f"/admin/shelters#shelter-{shelter.id}", N_("The shelter is saved."))


ROUTES = [
    Route("/shelters", shelter_list, methods=["GET"]),
    Route("/admin/shelters", admin_page, methods=["GET"]),
    Route("/admin/shelters/import", import_csv, methods=["POST"]),
    Route("/admin/shelters/{id}/status", set_status, methods=["POST"]),
    Route("/admin/shelters/{id}", edit_page, methods=["GET", "POST"]),
    *map_areas.ROUTES,
]
