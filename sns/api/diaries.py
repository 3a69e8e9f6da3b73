"""Diaries and comments over JSON: the same services and scopes as the pages."""

from __future__ import annotations

from starlette.requests import Request

from sns.api.auth import require_user
from sns.api.http import absolute, answer, endpoint, no_content
from sns.api.inputs import (
    coordinate, flag, id_list, query_before, query_limit, query_username, read_json, short_text,
)
from sns.api.shapes import comment_json, diary_json
from sns.context import Ctx
from sns.services import diaries as diary_service
from sns.services import diary_reads, profiles, timelines

NEW_FIELDS = ("title", "body", "visibility", "lat", "lon", "blur", "client_token")
EDIT_FIELDS = ("title", "body", "visibility", "lat", "lon", "blur", "remove_photos")
COMMENT_FIELDS = ("body", "client_token")


async def _detail(ctx: Ctx, diary, status: int = 200):
    diary = await diary_service.get_diary(ctx, diary.id)  # fresh, with its author
    photos = (await timelines.photos_of([diary.id]))[diary.id]
    headers = {"Location": absolute(ctx, f"/api/v1/diaries/{diary.id}")} if status == 201 else None
    return answer(diary_json(ctx, diary, photos, detail=True), status, headers)


@endpoint
async def list_diaries(request: Request, ctx: Ctx):
    """Diaries the caller may see, newest first, a page at a time."""
    limit, before = query_limit(request, ctx), query_before(request)
    username = query_username(request, "author")
    author_id = (await profiles.get_profile(ctx, username)).id if username else None
    page = await timelines.diaries(ctx, author_id=author_id, before=before, limit=limit)
    photos = await timelines.photos_of([d.id for d in page.items])
    next_url = None
    if page.next_before:
        next_url = absolute(ctx, "/api/v1/diaries", before=page.next_before, limit=limit, author=username)
    return answer({"items": [diary_json(ctx, d, photos[d.id]) for d in page.items], "next": next_url})


@endpoint
async def create_diary(request: Request, ctx: Ctx):
    """Write a diary entry."""
    require_user(ctx)
    data = await read_json(request, ctx, NEW_FIELDS)
    diary = await diary_service.write_diary(
        ctx, title=data.get("title"), body=data.get("body"), visibility=data.get("visibility"),
        lat=coordinate(data, "lat"), lon=coordinate(data, "lon"), blur=flag(data, "blur"),
        client_token=short_text(data, "client_token"),
    )
    return await _detail(ctx, diary, 201)


@endpoint
async def get_diary(request: Request, ctx: Ctx):
    """One diary entry."""
    return await _detail(ctx, await diary_service.get_diary(ctx, request.path_params["id"]))


@endpoint
async def edit_diary(request: Request, ctx: Ctx):
    """Change my diary entry: fields left out keep their value."""
    require_user(ctx)
    diary = await diary_service.get_diary(ctx, request.path_params["id"])
    data = await read_json(request, ctx, EDIT_FIELDS)
    moved = "lat" in data or "lon" in data
    diary = await diary_service.edit_diary(
        ctx, diary.id,
        title=data.get("title", diary.title), body=data.get("body", diary.body),
        visibility=data.get("visibility", diary.visibility),
        lat=coordinate(data, "lat") if moved else diary.lat, lon=coordinate(data, "lon") if moved else diary.lon,
        blur=moved and flag(data, "blur"), remove_photos=id_list(data, "remove_photos"),
    )
    return await _detail(ctx, diary)


@endpoint
async def delete_diary(request: Request, ctx: Ctx):
    """Delete a diary entry (its author, or a moderator)."""
    require_user(ctx)
    await diary_service.delete_diary(ctx, request.path_params["id"])
    return no_content()


@endpoint
async def list_comments(request: Request, ctx: Ctx):
    """Comments on a diary entry the caller may see, oldest first."""
    diary = await diary_service.get_diary(ctx, request.path_params["id"])
    comments = await diary_reads.diary_comments(ctx.viewer, diary.id)
    return answer({"items": [comment_json(ctx, c, diary) for c in comments]})


@endpoint
async def create_comment(request: Request, ctx: Ctx):
    """Comment on a diary entry."""
    require_user(ctx)
    data = await read_json(request, ctx, COMMENT_FIELDS)
    diary = await diary_service.get_diary(ctx, request.path_params["id"])
    comment = await diary_service.add_comment(ctx, diary.id, data.get("body"),
                                              client_token=short_text(data, "client_token"))
    await comment.fetch_related("author")
    return answer(comment_json(ctx, comment, diary), 201)


@endpoint
async def delete_comment(request: Request, ctx: Ctx):
    """Delete a comment (its author, the diary's author, or a moderator)."""
    require_user(ctx)
    await diary_service.delete_comment(ctx, request.path_params["id"])
    return no_content()
