"""Events and RSVPs over JSON (see sns/api/v1.py): the same services and rules as the pages."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from sns.api.auth import require_user
from sns.api.http import absolute, answer, endpoint, no_content
from sns.api.inputs import coordinate, flag, id_list, query_limit, read_json, short_text
from sns.api.openapi import LIMIT, WRITE, op
from sns.api.schemas import BLUR, CLIENT_TOKEN, COORD, ID, NEXT, TEXT, TEXT_STATE, TIME, URL, VISIBILITY, obj, ref
from sns.api.shapes import html, person_brief, photo_json, when
from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_, gettext
from sns.models import RSVP_ANSWERS
from sns.models.base import utcnow
from sns.policies import can_cancel_event, can_delete_event, can_edit_event, can_rsvp, can_see_attendees
from sns.services import calendar as calendar_service
from sns.services import events as event_service
from sns.services import rsvps

NEW_FIELDS = ("title", "description", "starts_at", "ends_at", "place", "lat", "lon", "blur", "capacity", "visibility",
              "community_id", "official", "client_token")
EDIT_FIELDS = ("title", "description", "starts_at", "ends_at", "place", "lat", "lon", "blur", "capacity", "visibility",
               "official", "remove_photos", "cancelled")


def event_json(ctx: Ctx, event, photos=(), *, detail: bool = False, mine=None, counts=None) -> dict[str, Any]:
    out = {
        "id": event.id, "url": absolute(ctx, f"/events/{event.id}"), "api_url": absolute(ctx, f"/api/v1/events/{event.id}"),
        "ics_url": absolute(ctx, f"/events/{event.id}.ics"), "title": event.title, "description": event.description,
        "description_html": html(event.description), "starts_at": when(event.starts_at), "ends_at": when(event.ends_at),
        "place": event.place, "lat": event.lat, "lon": event.lon, "capacity": event.capacity,
        "going_count": event.going_count, "visibility": event.visibility, "community_id": event.community_id,
        "official": event.official, "cancelled": event.cancelled, "state": event.state,
        "photos": [photo_json(ctx, p) for p in photos], "created_at": when(event.created_at),
        "updated_at": when(event.updated_at),
    }
    if detail:
        v = ctx.viewer
        out["organizer"] = person_brief(ctx, event.organizer)
        out["my_answer"] = None if mine is None else ("waiting" if mine.answer == "going" and mine.waitlisted
                                                       else mine.answer)
        out["counts"] = {"going": counts.going, "maybe": counts.maybe, "no": counts.no, "waiting": counts.waiting}
        out["permissions"] = {
            "edit": can_edit_event(v, event), "cancel": can_cancel_event(v, event), "delete": can_delete_event(v, event),
            "rsvp": can_rsvp(v, event, event.community_row, event.membership, now=utcnow()),
            "attendees": can_see_attendees(v, event)}
    return out


async def _detail(ctx: Ctx, event_id: str, status: int = 200):
    event = await event_service.get_event(ctx, event_id)
    photos = (await event_service.event_photos([event.id]))[event.id]
    body = event_json(ctx, event, photos, detail=True, mine=await rsvps.my_answer(ctx, event.id),
                      counts=await rsvps.counts(event.id))
    headers = {"Location": absolute(ctx, f"/api/v1/events/{event.id}")} if status == 201 else None
    return answer(body, status, headers)


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not (raw.isascii() and raw.isdigit() and 0 < len(raw) <= 4) or int(raw) < 1:
        raise Invalid(N_("Give a whole number from 1 to %(max)d."), field="page", max=9999)
    return int(raw)


def _times(ctx: Ctx, data: dict, event=None):
    starts = data.get("starts_at", event.starts_at if event else None)
    ends = data.get("ends_at", event.ends_at if event else None)
    starts_at = event_service.parse_instant(ctx, starts, field="starts_at")
    ends_at = starts_at if ends is None and event is None else event_service.parse_instant(ctx, ends, field="ends_at")
    return starts_at, ends_at


def _capacity(data: dict, default=None):
    value = data.get("capacity", default)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise Invalid(N_("The number of places must be a whole number, or empty for no limit."), field="capacity")
    return value


@endpoint
async def list_events(request: Request, ctx: Ctx):
    """Events not yet over that the caller may see, soonest first."""
    page = _page_number(request)
    items, more = await calendar_service.upcoming(ctx, page)
    photos = await event_service.event_photos([e.id for e in items])
    nxt = absolute(ctx, "/api/v1/events", page=page + 1) if more else None
    return answer({"items": [event_json(ctx, e, photos[e.id]) for e in items], "next": nxt})


@endpoint
async def create_event(request: Request, ctx: Ctx):
    """Post an event (as a resident, for a community one is an active member of, or as staff: official)."""
    require_user(ctx)
    data = await read_json(request, ctx, NEW_FIELDS)
    starts_at, ends_at = _times(ctx, data)
    community_id = data.get("community_id")
    if community_id is not None and not isinstance(community_id, str):
        raise Invalid(N_("This field must be text."), field="community_id")
    event = await event_service.post_event(
        ctx, title=data.get("title"), description=data.get("description", ""), starts_at=starts_at, ends_at=ends_at,
        place=data.get("place", ""), lat=coordinate(data, "lat"), lon=coordinate(data, "lon"), blur=flag(data, "blur"),
        capacity=_capacity(data), visibility=data.get("visibility", "public"), community_id=community_id,
        official=flag(data, "official"), client_token=short_text(data, "client_token"))
    return await _detail(ctx, event.id, 201)


@endpoint
async def get_event(request: Request, ctx: Ctx):
    """One event, with the counts of answers and the caller's own answer."""
    return await _detail(ctx, request.path_params["id"])


