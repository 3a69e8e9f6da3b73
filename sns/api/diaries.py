"""Diaries and comments over JSON: the same services and scopes as the pages."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

from sns.api.declare import WRITE, Input, Operations, Query, Reply
from sns.api.fields import (
    PLACE_RULE, Before, Blur, ClientToken, IdList, Lat, Limit, Lon, Title, Visibility, text, valid_username, page_limit,
)
from sns.api.http import absolute
from sns.api.refusals import Reported
from sns.api.shapes import CommentList, Comment, DiaryDetail, DiaryPage, comment_json, diary_json
from sns.context import Ctx
from sns.services import diaries as diary_service
from sns.services import diary_reads, profiles, timelines

API = Operations("diaries")
GET_DIARY = {"GetDiary": {"operationId": "get_diary", "parameters": {"id": "$response.body#/id"}},
             "ListComments": {"operationId": "list_comments", "parameters": {"id": "$response.body#/id"}}}
Body = text(min_length=1, description="Markdown; at most `max_body_chars` characters.", lines=True)


class DiaryNew(Input):
    """Give both lat and lon (WGS84 degrees), or neither."""

    model_config = ConfigDict(json_schema_extra=PLACE_RULE)

    title: Title
    body: Body
    visibility: Visibility
    lat: Lat = None
    lon: Lon = None
    blur: Blur = False
    client_token: ClientToken = None


class DiaryEdit(Input):
    """Fields left out keep their value; lat and lon null removes the place."""

    model_config = ConfigDict(json_schema_extra=PLACE_RULE)

    title: Title = None  # type: ignore[assignment]  (may be left out, never null)
    body: Body = None  # type: ignore[assignment]
    visibility: Visibility = None  # type: ignore[assignment]
    lat: Lat = None
    lon: Lon = None
    blur: Blur = False
    remove_photos: IdList = []


class CommentNew(Input):
    body: Annotated[text(5000, 1, lines=True), Reported("comment")]
    client_token: ClientToken = None


class DiaryQuery(Query):
    limit: Limit = None
    before: Before = None
    author: str | None = Field(None, description="Only this resident's diaries (a username).")


async def _detail(ctx: Ctx, diary, status: int = 200):
    diary = await diary_service.get_diary(ctx, diary.id)  # fresh, with its author
    photos = (await timelines.photos_of([diary.id]))[diary.id]
    headers = {"Location": absolute(ctx, f"/api/v1/diaries/{diary.id}")} if status == 201 else {}
    return Reply(diary_json(ctx, diary, photos, detail=True), headers)


@API.get("/api/v1/diaries", answer=DiaryPage, query=DiaryQuery, errors=(400, 401, 404), name="api_diaries")
async def list_diaries(ctx: Ctx, query: DiaryQuery):
    """Diaries the caller may see, newest first, a page at a time."""
    limit = page_limit(ctx, query.limit)
    username = valid_username(query.author or None)
    author_id = (await profiles.get_profile(ctx, username)).id if username else None
    page = await timelines.diaries(ctx, author_id=author_id, before=query.before, limit=limit)
    photos = await timelines.photos_of([d.id for d in page.items])
    next_url = None
    if page.next_before:
        next_url = absolute(ctx, "/api/v1/diaries", before=page.next_before, limit=limit, author=username)
    return {"items": [diary_json(ctx, d, photos[d.id]) for d in page.items], "next": next_url}


@API.post("/api/v1/diaries", answer=DiaryDetail, status=201, body=DiaryNew, auth=True, errors=(*WRITE, 429),
          links=GET_DIARY, refuses=("location", "body", "title"))
async def create_diary(ctx: Ctx, body: DiaryNew):
    """Write a diary entry."""
    diary = await diary_service.write_diary(
        ctx, title=body.title, body=body.body, visibility=body.visibility, lat=body.lat, lon=body.lon,
        blur=body.blur, client_token=body.client_token,
    )
    return await _detail(ctx, diary, 201)


@API.get("/api/v1/diaries/{id}", answer=DiaryDetail, errors=(401, 404), name="api_diary")
async def get_diary(ctx: Ctx, id: str):
    """One diary entry."""
    return await _detail(ctx, await diary_service.get_diary(ctx, id))


@API.patch("/api/v1/diaries/{id}", answer=DiaryDetail, body=DiaryEdit, auth=True, errors=(*WRITE, 404),
           refuses=("location", "body", "title"))
async def edit_diary(ctx: Ctx, id: str, body: DiaryEdit):
    """Change my diary entry: fields left out keep their value."""
    diary = await diary_service.get_diary(ctx, id)
    given = body.model_fields_set
    moved = "lat" in given or "lon" in given
    diary = await diary_service.edit_diary(
        ctx, diary.id,
        title=body.title if "title" in given else diary.title, body=body.body if "body" in given else diary.body,
        visibility=body.visibility if "visibility" in given else diary.visibility,
        lat=body.lat if moved else diary.lat, lon=body.lon if moved else diary.lon,
        blur=moved and body.blur, remove_photos=body.remove_photos,
    )
    return await _detail(ctx, diary)


@API.delete("/api/v1/diaries/{id}", auth=True, errors=(401, 403, 404))
async def delete_diary(ctx: Ctx, id: str):
    """Delete a diary entry (its author, or a moderator)."""
    await diary_service.delete_diary(ctx, id)


@API.get("/api/v1/diaries/{id}/comments", answer=CommentList, tag="comments", errors=(401, 404))
async def list_comments(ctx: Ctx, id: str):
    """Comments on a diary entry the caller may see, oldest first."""
    diary = await diary_service.get_diary(ctx, id)
    comments = await diary_reads.diary_comments(ctx.viewer, diary.id)
    return {"items": [comment_json(ctx, c, diary) for c in comments]}


@API.post("/api/v1/diaries/{id}/comments", answer=Comment, status=201, body=CommentNew, auth=True,
          tag="comments", errors=(*WRITE, 404, 429))
async def create_comment(ctx: Ctx, id: str, body: CommentNew):
    """Comment on a diary entry."""
    diary = await diary_service.get_diary(ctx, id)
    comment = await diary_service.add_comment(ctx, diary.id, body.body, client_token=body.client_token)
    await comment.fetch_related("author")
    return comment_json(ctx, comment, diary)


@API.delete("/api/v1/comments/{id}", auth=True, tag="comments", errors=(401, 403, 404))
async def delete_comment(ctx: Ctx, id: str):
    """Delete a comment (its author, the diary's author, or a moderator)."""
    await diary_service.delete_comment(ctx, id)
