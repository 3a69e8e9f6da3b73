"""Official notices over JSON: anyone reads them, municipal staff post them."""

from __future__ import annotations

from starlette.requests import Request

from sns.api.auth import require_user
from sns.api.http import absolute, answer, endpoint
from sns.api.inputs import query_before, query_limit, read_json
from sns.api.shapes import notice_json
from sns.context import Ctx
from sns.services import notices as notice_service
from sns.services import timelines


@endpoint
async def list_notices(request: Request, ctx: Ctx):
    """Official notices, newest first, a page at a time."""
    limit, before = query_limit(request, ctx), query_before(request)
    page = await timelines.notices(limit, before)
    next_url = absolute(ctx, "/api/v1/notices", before=page.next_before, limit=limit) if page.next_before else None
    return answer({"items": [notice_json(ctx, n) for n in page.items], "next": next_url})


@endpoint
async def get_notice(request: Request, ctx: Ctx):
    """One official notice."""
    return answer(notice_json(ctx, await notice_service.get_notice(request.path_params["id"])))


@endpoint
async def create_notice(request: Request, ctx: Ctx):
    """Publish an official notice (municipal staff)."""
    require_user(ctx)
    data = await read_json(request, ctx, ("title", "body"))
    notice = await notice_service.post_notice(ctx, title=data.get("title"), body=data.get("body"))
    notice = await notice_service.get_notice(notice.id)
    location = absolute(ctx, f"/api/v1/notices/{notice.id}")
    return answer(notice_json(ctx, notice), 201, {"Location": location})
