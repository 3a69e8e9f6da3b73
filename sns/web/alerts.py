"""Pages for official alerts (issue 6): the list (/alerts, active ones first), one alert with its
history, the form the fire department and the disaster desk post with, and their status changes.
Everything works without JavaScript; the banner on every page is in base.html (see `render`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.geo import parse_outline
from sns.i18n import N_
from sns.models.alerts import ALERT_KINDS, ALERT_STATUSES, SEVERITIES
from sns.policies import can_change_alert, can_post_alert
from sns.services import alerts as alert_service
from sns.services.alert_districts import district_names
from sns.services import mirror_pages
from sns.web.http import errors_of, form_of, load_ctx, redirect, render, signed_in, text
from sns.services.site import districts

FIELDS = ("kind", "title", "description", "instruction", "address", "lat", "lon", "radius_m", "polygon", "severity")


async def _districts() -> list:
    return await districts()


def _helpers() -> dict:
    return {"kinds": ALERT_KINDS, "statuses": ALERT_STATUSES, "severities": SEVERITIES,
            "kind_label": alert_service.kind_label, "status_label": alert_service.status_label,
            "severity_label": alert_service.severity_label, "is_active": alert_service.is_active}


async def alert_list(request: Request):
    ctx = await load_ctx(request)
    items = await alert_service.list_alerts(ctx)
    fallen = await mirror_pages.fallen_cities(ctx.settings)  # neighbours down: their mirror (sns/web/mirror_pages.py)
    return await render(request, "alert_list.html", alerts=items, may_post=can_post_alert(ctx.viewer), fallen=fallen,
                        **_helpers())


async def _render_alert(request: Request, ctx, alert, status: int = 200, **extra):
    steps = await alert_service.history(alert)
    names = await district_names(alert)
    return await render(request, "alert.html", status=status, alert=alert, steps=steps, district_names=names,
                        may_change=can_change_alert(ctx.viewer, alert) and alert_service.is_active(alert),
                        **_helpers(), **extra)


async def alert_page(request: Request):
    ctx = await load_ctx(request)
    alert = await alert_service.get_alert(ctx, request.path_params["id"])
    return await _render_alert(request, ctx, alert)


@signed_in
async def alert_new(request: Request, ctx):
    if not can_post_alert(ctx.viewer):
        return await render(request, "error.html", status=403, message=None)
    if request.method == "GET":
        return await render(request, "alert_form.html", form={"kind": "fire", "severity": "Severe", "districts": []},
                            all_districts=await _districts(), **_helpers())
    form = form_of(request)
    typed = {name: text(form, name) for name in FIELDS}
    typed["exercise"] = text(form, "exercise") == "1"
    typed["districts"] = [v for v in form.getlist("districts") if isinstance(v, str)][:500]
    try:
        alert = await alert_service.post_alert(ctx, **{**typed, "polygon": parse_outline(typed["polygon"])},
                                               client_token=text(form, "client_token") or None)
    except ServiceError as exc:
        return await render(request, "alert_form.html", status=exc.status, errors=errors_of(exc), form=typed,
                            all_districts=await _districts(), **_helpers())
    return redirect(alert_service.alert_url(alert.id), N_("The alert is posted: every page shows it now."))


@signed_in
async def alert_status(request: Request, ctx):
    alert_id = request.path_params["id"]
    form = form_of(request)
    typed = {"status": text(form, "status"), "note": text(form, "note")}
    try:
        await alert_service.change_status(ctx, alert_id, typed["status"], typed["note"])
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        alert = await alert_service.get_alert(ctx, alert_id)
        return await _render_alert(request, ctx, alert, status=exc.status, errors=errors_of(exc), form=typed)
    return redirect(alert_service.alert_url(alert_id), N_("The alert's status is changed."))


@signed_in
async def alert_correct(request: Request, ctx):
    alert_id = request.path_params["id"]
    form = form_of(request)
    typed = {name: text(form, name) for name in ("title", "description", "instruction", "note")}
    try:
        await alert_service.correct_alert(ctx, alert_id, **typed)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        alert = await alert_service.get_alert(ctx, alert_id)
        return await _render_alert(request, ctx, alert, status=exc.status, errors=errors_of(exc),
                                   correction=typed)
    return redirect(alert_service.alert_url(alert_id), N_("The alert's text is corrected."))


ROUTES: list[Route] = [
    Route("/alerts", alert_list, methods=["GET"]),
    Route("/alerts/new", alert_new, methods=["GET", "POST"]),
    Route("/alerts/{id}", alert_page, methods=["GET"]),
    Route("/alerts/{id}/status", alert_status, methods=["POST"]),
    Route("/alerts/{id}/correct", alert_correct, methods=["POST"]),
]
