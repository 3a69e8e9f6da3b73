"""Street reports over JSON (see sns/api/v1.py): the same services and rules as the /reports pages.
Photos are added on the page only. Reporters are not named to the public (only to themselves and to
the staff who work the report)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from sns.api.auth import require_user
from sns.api.http import absolute, answer, endpoint, no_content
from sns.api.inputs import coordinate, flag, query_before, query_limit, read_json, short_text
from sns.api.openapi import BEFORE, LIMIT, WRITE, op
from sns.api.schemas import CLIENT_TOKEN, ID, NEXT, TEXT, TEXT_STATE, TIME, URL, obj, ref
from sns.api.shapes import person_brief, photo_json, when
from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_
from sns.models import REPORT_STATUSES
from sns.policies import can_edit_report, can_follow_report, can_work_report, is_self
from sns.services import report_lists
from sns.services import reports as report_service

NEW_FIELDS = ("category_id", "title", "body", "place", "lat", "lon", "blur", "client_token")


def _text(data: dict, name: str):
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise Invalid(N_("This field must be text."), field=name)
    return value


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


async def _detail(ctx: Ctx, report_id: str, status: int = 200):
    report = await report_service.get_report(ctx, report_id)
    photos = (await report_service.photos_of([report.id]))[report.id]
    updates = await report_service.history(report.id)
    v = ctx.viewer
    named = is_self(v, report.author_id) or can_work_report(v, report)
    headers = {"Location": absolute(ctx, f"/api/v1/reports/{report.id}")} if status == 201 else None
    return answer({
        **report_brief(ctx, report, photos), "body": report.body,
        "reporter": person_brief(ctx, report.author) if named else None,
        "photos": [photo_json(ctx, p) for p in photos],
        "history": [{"id": u.id, "status": u.status, "status_label": report_service.status_label(u.status),
                     "comment": u.comment, "created_at": when(u.created_at)} for u in updates],
        "following": await report_service.is_following(ctx, report.id),
        "permissions": {"edit": can_edit_report(v, report), "work": can_work_report(v, report),
                        "follow": can_follow_report(v, report)},
    }, status, headers)


@endpoint
async def list_street_reports(request: Request, ctx: Ctx):
    """Street reports the caller may see, newest first, a page at a time (filters: category, status, mine)."""
    q = request.query_params
    limit, before = query_limit(request, ctx), query_before(request)
    mine = q.get("mine", "") in ("1", "true")
    if mine:
        require_user(ctx)
    f = report_lists.ReportFilter(category=q.get("category", "")[:40], status=q.get("status", "")[:20], mine=mine)
    page = await report_lists.list_reports(ctx, f, before=before, limit=limit)
    photos = await report_service.photos_of([r.id for r in page.items])
    next_url = absolute(ctx, "/api/v1/reports", category=f.category or None, status=f.status or None,
                        mine="1" if mine else None, before=page.next_before, limit=limit) if page.next_before else None
    return answer({"items": [report_brief(ctx, r, photos[r.id]) for r in page.items], "next": next_url})


@endpoint
async def create_street_report(request: Request, ctx: Ctx):
    """Report something in the street: a category, a title, a description and a place (photos on the page)."""
    require_user(ctx)
    data = await read_json(request, ctx, NEW_FIELDS)
    report = await report_service.write_report(
        ctx, category=_text(data, "category_id"), title=data.get("title"), body=data.get("body"),
        place=data.get("place") or "", lat=coordinate(data, "lat"), lon=coordinate(data, "lon"),
        blur=flag(data, "blur"), client_token=short_text(data, "client_token"))
    return await _detail(ctx, report.id, 201)


@endpoint
async def get_street_report(request: Request, ctx: Ctx):
    """One street report with its photos and its public history, oldest first."""
    return await _detail(ctx, request.path_params["id"])


@endpoint
async def set_street_report_status(request: Request, ctx: Ctx):
    """Staff of the report's department: set its status with a public comment (followers are told)."""
    require_user(ctx)
    data = await read_json(request, ctx, ("status", "comment"))
    await report_service.set_status(ctx, request.path_params["id"], _text(data, "status"),
                                    _text(data, "comment") or "")
    return await _detail(ctx, request.path_params["id"])


@endpoint
async def follow_street_report(request: Request, ctx: Ctx):
    """Be told of each change to this report."""
    require_user(ctx)
    await report_service.follow(ctx, request.path_params["id"])
    return await _detail(ctx, request.path_params["id"])


@endpoint
async def unfollow_street_report(request: Request, ctx: Ctx):
    """Stop being told of changes to this report."""
    require_user(ctx)
    await report_service.unfollow(ctx, request.path_params["id"])
    return no_content()


@endpoint
async def list_report_categories(request: Request, ctx: Ctx):
    """The categories residents choose from, in the city's order."""
    return answer({"items": [category_json(c) for c in await report_lists.categories()]})


