"""Album pages: my albums and the town's, one album's grid of thumbnails, making and editing albums."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_
from sns.policies import (
    can_add_album_photo, can_delete_album, can_edit_album, can_remove_album_photo, can_report,
)
from sns.services import albums as album_service
from sns.services import profiles
from sns.services.communities import my_communities
from sns.web.http import errors_of, files, form_of, load_ctx, redirect, render, signed_in, text
from sns.web.moderation import report_and_return

FIELDS = ("title", "description", "visibility", "community")


def album_url(album_id: str) -> str:
    return f"/albums/{album_id}"


async def album_list(request: Request):
    ctx = await load_ctx(request)
    mine = await album_service.visible_albums(ctx, owner_id=ctx.user.id) if ctx.user else []
    recent = [a for a in await album_service.visible_albums(ctx, limit=40) if not ctx.user or a.owner_id != ctx.user.id]
    return await render(request, "album_list.html", mine=mine, recent=recent, person=None)


async def person_albums(request: Request):
    ctx = await load_ctx(request)
    person = await profiles.get_profile(ctx, request.path_params["username"])
    items = await album_service.visible_albums(ctx, owner_id=person.id)
    return await render(request, "album_list.html", mine=[], recent=[a for a in items if a.community_id is None],
                        person=person)


async def _render_album(request: Request, ctx, album, status: int = 200, **extra):
    v = ctx.viewer
    photos = await album_service.album_photos(album.id)
    return await render(
        request, "album.html", status=status, album=album, community=album.community_row, photos=photos,
        may_edit=can_edit_album(v, album), may_delete=can_delete_album(v, album),
        may_add=can_add_album_photo(v, album, album.community_row, album.membership),
        removable={p.id for p in photos if can_remove_album_photo(v, album, p)},
        may_report=can_report(v, album.owner_id), **extra)


async def album_page(request: Request):
    ctx = await load_ctx(request)
    album = await album_service.get_album(ctx, request.path_params["id"])
    return await _render_album(request, ctx, album)


@signed_in
async def album_new(request: Request, ctx):
    communities = await my_communities(ctx.viewer)
    if request.method == "GET":
        chosen = request.query_params.get("community", "")[:36]
        return await render(request, "album_form.html", album=None, communities=communities,
                            form={"visibility": "members", "community": chosen})
    form = form_of(request)
    typed = {name: text(form, name) for name in FIELDS}
    try:
        album = await album_service.create_album(
            ctx, title=typed["title"], description=typed["description"], visibility=typed["visibility"],
            community_id=typed["community"] or None, client_token=text(form, "client_token") or None)
    except ServiceError as exc:
        return await render(request, "album_form.html", status=exc.status, album=None, communities=communities,
                            errors=errors_of(exc), form=typed)
    return redirect(album_url(album.id), N_("Your album is made. Add photos to it."))


@signed_in
async def album_edit(request: Request, ctx):
    album = await album_service.get_album(ctx, request.path_params["id"])
    if not can_edit_album(ctx.viewer, album):
        return await render(request, "error.html", status=403, message=None)
    photos = await album_service.album_photos(album.id)
    if request.method == "GET":
        typed = {"title": album.title, "description": album.description, "visibility": album.visibility,
                 "cover": album.cover_id or ""}
        return await render(request, "album_form.html", album=album, photos=photos, form=typed)
    form = form_of(request)
    typed = {name: text(form, name) for name in (*FIELDS, "cover")}
    try:
        album = await album_service.edit_album(ctx, album.id, title=typed["title"], description=typed["description"],
                                               visibility=typed["visibility"], cover_id=typed["cover"] or None)
    except ServiceError as exc:
        return await render(request, "album_form.html", status=exc.status, album=album, photos=photos,
                            errors=errors_of(exc), form=typed)
    return redirect(album_url(album.id), N_("Your changes are saved."))


@signed_in
async def album_delete(request: Request, ctx):
    await album_service.delete_album(ctx, request.path_params["id"])
    return redirect("/albums", N_("The album is deleted."))


@signed_in
async def photos_add(request: Request, ctx):
    album_id = request.path_params["id"]
    form = form_of(request)
    uploads = await files(form, "photos")
    caption = text(form, "caption")
    try:
        added = await album_service.add_photos(ctx, album_id, uploads, caption)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        album = await album_service.get_album(ctx, album_id)
        return await _render_album(request, ctx, album, status=exc.status, errors=errors_of(exc),
                                   form={"caption": caption}, photos_chosen=len(uploads))
    return redirect(album_url(album_id), N_("The photos are added.") if len(added) != 1 else N_("The photo is added."))


@signed_in
async def photo_caption(request: Request, ctx):
    form = form_of(request)
    try:
        photo = await album_service.caption_photo(ctx, request.path_params["id"], text(form, "caption"),
                                                  make_cover=text(form, "cover") == "1")
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return redirect("/albums", exc.message)
    return redirect(album_url(photo.album_id) + f"#p-{photo.id}", N_("Your changes are saved."))


@signed_in
async def photo_remove(request: Request, ctx):
    album = await album_service.remove_photo(ctx, request.path_params["id"])
    return redirect(album_url(album.id), N_("The photo is removed."))


async def album_report(request: Request):
    return await report_and_return(request, "album", album_url(request.path_params["id"]))


GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]
ROUTES: list[Route] = [
    Route("/albums", album_list, methods=GET, name="albums"),
    Route("/albums/new", album_new, methods=BOTH),
    Route("/albums/photos/{id}", photo_caption, methods=POST),
    Route("/albums/photos/{id}/delete", photo_remove, methods=POST),
    Route("/albums/{id}", album_page, methods=GET),
    Route("/albums/{id}/edit", album_edit, methods=BOTH),
    Route("/albums/{id}/delete", album_delete, methods=POST),
    Route("/albums/{id}/photos", photos_add, methods=POST),
    Route("/albums/{id}/report", album_report, methods=POST),
    Route("/people/{username}/albums", person_albums, methods=GET),
]
