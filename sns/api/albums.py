"""Albums over JSON (see sns/api/v1.py): the same services and rules as the pages."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect, Request
from starlette.routing import Route

from sns.api.auth import require_user
from sns.api.http import absolute, answer, endpoint, no_content
from sns.api.inputs import TooLarge, UnsupportedMediaType, query_username, read_json, short_text
from sns.api.openapi import op
from sns.api.schemas import CLIENT_TOKEN, ID, TEXT, TEXT_STATE, TIME, URL, VISIBILITY, obj, ref
from sns.api.shapes import person_brief, photo_json, when
from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_
from sns.policies import can_add_album_photo, can_delete_album, can_edit_album
from sns.services import albums as album_service
from sns.services import profiles

NEW_FIELDS = ("title", "description", "visibility", "community_id", "client_token")


def album_json(ctx: Ctx, album, photos=None) -> dict[str, Any]:
    out = {
        "id": album.id, "url": absolute(ctx, f"/albums/{album.id}"), "api_url": absolute(ctx, f"/api/v1/albums/{album.id}"),
        "title": album.title, "description": album.description, "visibility": album.visibility,
        "community_id": album.community_id, "state": album.state, "photo_count": album.photo_count,
        "cover_url": absolute(ctx, f"/photos/{album.cover_id}.thumb.jpg") if album.cover_id else None,
        "owner": person_brief(ctx, album.owner), "created_at": when(album.created_at),
    }
    if photos is not None:
        v = ctx.viewer
        out["photos"] = [{**photo_json(ctx, p), "caption": p.caption} for p in photos]
        out["permissions"] = {"edit": can_edit_album(v, album), "delete": can_delete_album(v, album),
                              "add_photos": can_add_album_photo(v, album, album.community_row, album.membership)}
    return out


async def _detail(ctx: Ctx, album_id: str, status: int = 200):
    album = await album_service.get_album(ctx, album_id)
    headers = {"Location": absolute(ctx, f"/api/v1/albums/{album.id}")} if status == 201 else None
    return answer(album_json(ctx, album, await album_service.album_photos(album.id)), status, headers)


@endpoint
async def list_albums(request: Request, ctx: Ctx):
    """Albums the caller may see, newest first (optionally one resident's)."""
    username = query_username(request, "owner")
    owner_id = (await profiles.get_profile(ctx, username)).id if username else None
    items = await album_service.visible_albums(ctx, owner_id=owner_id)
    return answer({"items": [album_json(ctx, a) for a in items]})


@endpoint
async def create_album(request: Request, ctx: Ctx):
    """Make an album (mine, or a community's that I am an active member of)."""
    require_user(ctx)
    data = await read_json(request, ctx, NEW_FIELDS)
    community_id = data.get("community_id")
    if community_id is not None and not isinstance(community_id, str):
        raise Invalid(N_("This field must be text."), field="community_id")
    album = await album_service.create_album(
        ctx, title=data.get("title"), description=data.get("description", ""),
        visibility=data.get("visibility", "members"), community_id=community_id,
        client_token=short_text(data, "client_token"))
    return await _detail(ctx, album.id, 201)


@endpoint
async def get_album(request: Request, ctx: Ctx):
    """One album with its photos."""
    return await _detail(ctx, request.path_params["id"])


@endpoint
async def delete_album(request: Request, ctx: Ctx):
    """Delete an album and its photos (its owner, or a moderator)."""
    require_user(ctx)
    await album_service.delete_album(ctx, request.path_params["id"])
    return no_content()


@endpoint
async def add_photos(request: Request, ctx: Ctx):
    """Add photos: multipart/form-data with one or more `photos` files and an optional `caption`."""
    require_user(ctx)
    album = await album_service.get_album(ctx, request.path_params["id"])
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "multipart/form-data":
        raise UnsupportedMediaType(N_("Send the photos as multipart/form-data."))
    limit = ctx.settings.max_upload_bytes
    try:
        async with request.form(max_files=album_service.MAX_UPLOAD_AT_ONCE + 1, max_fields=10,
                                max_part_size=limit) as form:
            uploads = [await item.read() for item in form.getlist("photos") if isinstance(item, UploadFile)]
            caption = form.get("caption")
    except ClientDisconnect:
        raise Invalid(N_("Choose one or more photos."), field="photos") from None
    except Exception as exc:  # the multipart parser refuses too many or too large parts
        if type(exc).__name__ in ("HTTPException", "MultiPartException"):
            raise TooLarge(N_("The request body is too large (at most %(kb)d KB)."), kb=limit // 1024) from None
        raise
    photos = await album_service.add_photos(ctx, album.id, uploads, caption if isinstance(caption, str) else "")
    return answer({"items": [{**photo_json(ctx, p), "caption": p.caption} for p in photos]}, 201)


@endpoint
async def delete_photo(request: Request, ctx: Ctx):
    """Remove a photo from its album (whoever added it, the album's owner, or a moderator)."""
    require_user(ctx)
    await album_service.remove_photo(ctx, request.path_params["id"])
    return no_content()


GET, POST, DELETE = ["GET"], ["POST"], ["DELETE"]
ENDPOINTS: list[Route] = [
    Route("/api/v1/albums", list_albums, methods=GET),
    Route("/api/v1/albums", create_album, methods=POST),
    Route("/api/v1/albums/{id}", get_album, methods=GET),
    Route("/api/v1/albums/{id}", delete_album, methods=DELETE),
    Route("/api/v1/albums/{id}/photos", add_photos, methods=POST),
    Route("/api/v1/album-photos/{id}", delete_photo, methods=DELETE),
]
OWNER = {"name": "owner", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "Only this resident's albums (a username)."}
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/v1/albums"): op("albums", (200, "AlbumList"), query=(OWNER,), errors=(401, 404)),
    ("POST", "/api/v1/albums"): op("albums", (201, "AlbumDetail"), auth=True, body="AlbumNew",
                                   errors=(400, 401, 403, 413, 415, 429)),
    ("GET", "/api/v1/albums/{id}"): op("albums", (200, "AlbumDetail"), errors=(401, 404)),
    ("DELETE", "/api/v1/albums/{id}"): op("albums", (204, None), auth=True, errors=(401, 403, 404)),
    ("POST", "/api/v1/albums/{id}/photos"): op("albums", (201, "AlbumPhotoList"), auth=True, body="AlbumPhotoUpload",
                                               errors=(400, 401, 403, 404, 413, 415, 429)),
    ("DELETE", "/api/v1/album-photos/{id}"): op("albums", (204, None), auth=True, errors=(401, 403, 404)),
}
ALBUM_PHOTO = {"allOf": [ref("Photo"), obj({"caption": TEXT})]}
SCHEMAS: dict[str, Any] = {
    "Album": obj({
        "id": ID, "url": URL, "api_url": URL, "title": TEXT, "description": TEXT, "visibility": VISIBILITY,
        "community_id": {"type": ["string", "null"], "description": "Set for a community's album."},
        "state": TEXT_STATE, "photo_count": {"type": "integer"},
        "cover_url": {"type": ["string", "null"], "format": "uri"}, "owner": ref("Person"), "created_at": TIME,
    }),
    "AlbumDetail": {"allOf": [ref("Album"), obj({
        "photos": {"type": "array", "items": ALBUM_PHOTO},
        "permissions": obj({k: {"type": "boolean"} for k in ("edit", "delete", "add_photos")}),
    })]},
    "AlbumList": obj({"items": {"type": "array", "items": ref("Album")}}),
    "AlbumNew": obj({"title": {"type": "string", "minLength": 1, "maxLength": 200},
                     "description": {"type": "string", "maxLength": 5000}, "visibility": VISIBILITY,
                     "community_id": {"type": ["string", "null"]}, "client_token": CLIENT_TOKEN},
                    required=("title",), closed=True,
                    description="A community's album is seen by whoever may read the community (visibility ignored)."),
    "AlbumPhotoUpload": obj({"photos": {"type": "array", "items": {"type": "string", "format": "binary"},
                                        "maxItems": album_service.MAX_UPLOAD_AT_ONCE},
                             "caption": {"type": "string", "maxLength": 200}}, required=("photos",),
                            description="Sent as multipart/form-data (not JSON): one `photos` part per file "
                                        "(JPEG, PNG, WebP or GIF; location and camera details are removed)."),
    "AlbumPhotoList": obj({"items": {"type": "array", "items": ALBUM_PHOTO}}),
}
PATH_PARAMS: dict[str, Any] = {}
