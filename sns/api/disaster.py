"""The API for disaster mode (see sns/api/v1.py): the same services and policies as the pages. Everyone
reads whether the mode is on and the board; signed-in residents post on the board and check in; the caller
sees their own and their friends' check-ins (staff: every one, and the counts); the disaster desk and
administrators start and end the mode."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from sns.api.auth import require_user
from sns.api.http import absolute, answer, endpoint
from sns.api.inputs import read_json
from sns.api.openapi import WRITE, op
from sns.api.schemas import ID, TEXT, TIME, URL, obj, ref
from sns.api.shapes import when
from sns.context import Ctx
from sns.errors import Conflict, Forbidden
from sns.i18n import N_
from sns.models import ALERT_KINDS, CHECKIN_STATUSES
from sns.policies import can_see_safety_counts
from sns.services import disaster as disaster_service
from sns.services import disaster_board, safety


def event_json(ctx: Ctx, e) -> dict[str, Any]:
    return {"id": e.id, "name": e.name, "kind": e.kind, "drill": e.drill, "exercise": e.drill,
            "active": e.ended_at is None, "started_at": when(e.started_at), "ended_at": when(e.ended_at),
            "url": absolute(ctx, disaster_service.event_url(e))}


def checkin_json(c) -> dict[str, Any]:
    return {"id": c.id, "username": c.user.username, "display_name": c.user.display_name, "status": c.status,
            "status_label": safety.status_label(c.status), "message": c.message, "place": c.place,
            "lat": c.lat, "lon": c.lon, "created_at": when(c.created_at)}


def post_json(ctx: Ctx, p) -> dict[str, Any]:
    return {"id": p.id, "body": p.body, "place": p.place, "lat": p.lat, "lon": p.lon, "state": p.state,
            "created_at": when(p.created_at), "url": absolute(ctx, disaster_board.post_url(p.id))}


async def _active(ctx: Ctx):
    event = await disaster_service.current_event(ctx)
    if event is None:
        raise Conflict(N_("Disaster mode is not on."))
    return event


@endpoint
async def get_disaster_state(request: Request, ctx: Ctx):
    """Whether the site is in disaster mode, for which event; with a token, the caller's own check-in."""
    event = await disaster_service.active_event(ctx)
    mine = await safety.my_checkin(ctx, event)
    if mine is not None:
        mine.user = ctx.user
    return answer({"active": event is not None, "event": event_json(ctx, event) if event else None,
                   "my_checkin": checkin_json(mine) if mine else None})


@endpoint
async def start_disaster(request: Request, ctx: Ctx):
    """The disaster desk or an administrator: switch disaster mode on (`drill`: an exercise)."""
    require_user(ctx)
    data = await read_json(request, ctx, ("name", "kind", "drill"))
    event = await disaster_service.start_event(ctx, name=data.get("name"), kind=data.get("kind") or "other",
                                               drill=data.get("drill") is True)
    return answer(event_json(ctx, event), 201)


@endpoint
async def end_disaster(request: Request, ctx: Ctx):
    """The disaster desk or an administrator: end disaster mode (the event goes to the archive)."""
    require_user(ctx)
    return answer(event_json(ctx, await disaster_service.end_event(ctx)))


@endpoint
async def list_checkins(request: Request, ctx: Ctx):
    """The current check-ins the caller may see in the event that is on: their own and their friends'
    (the staff: everyone's). Nobody else's, ever."""
    require_user(ctx)
    event = await _active(ctx)
    return answer({"items": [checkin_json(c) for c in await safety.visible_checkins(ctx, event)]})


@endpoint
async def create_checkin(request: Request, ctx: Ctx):
    """Check in: `{"status": "safe" | "need_help", "message", "place", "lat", "lon"}`; the newest counts."""
    require_user(ctx)
    data = await read_json(request, ctx, ("status", "message", "place", "lat", "lon", "client_token"))
    done = await safety.check_in(ctx, status=data.get("status"), message=data.get("message") or "",
                                 place=data.get("place") or "", lat=data.get("lat"), lon=data.get("lon"),
                                 client_token=data.get("client_token"))
    done.user = ctx.user
    return answer(checkin_json(done), 201)


@endpoint
async def get_safety_counts(request: Request, ctx: Ctx):
    """The staff: safe / need help / not checked in per district, and who needs help."""
    require_user(ctx)
    if not can_see_safety_counts(ctx.viewer):
        raise Forbidden(N_("Only the staff see the counts and who needs help."))
    found = await safety.counts(ctx, await _active(ctx))
    rows = [*found.districts, found.total]
    return answer({"districts": [{"name": d.name, "safe": d.safe, "need_help": d.need_help,
                                  "not_checked_in": d.not_checked_in} for d in rows],
                   "need_help": [checkin_json(c) for c in found.need_help]})


@endpoint
async def list_disaster_board(request: Request, ctx: Ctx):
    """The board of the event that is on, newest first."""
    event = await _active(ctx)
    return answer({"items": [post_json(ctx, p) for p in await disaster_board.board(ctx, event)]})