@endpoint
async def edit_event(request: Request, ctx: Ctx):
    """Change my event (fields left out keep their value); `cancelled: true` cancels it."""
    require_user(ctx)
    event = await event_service.get_event(ctx, request.path_params["id"])
    data = await read_json(request, ctx, EDIT_FIELDS)
    if flag(data, "cancelled"):
        await event_service.cancel_event(ctx, event.id)
        data.pop("cancelled")
        if not data:
            return await _detail(ctx, event.id)
    starts_at, ends_at = _times(ctx, data, event)
    moved = "lat" in data or "lon" in data
    await event_service.edit_event(
        ctx, event.id, title=data.get("title", event.title), description=data.get("description", event.description),
        starts_at=starts_at, ends_at=ends_at, place=data.get("place", event.place),
        lat=coordinate(data, "lat") if moved else event.lat, lon=coordinate(data, "lon") if moved else event.lon,
        blur=moved and flag(data, "blur"), capacity=_capacity(data, event.capacity),
        visibility=data.get("visibility", event.visibility),
        official=flag(data, "official") if "official" in data else None,
        remove_photos=id_list(data, "remove_photos"))
    return await _detail(ctx, event.id)


@endpoint
async def delete_event(request: Request, ctx: Ctx):
    """Delete an event (its organizer, or a moderator)."""
    require_user(ctx)
    await event_service.delete_event(ctx, request.path_params["id"])
    return no_content()


@endpoint
async def rsvp_event(request: Request, ctx: Ctx):
    """Answer an event: going, maybe or no. Going to a full event puts the caller on the waiting list."""
    require_user(ctx)
    data = await read_json(request, ctx, ("answer",))
    rsvp = await rsvps.answer_event(ctx, request.path_params["id"], data.get("answer"))
    waiting = rsvp.answer == "going" and rsvp.waitlisted
    message = N_("The event is full: you are on the waiting list. We will tell you if a place opens up.") \
        if waiting else None

    return answer({"event_id": rsvp.event_id, "answer": "waiting" if waiting else rsvp.answer,
                   "message": gettext(message) if message else None})


@endpoint
async def rsvp_event_post(request: Request, ctx: Ctx):
    """Answer an event (the same as PUT, for clients that only POST)."""
    return await rsvp_event.__wrapped__(request, ctx)


@endpoint
async def list_attendees(request: Request, ctx: Ctx):
    """Who answered my event (the organizer only): going, the waiting list in order, maybe, no."""
    require_user(ctx)
    event = await event_service.get_event(ctx, request.path_params["id"])
    rows = await rsvps.attendees(ctx, event)
    return answer({"items": [{"person": person_brief(ctx, r.user),
                              "answer": "waiting" if r.answer == "going" and r.waitlisted else r.answer,
                              "answered_at": when(r.answered_at)} for r in rows]})


@endpoint
async def list_my_rsvps(request: Request, ctx: Ctx):
    """My answers to events that are not over, soonest first."""
    require_user(ctx)
    limit = query_limit(request, ctx)
    rows = await rsvps.my_rsvps(ctx, limit=limit)
    return answer({"items": [{"event_id": r.event_id, "title": r.event.title,
                              "api_url": absolute(ctx, f"/api/v1/events/{r.event_id}"),
                              "starts_at": when(r.event.starts_at),
                              "answer": "waiting" if r.answer == "going" and r.waitlisted else r.answer}
                             for r in rows]})


GET, POST, PUT, PATCH, DELETE = ["GET"], ["POST"], ["PUT"], ["PATCH"], ["DELETE"]
ENDPOINTS: list[Route] = [
    Route("/api/v1/events", list_events, methods=GET),
    Route("/api/v1/events", create_event, methods=POST),
    Route("/api/v1/events/{id}", get_event, methods=GET),
    Route("/api/v1/events/{id}", edit_event, methods=PATCH),
    Route("/api/v1/events/{id}", delete_event, methods=DELETE),
    Route("/api/v1/events/{id}/rsvp", rsvp_event, methods=PUT),
    Route("/api/v1/events/{id}/rsvp", rsvp_event_post, methods=POST),
    Route("/api/v1/events/{id}/attendees", list_attendees, methods=GET),
    Route("/api/v1/me/rsvps", list_my_rsvps, methods=GET),
]

PAGE = {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1},
        "description": "Which page (follow `next`)."}
ANSWER = {"type": "string", "enum": [*RSVP_ANSWERS, "waiting"],
          "description": "going, maybe, no; waiting: said going when the event was full (the waiting list)."}
