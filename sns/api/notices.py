"""Official notices over JSON: anyone reads them, municipal staff post them."""

from __future__ import annotations

from sns.api.declare import WRITE, Input, Operations, Query, Reply
from sns.api.fields import Before, Limit, Title, text, page_limit
from sns.api.http import absolute
from sns.api.shapes import Notice, NoticePage, notice_json
from sns.context import Ctx
from sns.services import notices as notice_service
from sns.services import timelines

API = Operations("notices")


class NoticeNew(Input):
    title: Title
    body: text(min_length=1, lines=True)  # type: ignore[valid-type]


class NoticeQuery(Query):
    limit: Limit = None
    before: Before = None


@API.get("/api/v1/notices", answer=NoticePage, query=NoticeQuery, errors=(400, 401))
async def list_notices(ctx: Ctx, query: NoticeQuery):
    """Official notices, newest first, a page at a time."""
    limit = page_limit(ctx, query.limit)
    page = await timelines.notices(limit, query.before)
    next_url = absolute(ctx, "/api/v1/notices", before=page.next_before, limit=limit) if page.next_before else None
    return {"items": [notice_json(ctx, n) for n in page.items], "next": next_url}


@API.post("/api/v1/notices", answer=Notice, status=201, body=NoticeNew, auth=True, errors=WRITE,
          links={"GetNotice": {"operationId": "get_notice", "parameters": {"id": "$response.body#/id"}}})
async def create_notice(ctx: Ctx, body: NoticeNew):
    """Publish an official notice (municipal staff)."""
    notice = await notice_service.post_notice(ctx, title=body.title, body=body.body)
    notice = await notice_service.get_notice(notice.id)
    return Reply(notice_json(ctx, notice), {"Location": absolute(ctx, f"/api/v1/notices/{notice.id}")})


@API.get("/api/v1/notices/{id}", answer=Notice, errors=(401, 404))
async def get_notice(ctx: Ctx, id: str):
    """One official notice."""
    return notice_json(ctx, await notice_service.get_notice(id))
