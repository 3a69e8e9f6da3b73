"""Street reports over JSON (see sns/api/v1.py): the same services and rules as the /reports pages.
Photos are added on the page only. Reporters are not named to the public (only to themselves and to
the staff who work the report)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field
from pydantic import ValidationError as PydanticInvalid
from starlette.requests import Request

from sns.api.auth import require_user
from sns.api.declare import WRITE, Body, Input, Operations, Output, Query, Reply, read_body
from sns.api.fields import (
    Before, Blur, ClientToken, Id, Limit, MaybeTime, MaybeUrl, Next, TextState, Time, Title, Url, text, page_limit,
)
from sns.api.http import absolute
from sns.api.refusals import Reported, refusal
from sns.api.shapes import Person, Photo, person_brief, photo_json, when
from sns.context import Ctx
from sns.models import REPORT_STATUSES
from sns.policies import can_edit_report, can_follow_report, can_work_report, is_self
from sns.services import report_lists
from sns.services import reports as report_service

API = Operations("reports")
USE_REPORT = {name: {"operationId": op, "parameters": {"id": "$response.body#/id"}} for name, op in (
    ("GetStreetReport", "get_street_report"), ("SetStreetReportStatus", "set_street_report_status"),
    ("FollowStreetReport", "follow_street_report"), ("UnfollowStreetReport", "unfollow_street_report"))}
Status = Annotated[Literal[REPORT_STATUSES], Field(  # type: ignore[valid-type]
    description="received, in_progress, resolved or closed.")]
# A report needs its place: both numbers, and a refusal of either is reported as the page's `location`.
ReportLat = Annotated[float, Field(ge=-90, le=90, description="WGS84 degrees."), Reported("location")]
ReportLon = Annotated[float, Field(ge=-180, le=180, description="WGS84 degrees."), Reported("location")]
ReportBody = text(report_service.MAX_BODY, 1, "At most `max_body_chars` characters (and never more than %d)."
                  % report_service.MAX_BODY, lines=True)
Place = text(200, description="A name for the place (optional).")
PublicComment = text(report_service.MAX_COMMENT, description="Public: everyone reads it.", lines=True)


class ReportCategory(Output):
    id: Id
    name: str
    name_ja: str
    display_name: str = Field(description="The name in the caller's language.")


class ReportCategoryList(Output):
    items: list[ReportCategory]


class StreetReportBrief(Output):
    id: Id
    title: str
    category: ReportCategory
    status: Status
    status_label: str = Field(description="The status in the caller's language.")
    state: TextState
    place: str
    lat: float
    lon: float
    url: Url
    api_url: Url
    thumbnail_url: MaybeUrl
    created_at: Time
    last_activity_at: MaybeTime


class StreetReportPage(Output):
    items: list[StreetReportBrief]
    next: Next


class StreetReportUpdate(Output):
    id: Id
    status: Status
    status_label: str
    comment: str
    created_at: Time


class StreetReportPermissions(Output):
    edit: bool
    work: bool
    follow: bool


class StreetReport(StreetReportBrief):
    """reporter: shown only to the reporter and to the staff who work the report."""

    body: str
    reporter: Person | None
    photos: list[Photo]
    history: list[StreetReportUpdate]
    following: bool
    permissions: StreetReportPermissions


class StreetReportNew(Input):
    category_id: Id
    title: Title
    body: ReportBody
    place: Place = ""
    lat: ReportLat
    lon: ReportLon
    blur: Blur = False
    client_token: ClientToken = None


class StreetReportStatus(Input):
    status: Status
    comment: PublicComment = ""


class StreetReportFollow(Input):
    """No body is needed (an empty object is accepted)."""


class ReportQuery(Query):
    category: Id | None = Field(None, description="Only this category.")
    status: Status | None = Field(None, description="Only this status.")
    mine: Literal["1", "true"] | None = Field(None, description="1 (or true): only my own reports (held ones included).")
    limit: Limit = None
    before: Before = None


def category_json(category) -> dict[str, Any]:
    return {"id": category.id, "name": category.name, "name_ja": category.name_ja,
            "display_name": report_lists.category_name(category)}


def report_brief(ctx: Ctx, report, photos) -> dict[str, Any]:
    return {"id": report.id, "title": report.title, "category": category_json(report.category),
            "status": report.status, "status_label": report_service.status_label(report.status),
            "state": report.state, "place": report.place, "lat": report.lat, "lon": report.lon,
            "url": absolute(ctx, report_service.report_url(report.id)),
            "api_url": absolute(ctx, f"/api/v1/reports/{report.id}"),
            "thumbnail_url": absolute(ctx, f"/photos/{photos[0].id}.thumb.jpg") if photos else None,
            "created_at": when(report.created_at), "last_activity_at": when(report.last_activity_at)}


async def _detail(ctx: Ctx, report_id: str, status: int = 200) -> Reply:
    report = await report_service.get_report(ctx, report_id)
    photos = (await report_service.photos_of([report.id]))[report.id]
    updates = await report_service.history(report.id)
    v = ctx.viewer
    named = is_self(v, report.author_id) or can_work_report(v, report)
    headers = {"Location": absolute(ctx, f"/api/v1/reports/{report.id}")} if status == 201 else {}
    return Reply({
        **report_brief(ctx, report, photos), "body": report.body,
        "reporter": person_brief(ctx, report.author) if named else None,
        "photos": [photo_json(ctx, p) for p in photos],
        "history": [{"id": u.id, "status": u.status, "status_label": report_service.status_label(u.status),
                     "comment": u.comment, "created_at": when(u.created_at)} for u in updates],
        "following": await report_service.is_following(ctx, report.id),
        "permissions": {"edit": can_edit_report(v, report), "work": can_work_report(v, report),
                        "follow": can_follow_report(v, report)},
    }, headers)


async def _no_body(request: Request, ctx: Ctx) -> None:
    """A request that needs no body may come without one; one that is sent must be the empty object."""
    if request.headers.get("content-length", "0") == "0" and "transfer-encoding" not in request.headers:
        return
    try:
        StreetReportFollow.model_validate_json(await read_body(request, ctx), strict=True)
    except PydanticInvalid as exc:
        raise refusal(StreetReportFollow, exc) from None


@API.get("/api/v1/reports", answer=StreetReportPage, query=ReportQuery, errors=(400, 401))
async def list_street_reports(ctx: Ctx, query: ReportQuery):
    """Street reports the caller may see, newest first, a page at a time (filters: category, status, mine)."""
    limit, mine = page_limit(ctx, query.limit), query.mine is not None
    if mine:
        require_user(ctx)
    f = report_lists.ReportFilter(category=query.category or "", status=query.status or "", mine=mine)
    page = await report_lists.list_reports(ctx, f, before=query.before, limit=limit)
    photos = await report_service.photos_of([r.id for r in page.items])
    next_url = absolute(ctx, "/api/v1/reports", category=f.category or None, status=f.status or None,
                        mine="1" if mine else None, before=page.next_before, limit=limit) if page.next_before else None
    return {"items": [report_brief(ctx, r, photos[r.id]) for r in page.items], "next": next_url}


@API.post("/api/v1/reports", answer=StreetReport, status=201, body=StreetReportNew, auth=True,
          errors=(*WRITE, 429), links=USE_REPORT, refuses=("category",))
async def create_street_report(ctx: Ctx, body: StreetReportNew):
    """Report something in the street: a category, a title, a description and a place (photos on the page)."""
    report = await report_service.write_report(
        ctx, category=body.category_id, title=body.title, body=body.body, place=body.place, lat=body.lat,
        lon=body.lon, blur=body.blur, client_token=body.client_token)
    return await _detail(ctx, report.id, 201)


@API.get("/api/v1/reports/{id}", answer=StreetReport, errors=(401, 404))
async def get_street_report(ctx: Ctx, id: str):
    """One street report with its photos and its public history, oldest first."""
    return await _detail(ctx, id)


@API.post("/api/v1/reports/{id}/status", answer=StreetReport, body=StreetReportStatus, auth=True,
          errors=(*WRITE, 404))
async def set_street_report_status(ctx: Ctx, id: str, body: StreetReportStatus):
    """Staff of the report's department: set its status with a public comment (followers are told)."""
    await report_service.set_status(ctx, id, body.status, body.comment)
    return await _detail(ctx, id)


@API.post("/api/v1/reports/{id}/follow", answer=StreetReport, auth=True, errors=(*WRITE, 404),
          body=Body("application/json", StreetReportFollow.model_json_schema(), required=False))
async def follow_street_report(ctx: Ctx, id: str, request: Request):
    """Be told of each change to this report."""
    await _no_body(request, ctx)
    await report_service.follow(ctx, id)
    return await _detail(ctx, id)


@API.delete("/api/v1/reports/{id}/follow", auth=True, errors=(401, 403, 404))
async def unfollow_street_report(ctx: Ctx, id: str):
    """Stop being told of changes to this report."""
    await report_service.unfollow(ctx, id)


@API.get("/api/v1/report-categories", answer=ReportCategoryList, errors=(401,))
async def list_report_categories(ctx: Ctx):
    """The categories residents choose from, in the city's order."""
    return {"items": [category_json(c) for c in await report_lists.categories()]}
