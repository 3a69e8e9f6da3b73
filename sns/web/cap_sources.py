"""/admin/alert-sources: administrators list the external CAP 1.2 sources with their health, add one
(address and label), pause or resume it, remove it, or poll it now; the disaster desk reads the page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_, gettext
from sns.policies import can_manage_alert_sources, can_read_alert_sources
from sns.services import cap_sources as service
from sns.services.cap_poll import ERROR_LABELS, interval
from sns.web.http import errors_of, form_of, redirect, render, signed_in_with, text

PAGE = "/admin/alert-sources"
FIELDS = ("url", "label", "poll_seconds")


def error_label(code: str) -> str:
    return gettext(ERROR_LABELS.get(code, N_("Refused: not valid CAP or Atom")))


async def _guard(request: Request, *, manage: bool = True):
    return await signed_in_with(request, can_manage_alert_sources if manage else can_read_alert_sources)


async def _render(request: Request, ctx, status: int = 200, **extra):
    sources = await service.list_sources(ctx)
    return await render(request, "admin_alert_sources.html", status=status,
                        rows=[(s, service.health(s), interval(s, ctx.settings)) for s in sources],
                        log_entries=await service.poll_log(ctx), error_label=error_label,
                        may_manage=can_manage_alert_sources(ctx.viewer), **extra)


async def sources_page(request: Request):
    """The list with each source's health and the newest refusals (POST adds a source)."""
    ctx, refused = await _guard(request, manage=request.method != "GET")
    if refused:
        return refused
    if request.method == "GET":
        return await _render(request, ctx)
    form = form_of(request)
    typed = {n: text(form, n) for n in FIELDS}
    try:
        await service.add_source(ctx, **typed)
    except ServiceError as exc:
        return await _render(request, ctx, status=exc.status, errors=errors_of(exc), form=typed)
    return redirect(PAGE, N_("The source is added; it is polled within a minute."))


async def source_enable(request: Request):
    ctx, refused = await _guard(request)
    if refused:
        return refused
    enabled = text(form_of(request), "enabled") == "1"
    source = await service.set_enabled(ctx, request.path_params["id"], enabled)
    return redirect(f"{PAGE}#source-{source.id}",
                    N_("The source is polled again.") if enabled else N_("The source is paused."))


async def source_remove(request: Request):
    ctx, refused = await _guard(request)
    if refused:
        return refused
    await service.remove_source(ctx, request.path_params["id"])
    return redirect(PAGE, N_("The source is removed; the alerts it brought stay."))


async def source_poll(request: Request):
    ctx, refused = await _guard(request)
    if refused:
        return refused
    source_id = request.path_params["id"]
    outcome = await service.poll_now(ctx, source_id)
    if outcome is None:
        return redirect(f"{PAGE}#source-{source_id}", N_("The source is being polled right now; look again soon."))
    return redirect(f"{PAGE}#source-{source_id}", N_("The source was polled: its health below shows the result."))


ROUTES = [
    Route(PAGE, sources_page, methods=["GET", "POST"]),
    Route(PAGE + "/{id}/enable", source_enable, methods=["POST"]),
    Route(PAGE + "/{id}/remove", source_remove, methods=["POST"]),
    Route(PAGE + "/{id}/poll", source_poll, methods=["POST"]),
]
