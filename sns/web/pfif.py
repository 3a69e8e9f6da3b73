"""The disaster desk's exchange with other person finders over PFIF 1.4 (docs/pfif.md): `/disaster/pfif`
says how many check-ins may be shared, downloads them as a PFIF document (a POST: each export is logged)
and imports a partner registry's notes from an uploaded file. Who may is `sns.policies.pfif`; the work is
`sns.services.pfif_export` and `pfif_import`. Everything here is personal, so never kept by a cache."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sns.errors import ServiceError
from sns.policies.pfif import can_exchange_pfif, is_pfif_desk
from sns.services import disaster as disaster_service
from sns.services import pfif_export, pfif_import
from sns.web.http import errors_of, form_of, render, signed_in, text

NO_STORE = "private, no-store"
POST = ["POST"]


async def _page(request: Request, ctx, status: int = 200, **extra) -> Response:
    event = await disaster_service.current_event(ctx)
    may = can_exchange_pfif(ctx.viewer, event)
    shareable = len(await pfif_export.shareable_checkins(ctx, event)) if may else 0
    # the desk's page is theirs at any time (it says when disaster mode is off); nobody else's
    response = await render(request, "disaster_pfif.html", status=status if is_pfif_desk(ctx.viewer) else 403,
                            event=event, may_exchange=may, is_desk=is_pfif_desk(ctx.viewer), shareable=shareable,
                            **extra)
    response.headers["Cache-Control"] = NO_STORE
    return response


@signed_in
async def pfif_page(request: Request, ctx):
    return await _page(request, ctx)


@signed_in
async def pfif_export_download(request: Request, ctx):
    try:
        done = await pfif_export.export_checkins(ctx)
    except ServiceError as exc:
        return await _page(request, ctx, status=exc.status, errors=errors_of(exc))
    return Response(done.body, media_type=pfif_export.MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{done.filename}"', "Cache-Control": NO_STORE,
        "X-Content-Type-Options": "nosniff"})


async def _upload(form) -> bytes:
    item = form.get("document")
    if isinstance(item, UploadFile) and (item.filename or item.size):
        return await item.read()
    return b""


@signed_in
async def pfif_import_upload(request: Request, ctx):
    form = form_of(request)
    typed = {"source": text(form, "source")}
    data = await _upload(form)
    try:
        result = await pfif_import.import_notes(ctx, data=data, source=typed["source"])
    except ServiceError as exc:
        return await _page(request, ctx, status=exc.status, errors=errors_of(exc), form=typed)
    return await _page(request, ctx, result=result, form={"source": typed["source"]})


ROUTES: list[Route] = [
    Route("/disaster/pfif", pfif_page, methods=["GET"]),
    Route("/disaster/pfif/export", pfif_export_download, methods=POST),
    Route("/disaster/pfif/import", pfif_import_upload, methods=POST),
]
