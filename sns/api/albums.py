"""Albums over JSON: the same services and rules as the pages."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect, Request

from sns.api.declare import WRITE, Body, Input, Operations, Output, Query, Reply, TooLarge, UnsupportedMediaType
from sns.api.fields import ClientToken, Id, MaybeUrl, TextState, Time, Title, Url, Visibility, text, valid_username
from sns.api.http import absolute
from sns.api.shapes import Person, Photo, person_brief, photo_json, when
from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_
from sns.policies import can_add_album_photo, can_delete_album, can_edit_album
from sns.services import albums as album_service
from sns.services import profiles

API = Operations("albums")
GET_ALBUM = {"GetAlbum": {"operationId": "get_album", "parameters": {"id": "$response.body#/id"}},
             "AddPhotos": {"operationId": "add_photos", "parameters": {"id": "$response.body#/id"}},
             "DeleteAlbum": {"operationId": "delete_album", "parameters": {"id": "$response.body#/id"}}}
DELETE_PHOTO = {"DeletePhoto": {"operationId": "delete_photo", "parameters": {"id": "$response.body#/items/0/id"}}}
UPLOAD = Body("multipart/form-data", {
    "type": "object", "required": ["photos"],
    "properties": {"photos": {"type": "array", "items": {"type": "string", "format": "binary"}, "minItems": 1,
                              "maxItems": album_service.MAX_UPLOAD_AT_ONCE},
                   "caption": {"type": "string", "maxLength": 200}},
    "description": "One `photos` part per file (JPEG, PNG, WebP or GIF; location and camera details are removed)."})


class AlbumNew(Input):
    """A community's album is seen by whoever may read the community (visibility ignored)."""

    title: Title
    description: text(5000, lines=True) = ""
    visibility: Visibility = "members"
    community_id: Id | None = Field(None, description="Make it this community's album (its active members).")
    client_token: ClientToken = None


class AlbumsQuery(Query):
    owner: str | None = Field(None, description="Only this resident's albums (a username).")


class Album(Output):
    id: Id
    url: Url
    api_url: Url
    title: str
    description: str
    visibility: Visibility
    community_id: Id | None = Field(description="Set for a community's album.")
    state: TextState
    photo_count: int
    cover_url: MaybeUrl
    owner: Person
    created_at: Time


class AlbumPhoto(Photo):
    caption: str


class AlbumPermissions(Output):
    edit: bool
    delete: bool
    add_photos: bool


class AlbumDetail(Album):
    photos: list[AlbumPhoto]
    permissions: AlbumPermissions


class AlbumList(Output):
    items: list[Album]


class AlbumPhotoList(Output):
    items: list[AlbumPhoto]


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


async def _detail(ctx: Ctx, album_id: str, status: int = 200) -> Reply:
    album = await album_service.get_album(ctx, album_id)
    headers = {"Location": absolute(ctx, f"/api/v1/albums/{album.id}")} if status == 201 else {}
    return Reply(album_json(ctx, album, await album_service.album_photos(album.id)), headers)


@API.get("/api/v1/albums", answer=AlbumList, query=AlbumsQuery, errors=(400, 401, 404))
async def list_albums(ctx: Ctx, query: AlbumsQuery):
    """Albums the caller may see, newest first (optionally one resident's)."""
    username = valid_username(query.owner)
    owner_id = (await profiles.get_profile(ctx, username)).id if username else None
    items = await album_service.visible_albums(ctx, owner_id=owner_id)
    return {"items": [album_json(ctx, a) for a in items]}


# 404: sent again (the same client_token) after what it made was deleted
@API.post("/api/v1/albums", answer=AlbumDetail, status=201, body=AlbumNew, auth=True, errors=(*WRITE, 404, 429),
          links=GET_ALBUM, refuses=("community",))
async def create_album(ctx: Ctx, body: AlbumNew):
    """Make an album (mine, or a community's that I am an active member of)."""
    album = await album_service.create_album(
        ctx, title=body.title, description=body.description, visibility=body.visibility,
        community_id=body.community_id, client_token=body.client_token)
    return await _detail(ctx, album.id, 201)


@API.get("/api/v1/albums/{id}", answer=AlbumDetail, errors=(401, 404))
async def get_album(ctx: Ctx, id: str):
    """One album with its photos."""
    return await _detail(ctx, id)


@API.delete("/api/v1/albums/{id}", auth=True, errors=(401, 403, 404))
async def delete_album(ctx: Ctx, id: str):
    """Delete an album and its photos (its owner, or a moderator)."""
    await album_service.delete_album(ctx, id)


@API.post("/api/v1/albums/{id}/photos", answer=AlbumPhotoList, status=201, body=UPLOAD, auth=True,
          errors=(*WRITE, 404, 429), links=DELETE_PHOTO,
          refuses=("photos",))
async def add_photos(ctx: Ctx, id: str, request: Request):
    """Add photos: multipart/form-data with one or more `photos` files and an optional `caption`."""
    album = await album_service.get_album(ctx, id)
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
    except Exception as exc:  # the multipart parser refuses too large parts, too many, or a broken body
        if type(exc).__name__ not in ("HTTPException", "MultiPartException"):
            raise
        raise _upload_refused(str(getattr(exc, "detail", None) or exc), limit) from None
    photos = await album_service.add_photos(ctx, album.id, uploads, caption if isinstance(caption, str) else "")
    return {"items": [{**photo_json(ctx, p), "caption": p.caption} for p in photos]}


def _upload_refused(detail: str, limit: int) -> Exception:
    """What the multipart parser's refusal means to the caller: too large (413), or a form that breaks the
    document (400)."""
    if "maximum size" in detail:
        return TooLarge(N_("The request body is too large (at most %(kb)d KB)."), kb=limit // 1024)
    if "Too many files" in detail:
        return Invalid(N_("At most %(n)d photos at once."), field="photos", n=album_service.MAX_UPLOAD_AT_ONCE)
    return Invalid(N_("Choose one or more photos."), field="photos")


@API.delete("/api/v1/album-photos/{id}", auth=True, errors=(401, 403, 404))
async def delete_photo(ctx: Ctx, id: str):
    """Remove a photo from its album (whoever added it, the album's owner, or a moderator)."""
    await album_service.remove_photo(ctx, id)
