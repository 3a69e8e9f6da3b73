"""A mirrored city's photos, served by us while it may be down: `/mirror/{origin}/photos/{id}[/thumb]`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from sns.mirror.media_view import mirrored_photo_file


async def mirrored_photo(request: Request) -> Response:
    path = await mirrored_photo_file(request.app.state.settings, request.path_params["origin"],
                                     request.path_params["id"], request.url.path.endswith("/thumb"))
    if path is None:
        return Response(status_code=404)
    # The same headers as our own photos (sns/web/media.py); the security headers come from the middleware.
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=300"})
