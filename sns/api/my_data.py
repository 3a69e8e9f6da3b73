"""Download my data over JSON: start an export (or find the one under way) and fetch the archive."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from starlette.responses import FileResponse

from sns.api.declare import Media, Operations, Output
from sns.api.fields import Id, Time, Url
from sns.api.http import absolute
from sns.api.shapes import when
from sns.context import Ctx
from sns.services import data_export

API = Operations("my_data")
NO_STORE = {"Cache-Control": "private, no-store"}


class Export(Output):
    """One "download my data" archive of the caller."""

    id: Id
    state: Literal["waiting", "working", "ready", "failed"]
    created_at: Time
    started: bool = Field(description="True when this call queued it; false when it was already there.")
    size: int | None = Field(None, description="The archive's size in bytes, once ready.")
    expires_at: Time | None = Field(None, description="When a ready archive is removed.")
    download_url: Url | None = Field(None, description="Once ready: GET it with the same token (a ZIP file).")


def export_json(ctx: Ctx, export, started: bool) -> dict:
    out = {"id": export.id, "state": export.state, "created_at": when(export.created_at), "started": started}
    if export.state == "ready":
        out.update(size=export.size, expires_at=when(export.expires_at),
                   download_url=absolute(ctx, f"/api/v1/me/exports/{export.id}/download"))
    return out


@API.get("/api/v1/me/export", answer=Export, auth=True, errors=(401, 403, 429))
async def get_my_export(ctx: Ctx):
    """My data export: this GET starts one when I have none waiting, being prepared or ready, and reports it.
    Repeated calls return the same export (idempotent while it waits, is prepared and stays downloadable);
    a failed one is started again. Once `state` is "ready", `download_url` gives the ZIP archive."""
    export, started = await data_export.ask(ctx, reuse_ready=True)
    return export_json(ctx, export, started)


@API.get("/api/v1/me/exports/{id}/download", answer=Media("application/zip"), auth=True, errors=(401, 404))
async def download_my_export(ctx: Ctx, id: str):
    """The archive of a ready export of mine, as a ZIP file (attachment, never cached). Anyone else's: 404."""
    path, name = await data_export.archive_for_download(ctx, id)
    return FileResponse(path, media_type="application/zip", filename=name, headers=NO_STORE)
