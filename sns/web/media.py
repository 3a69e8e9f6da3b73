"""Serving photos, through the same rules as what they belong to."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from sns.media import photo_path
from sns.models import Photo
from sns.services.photo_access import may_view_photo
from sns.web.http import load_ctx


async def photo(request: Request):
    ctx = await load_ctx(request)
    name = request.path_params["name"]
    photo_id, _, kind = name.partition(".")
    if kind not in ("jpg", "thumb.jpg"):
        return Response(status_code=404)
    item = await Photo.get_or_none(id=photo_id)
    if item is None:
        return Response(status_code=404)
    if not await may_view_photo(ctx.viewer, item, ctx.site.photo_owners):
        return Response(status_code=404)
    path = photo_path(ctx.settings.media_dir, item.id, thumb=kind == "thumb.jpg")
    if not path.exists():
        return Response(status_code=404)
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=300"})