ENDPOINTS: list[Route] = [
    Route("/api/v1/reports", list_street_reports, methods=["GET"]),
    Route("/api/v1/reports", create_street_report, methods=["POST"]),
    Route("/api/v1/reports/{id}", get_street_report, methods=["GET"]),
    Route("/api/v1/reports/{id}/status", set_street_report_status, methods=["POST"]),
    Route("/api/v1/reports/{id}/follow", follow_street_report, methods=["POST"]),
    Route("/api/v1/reports/{id}/follow", unfollow_street_report, methods=["DELETE"]),
    Route("/api/v1/report-categories", list_report_categories, methods=["GET"]),
]

STATUS = {"type": "string", "enum": list(REPORT_STATUSES), "description": "received, in_progress, resolved or closed."}
LIST_QUERY = (
    {"name": "category", "in": "query", "required": False, "schema": ID, "description": "Only this category."},
    {"name": "status", "in": "query", "required": False, "schema": STATUS, "description": "Only this status."},
    {"name": "mine", "in": "query", "required": False, "schema": {"type": "string", "enum": ["1"]},
     "description": "1: only my own reports (held ones included)."},
    LIMIT, BEFORE,
)
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/v1/reports"): op("reports", (200, "StreetReportPage"), query=LIST_QUERY, errors=(400, 401)),
    ("POST", "/api/v1/reports"): op("reports", (201, "StreetReport"), auth=True, body="StreetReportNew",
                                    errors=(*WRITE, 429)),
    ("GET", "/api/v1/reports/{id}"): op("reports", (200, "StreetReport"), errors=(401, 404)),
    ("POST", "/api/v1/reports/{id}/status"): op("reports", (200, "StreetReport"), auth=True,
                                                body="StreetReportStatus", errors=(*WRITE, 404)),
    ("POST", "/api/v1/reports/{id}/follow"): op("reports", (200, "StreetReport"), auth=True, body="StreetReportFollow",
                                                errors=(401, 403, 404)),
    ("DELETE", "/api/v1/reports/{id}/follow"): op("reports", (204, None), auth=True, errors=(401, 403, 404)),
    ("GET", "/api/v1/report-categories"): op("reports", (200, "ReportCategoryList"), errors=(401,)),
}
BRIEF = {"id": ID, "title": TEXT, "category": ref("ReportCategory"), "status": STATUS,
         "status_label": {"type": "string", "description": "The status in the caller's language."},
         "state": TEXT_STATE, "place": TEXT, "lat": {"type": "number"}, "lon": {"type": "number"}, "url": URL,
         "api_url": URL, "thumbnail_url": {"type": ["string", "null"], "format": "uri"}, "created_at": TIME,
         "last_activity_at": {"type": ["string", "null"], "format": "date-time"}}
SCHEMAS: dict[str, Any] = {
    "ReportCategory": obj({"id": ID, "name": TEXT, "name_ja": TEXT,
                           "display_name": {"type": "string", "description": "The name in the caller's language."}}),
    "ReportCategoryList": obj({"items": {"type": "array", "items": ref("ReportCategory")}}),
    "StreetReportBrief": obj(BRIEF),
    "StreetReportPage": obj({"items": {"type": "array", "items": ref("StreetReportBrief")}, "next": NEXT}),
    "StreetReportUpdate": obj({"id": ID, "status": STATUS, "status_label": TEXT, "comment": TEXT, "created_at": TIME}),
    "StreetReport": obj({
        **BRIEF, "body": TEXT, "reporter": {"oneOf": [ref("Person"), {"type": "null"}]},
        "photos": {"type": "array", "items": ref("Photo")},
        "history": {"type": "array", "items": ref("StreetReportUpdate")}, "following": {"type": "boolean"},
        "permissions": obj({"edit": {"type": "boolean"}, "work": {"type": "boolean"}, "follow": {"type": "boolean"}}),
    }, description="reporter: shown only to the reporter and to the staff who work the report."),
    "StreetReportNew": obj({
        "category_id": ID, "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "body": {"type": "string", "minLength": 1, "maxLength": 5000},
        "place": {"type": "string", "maxLength": 200, "description": "A name for the place (optional)."},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "lon": {"type": "number", "minimum": -180, "maximum": 180},
        "blur": {"type": "boolean", "description": "Move the place to the centre of its neighbourhood (~500 m)."},
        "client_token": CLIENT_TOKEN,
    }, required=("category_id", "title", "body", "lat", "lon"), closed=True),
    "StreetReportStatus": obj({"status": STATUS, "comment": {"type": "string", "maxLength": 2000,
                                                             "description": "Public: everyone reads it."}},
                              required=("status",), closed=True),
    "StreetReportFollow": obj({}, closed=True, description="No body is needed (an empty object is accepted)."),
}
PATH_PARAMS: dict[str, Any] = {}
