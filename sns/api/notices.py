"""Official notices over JSON: anyone reads them, municipal staff post them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sns.api.declare import WRITE, Input, Operations, Query, Reply
from sns.api.fields import Before, Id, Lat, Limit, Lon, Title, page_limit, text, whole
from sns.api.refusals import Reported
from sns.api.http import absolute
from sns.api.shapes import Notice, NoticePage, notice_json
from sns.context import Ctx
from sns.i18n import N_
from sns.models.notices import NOTICE_SCOPES
from sns.services import notice_areas, notices as notice_service
from sns.services import timelines

API = Operations("notices")


Scope = Annotated[Literal[NOTICE_SCOPES], Field(  # type: ignore[valid-type]
    description="Who it is for: the whole town, `district_ids`, or a circle of `radius_m` around `lat`/`lon`."),
    Reported(message=N_("Choose who the notice is for."))]
Category = Annotated[Literal[("", *notice_areas.CATEGORIES)], Field(  # type: ignore[valid-type]
    description="road_works, permit, water, other, or empty for none."),
    Reported(message=N_("Choose one of the categories."))]
NoticeDistricts = Annotated[list[Id], Field(max_length=notice_areas.MAX_DISTRICTS, description=(
    "With scope `districts`: their ids (GET /api/v1/districts lists them).")),
    Reported(message=N_("Choose districts from the list."))]
RadiusM = Annotated[whole(ge=notice_areas.MIN_RADIUS_M, le=notice_areas.MAX_RADIUS_M) | None, Field(
    description="With scope `radius`: the circle's radius in metres."), Reported("radius_m")]


class NoticeNew(Input):
    """`scope` "districts" needs `district_ids`; "radius" needs `lat`, `lon` and `radius_m`."""

    title: Title
    body: text(min_length=1, lines=True)  # type: ignore[valid-type]
    scope: Scope = "town"
    district_ids: NoticeDistricts = []
    lat: Lat = None
    lon: Lon = None
    radius_m: RadiusM = None
    category: Category = ""


class NoticeQuery(Query):
    limit: Limit = None
    before: Before = None


@API.get("/api/v1/notices", answer=NoticePage, query=NoticeQuery, errors=(400, 401))
async def list_notices(ctx: Ctx, query: NoticeQuery):
    """Official notices, newest first, a page at a time."""
    limit = page_limit(ctx, query.limit)
    page = await timelines.notices(limit, query.before)
    next_url = absolute(ctx, "/api/v1/notices", before=page.next_before, limit=limit) if page.next_before else None
    labels = await notice_areas.labels_for(page.items)
    return {"items": [notice_json(ctx, n, labels) for n in page.items], "next": next_url}


@API.post("/api/v1/notices", answer=Notice, status=201, body=NoticeNew, auth=True, errors=WRITE,
          refuses=("title", "body", "district_ids", "location"),
          links={"GetNotice": {"operationId": "get_notice", "parameters": {"id": "$response.body#/id"}}})
async def create_notice(ctx: Ctx, body: NoticeNew):
    """Publish an official notice (municipal staff) for the whole town, some districts or a circle around a
    point (docs/notices.md); residents it concerns who asked are told of it."""
    notice = await notice_service.post_notice(ctx, title=body.title, body=body.body, scope=body.scope,
                                              district_ids=body.district_ids, lat=body.lat, lon=body.lon,
                                              radius_m=body.radius_m, category=body.category)
    notice = await notice_service.get_notice(notice.id)
    answer = notice_json(ctx, notice, await notice_areas.labels_for([notice]))
    return Reply(answer, {"Location": absolute(ctx, f"/api/v1/notices/{notice.id}")})


@API.get("/api/v1/notices/{id}", answer=Notice, errors=(401, 404))
async def get_notice(ctx: Ctx, id: str):
    """One official notice."""
    notice = await notice_service.get_notice(id)
    return notice_json(ctx, notice, await notice_areas.labels_for([notice]))
