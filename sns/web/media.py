"""Serving photos, through the same rules as what they belong to."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from sns.media import photo_path
from sns.models import Diary, Photo, User
from sns.policies import can_view_photo
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
    diary = await Diary.get_or_none(id=item.diary_id) if item.diary_id else None
    owner = await User.get_or_none(id=item.owner_id) if item.purpose == "avatar" else None
    if not can_view_photo(ctx.viewer, item, diary=diary, owner=owner):
        return Response(status_code=404)
    path = photo_path(ctx.settings.media_dir, item.id, thumb=kind == "thumb.jpg")
    if not path.exists():
        return Response(status_code=404)
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=300"})
