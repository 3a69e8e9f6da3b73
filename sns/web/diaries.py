"""Diary pages: the town's list, one entry with its comments, writing and editing."""

from __future__ import annotations

from starlette.requests import Request

from sns.errors import ServiceError
from sns.i18n import N_
from sns.models import Photo
from sns.policies import can_comment, can_delete_comment, can_delete_diary, can_edit_diary
from sns.services import diaries as diary_service
from sns.services import diary_reads, timelines
from sns.web.http import errors_of, files, form_of, load_ctx, redirect, render, signed_in, text
from sns.web.reader_pages import keep_for_reader

FIELDS = ("title", "body", "visibility", "lat", "lon")
HELD_MESSAGE = N_("A word filter — not other residents — held your post for a quick check by the site team. "
                  "Everything you wrote is saved, and only you can see it until then.")
GREY_MESSAGE = N_("For a while, your new posts wait for a quick check by the site team before others see them. "
                  "Everything you wrote is saved, and only you can see it until then.")


def held_message(post) -> str:
    return GREY_MESSAGE if getattr(post, "held_reason", None) == "grey" else HELD_MESSAGE


def diary_url(diary_id: str) -> str:
    return f"/diaries/{diary_id}"


async def diary_list(request: Request):
    ctx = await load_ctx(request)
    page = await timelines.diaries(ctx, before=request.query_params.get("before"))
    photos = await timelines.photos_of([d.id for d in page.items])
    return await render(request, "diary_list.html", page=page, photos=photos)


async def _render_diary(request: Request, ctx, diary, status: int = 200, **extra):
    v = ctx.viewer
    comments = await diary_reads.diary_comments(v, diary.id)
    photos = await diary_reads.diary_photos(diary.id)
    return await render(
        request, "diary.html", status=status, diary=diary, comments=comments, photos=photos,
        may_edit=can_edit_diary(v, diary), may_delete=can_delete_diary(v, diary),
        may_comment=can_comment(v, diary),
        deletable={c.id for c in comments if can_delete_comment(v, c, diary)}, **extra,
    )


async def diary_page(request: Request):
    keep_for_reader(request, f"d:{request.path_params['id']}")  # kept until the entry, its comments or I change
    ctx = await load_ctx(request)
    diary = await diary_reads.diary_entry(ctx.viewer, request.path_params["id"])
    return await _render_diary(request, ctx, diary)


def _typed(form) -> dict:
    return {name: text(form, name) for name in (*FIELDS, "blur")}


@signed_in
async def diary_new(request: Request, ctx):
    if request.method == "GET":
        return await render(request, "diary_form.html", form={"visibility": "members"})
    form = form_of(request)
    typed = _typed(form)
    photos = await files(form, "photos")
    try:
        diary = await diary_service.write_diary(
            ctx, **typed, photos=photos, client_token=text(form, "client_token") or None
        )
    except ServiceError as exc:
        return await render(request, "diary_form.html", status=exc.status, errors=errors_of(exc), form=typed,
                            photos_chosen=len(photos))
    message = N_("Your diary entry is saved.") if diary.state == "published" else held_message(diary)
    return redirect(diary_url(diary.id), message)


@signed_in
async def diary_edit(request: Request, ctx):
    diary = await diary_service.get_diary(ctx, request.path_params["id"])
    if not can_edit_diary(ctx.viewer, diary):
        return await render(request, "error.html", status=403, message=None)
    photos = await Photo.filter(diary_id=diary.id, deleted_at=None).order_by("position")
    if request.method == "GET":
        typed = {n: ("" if getattr(diary, n) is None else str(getattr(diary, n))) for n in FIELDS}
        return await render(request, "diary_form.html", diary=diary, photos=photos, form=typed)
    form = form_of(request)
    typed = _typed(form)
    try:
        diary = await diary_service.edit_diary(
            ctx, diary.id, **typed, photos=await files(form, "photos"),
            remove_photos=[p for p in form.getlist("remove_photo") if isinstance(p, str)],
        )
    except ServiceError as exc:
        return await render(request, "diary_form.html", status=exc.status, diary=diary, photos=photos,
                            errors=errors_of(exc), form=typed)
    return redirect(diary_url(diary.id), N_("Your changes are saved.") if diary.state == "published"
                    else held_message(diary))


@signed_in
async def diary_delete(request: Request, ctx):
    await diary_service.delete_diary(ctx, request.path_params["id"])
    return redirect("/home", N_("The diary entry is deleted."))


@signed_in
async def comment_add(request: Request, ctx):
    diary_id = request.path_params["id"]
    form = form_of(request)
    body = text(form, "comment")
    try:
        comment = await diary_service.add_comment(ctx, diary_id, body,
                                                  client_token=text(form, "client_token") or None)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        diary = await diary_service.get_diary(ctx, diary_id)
        return await _render_diary(request, ctx, diary, status=exc.status, errors=errors_of(exc),
                                   form={"comment": body})
    return redirect(diary_url(diary_id) + "#comments", N_("Your comment is posted.") if comment.state == "published"
                    else held_message(comment))


@signed_in
async def comment_delete(request: Request, ctx):
    diary = await diary_service.delete_comment(ctx, request.path_params["id"])
    return redirect(diary_url(diary.id) + "#comments", N_("The comment is deleted."))