@endpoint
async def create_disaster_post(request: Request, ctx: Ctx):
    """Report damage on the board: `{"body", "place", "lat", "lon"}` (photos: use the page's form)."""
    require_user(ctx)
    data = await read_json(request, ctx, ("body", "place", "lat", "lon", "client_token"))
    post = await disaster_board.write_post(ctx, body=data.get("body"), place=data.get("place") or "",
                                           lat=data.get("lat"), lon=data.get("lon"),
                                           client_token=data.get("client_token"))
    return answer(post_json(ctx, post), 201)


ENDPOINTS: list[Route] = [
    Route("/api/v1/disaster", get_disaster_state, methods=["GET"]),
    Route("/api/v1/disaster/start", start_disaster, methods=["POST"]),
    Route("/api/v1/disaster/end", end_disaster, methods=["POST"]),
    Route("/api/v1/disaster/checkins", list_checkins, methods=["GET"]),
    Route("/api/v1/disaster/checkins", create_checkin, methods=["POST"]),
    Route("/api/v1/disaster/counts", get_safety_counts, methods=["GET"]),
    Route("/api/v1/disaster/board", list_disaster_board, methods=["GET"]),
    Route("/api/v1/disaster/board", create_disaster_post, methods=["POST"]),
]

OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/v1/disaster"): op("disaster", (200, "DisasterState"), errors=(401,)),
    ("POST", "/api/v1/disaster/start"): op("disaster", (201, "DisasterEvent"), auth=True, body="DisasterStart",
                                           errors=(*WRITE, 409)),
    ("POST", "/api/v1/disaster/end"): op("disaster", (200, "DisasterEvent"), auth=True, body="DisasterEnd",
                                         errors=(401, 403, 409)),
    ("GET", "/api/v1/disaster/checkins"): op("disaster", (200, "CheckinList"), auth=True, errors=(401, 409)),
    ("POST", "/api/v1/disaster/checkins"): op("disaster", (201, "Checkin"), auth=True, body="CheckinNew",
                                              errors=(*WRITE, 409, 429)),
    ("GET", "/api/v1/disaster/counts"): op("disaster", (200, "SafetyCounts"), auth=True, errors=(401, 403, 409)),
    ("GET", "/api/v1/disaster/board"): op("disaster", (200, "BoardList"), errors=(401, 409)),
    ("POST", "/api/v1/disaster/board"): op("disaster", (201, "BoardPost"), auth=True, body="BoardPostNew",
                                           errors=(*WRITE, 409, 429)),
}
NUMBER_OR_NULL = {"type": ["number", "null"]}
COUNT = {"type": "integer", "minimum": 0}
STATUS = {"type": "string", "enum": list(CHECKIN_STATUSES)}
SCHEMAS: dict[str, Any] = {
    "DisasterEvent": obj({
        "id": ID, "name": TEXT, "kind": {"type": "string", "enum": list(ALERT_KINDS)},
        "drill": {"type": "boolean", "description": "An exercise (CAP status Exercise)."},
        "exercise": {"type": "boolean", "description": "The same as drill."}, "active": {"type": "boolean"},
        "started_at": TIME, "ended_at": {"type": ["string", "null"], "format": "date-time"}, "url": URL,
    }),
    "DisasterEnd": obj({}, closed=True, description="Nothing is needed: an empty body, or {}."),
    "DisasterState": obj({"active": {"type": "boolean"},
                          "event": {"oneOf": [ref("DisasterEvent"), {"type": "null"}]},
                          "my_checkin": {"oneOf": [ref("Checkin"), {"type": "null"}]}}),
    "DisasterStart": obj({"name": TEXT, "kind": {"type": "string", "enum": list(ALERT_KINDS)},
                          "drill": {"type": "boolean"}}, required=("name",), closed=True),
    "Checkin": obj({
        "id": ID, "username": TEXT, "display_name": TEXT, "status": STATUS, "status_label": TEXT,
        "message": TEXT, "place": TEXT, "lat": NUMBER_OR_NULL, "lon": NUMBER_OR_NULL, "created_at": TIME,
    }),
    "CheckinList": obj({"items": {"type": "array", "items": ref("Checkin")}}),
    "CheckinNew": obj({"status": STATUS, "message": TEXT, "place": TEXT, "lat": NUMBER_OR_NULL,
                       "lon": NUMBER_OR_NULL, "client_token": TEXT}, required=("status",), closed=True),
    "SafetyCounts": obj({
        "districts": {"type": "array", "items": obj({"name": TEXT, "safe": COUNT, "need_help": COUNT,
                                                     "not_checked_in": COUNT}),
                      "description": "Per district, then the accounts with no district, then the total."},
        "need_help": {"type": "array", "items": ref("Checkin")},
    }),
    "BoardPost": obj({"id": ID, "body": TEXT, "place": TEXT, "lat": NUMBER_OR_NULL, "lon": NUMBER_OR_NULL,
                      "state": {"type": "string", "enum": ["published", "held", "removed"]},
                      "created_at": TIME, "url": URL}),
    "BoardList": obj({"items": {"type": "array", "items": ref("BoardPost")}}),
    "BoardPostNew": obj({"body": TEXT, "place": TEXT, "lat": NUMBER_OR_NULL, "lon": NUMBER_OR_NULL,
                         "client_token": TEXT}, required=("body",), closed=True),
}
PATH_PARAMS: dict[str, Any] = {}
