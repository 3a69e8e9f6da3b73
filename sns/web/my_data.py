"""Settings, "Download my data": ask for the archive, see how it is coming along, download it.

The page works without JavaScript: a reload shows the export's state. The archive is sent from disk
(`FileResponse`), as an attachment, never kept by a cache; anyone else's export is a plain 404.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_, gettext
from sns.models.base import utcnow
from sns.services import data_export
from sns.web.http import errors_of, redirect, render, signed_in

NO_STORE = {"Cache-Control": "private, no-store"}


def size_text(size: int) -> str:
    if size < 1024 * 1024:
        return gettext("%(size)s KB", size=max(1, round(size / 1024)))
    megabytes = "%.1f" % (size / (1024 * 1024))
    return gettext("%(size)s MB", size=megabytes)


async def _page(request: Request, status: int = 200, **values):
    ctx = request.scope["state"]["ctx"]
    export = await data_export.latest(ctx.user.id)
    if export is not None and export.state == "ready" and export.expires_at <= utcnow():
        export = None  # past its time: gone, though the job has not removed it yet
    response = await render(request, "my_data.html", status=status, export=export, size_text=size_text,
                            keep_days=ctx.settings.export_keep_days, **values)
    response.headers.update(NO_STORE)
    return response


@signed_in
async def my_data_page(request: Request, ctx):
    """GET: the page; POST (the button): ask for an archive, then back to the page."""
    if request.method != "POST":
        return await _page(request)
    try:
        await data_export.ask(ctx)
    except ServiceError as exc:
        return await _page(request, status=exc.status, errors=errors_of(exc))
    return redirect("/settings/data", N_("Your data is being prepared. Come back to this page in a while."))


@signed_in
async def download(request: Request, ctx):
    """The owner's ready archive, streamed from disk as an attachment."""
    try:
        path, name = await data_export.archive_for_download(ctx, request.path_params["id"])
        return FileResponse(path, media_type="application/zip", filename=name, headers=NO_STORE)
    except ServiceError as exc:
        response = await render(request, "error.html", status=exc.status, message=exc.text())
        response.headers.update(NO_STORE)
        return response


ROUTES = [
    Route("/settings/data", my_data_page, methods=["GET", "POST"]),
    Route("/settings/data/exports/{id}/download", download, methods=["GET"]),
]