WHEN = {"type": "string", "format": "date-time",
        "description": "ISO 8601; without an offset it is in the site's time zone."}
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/v1/events"): op("events", (200, "EventPage"), query=(PAGE,), errors=(400, 401)),
    ("POST", "/api/v1/events"): op("events", (201, "EventDetail"), auth=True, body="EventNew", errors=(*WRITE, 429)),
    ("GET", "/api/v1/events/{id}"): op("events", (200, "EventDetail"), errors=(401, 404)),
    ("PATCH", "/api/v1/events/{id}"): op("events", (200, "EventDetail"), auth=True, body="EventEdit",
                                         errors=(*WRITE, 404)),
    ("DELETE", "/api/v1/events/{id}"): op("events", (204, None), auth=True, errors=(401, 403, 404)),
    ("PUT", "/api/v1/events/{id}/rsvp"): op("events", (200, "RsvpResult"), auth=True, body="RsvpNew",
                                           errors=(*WRITE, 404)),
    ("POST", "/api/v1/events/{id}/rsvp"): op("events", (200, "RsvpResult"), auth=True, body="RsvpNew",
                                            errors=(*WRITE, 404)),
    ("GET", "/api/v1/events/{id}/attendees"): op("events", (200, "AttendeeList"), auth=True,
                                                 errors=(401, 403, 404)),
    ("GET", "/api/v1/me/rsvps"): op("events", (200, "MyRsvps"), auth=True, query=(LIMIT,), errors=(400, 401)),
}
INT_OR_NULL = {"type": ["integer", "null"], "minimum": 1, "maximum": event_service.MAX_CAPACITY}
SCHEMAS: dict[str, Any] = {
    "Event": obj({
        "id": ID, "url": URL, "api_url": URL, "ics_url": URL, "title": TEXT,
        "description": {"type": "string", "description": "Markdown source."}, "description_html": TEXT,
        "starts_at": TIME, "ends_at": TIME, "place": TEXT, "lat": COORD, "lon": COORD,
        "capacity": {"type": ["integer", "null"], "description": "null: no limit."},
        "going_count": {"type": "integer"}, "visibility": VISIBILITY,
        "community_id": {"type": ["string", "null"], "description": "Set for a community's event."},
        "official": {"type": "boolean", "description": "Posted by the town's staff."},
        "cancelled": {"type": "boolean"}, "state": TEXT_STATE, "photos": {"type": "array", "items": ref("Photo")},
        "created_at": TIME, "updated_at": TIME,
    }),
    "EventDetail": {"allOf": [ref("Event"), obj({
        "organizer": ref("Person"), "my_answer": {"type": ["string", "null"], "enum": [*RSVP_ANSWERS, "waiting", None]},
        "counts": obj({k: {"type": "integer"} for k in ("going", "maybe", "no", "waiting")}),
        "permissions": obj({k: {"type": "boolean"} for k in ("edit", "cancel", "delete", "rsvp", "attendees")}),
    })]},
    "EventPage": obj({"items": {"type": "array", "items": ref("Event")}, "next": NEXT}),
    "EventNew": obj({
        "title": {"type": "string", "minLength": 1, "maxLength": 200}, "description": TEXT,
        "starts_at": WHEN, "ends_at": WHEN, "place": {"type": "string", "maxLength": 200}, "lat": COORD, "lon": COORD,
        "blur": BLUR, "capacity": INT_OR_NULL, "visibility": VISIBILITY, "community_id": {"type": ["string", "null"]},
        "official": {"type": "boolean", "description": "Staff only."}, "client_token": CLIENT_TOKEN,
    }, required=("title", "starts_at"), closed=True,
        description="ends_at defaults to starts_at and may not be before it. A community's event ignores visibility."),
    "EventEdit": obj({
        "title": {"type": "string", "minLength": 1, "maxLength": 200}, "description": TEXT, "starts_at": WHEN,
        "ends_at": WHEN, "place": {"type": "string", "maxLength": 200}, "lat": COORD, "lon": COORD,
        "blur": BLUR, "capacity": INT_OR_NULL, "visibility": VISIBILITY, "official": {"type": "boolean"},
        "remove_photos": {"type": "array", "items": ID, "maxItems": 20},
        "cancelled": {"type": "boolean", "description": "true cancels the event (those who answered are told)."},
    }, required=(), closed=True, description="Fields left out keep their value."),
    "RsvpNew": obj({"answer": {"type": "string", "enum": list(RSVP_ANSWERS)}}, closed=True),
    "RsvpResult": obj({"event_id": ID, "answer": ANSWER,
                       "message": {"type": ["string", "null"], "description": "Why the answer is `waiting`."}}),
    "AttendeeList": obj({"items": {"type": "array", "items": obj({"person": ref("Person"), "answer": ANSWER,
                                                                  "answered_at": TIME})}}),
    "MyRsvps": obj({"items": {"type": "array", "items": obj({"event_id": ID, "title": TEXT, "api_url": URL,
                                                              "starts_at": TIME, "answer": ANSWER})}}),
}
PATH_PARAMS: dict[str, Any] = {}
