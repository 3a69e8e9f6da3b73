"""Events and RSVPs over JSON: the same services and rules as the pages."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from sns.api.declare import WRITE, Input, Operations, Output, Query, Reply
from sns.api.fields import (
    PLACE_RULE, Blur, ClientToken, Coord, Id, IdList, Lat, Limit, Lon, Next, Page, TextState, Time, Title, Url,
    Visibility, text, whole, page_limit,
)
from sns.api.http import absolute
from sns.api.shapes import Person, Photo, html, person_brief, photo_json, when
from sns.context import Ctx
from sns.i18n import N_, gettext
from sns.models import RSVP_ANSWERS
from sns.models.base import utcnow
from sns.policies import can_cancel_event, can_delete_event, can_edit_event, can_rsvp, can_see_attendees
from sns.services import calendar as calendar_service
from sns.services import events as event_service
from sns.services import rsvps

API = Operations("events")
GET_EVENT = {"GetEvent": {"operationId": "get_event", "parameters": {"id": "$response.body#/id"}},
             "EditEvent": {"operationId": "edit_event", "parameters": {"id": "$response.body#/id"}},
             "AnswerEvent": {"operationId": "rsvp_event", "parameters": {"id": "$response.body#/id"}},
             "ListAttendees": {"operationId": "list_attendees", "parameters": {"id": "$response.body#/id"}},
             "DeleteEvent": {"operationId": "delete_event", "parameters": {"id": "$response.body#/id"}}}
Answer = Annotated[Literal[(*RSVP_ANSWERS, "waiting")], Field(  # type: ignore[valid-type]
    description="going, maybe, no; waiting: said going when the event was full (the waiting list).")]
When = Annotated[str, Field(max_length=40, json_schema_extra={"format": "date-time"}, description=(
    "ISO 8601, years 1970 to 2200; without an offset it is in the site's time zone."))]
Description = text(description="Markdown; at most `max_body_chars` characters.", lines=True)
Place = text(200)
Capacity = Annotated[whole(ge=1, le=event_service.MAX_CAPACITY) | None, Field(description="null: no limit.")]


# --- what a client sends ----------------------------------------------------------------------------

class EventNew(Input):
    """ends_at defaults to starts_at and may not be before it. A community's event ignores visibility."""

    model_config = ConfigDict(json_schema_extra=PLACE_RULE)

    title: Title
    description: Description = ""
    starts_at: When
    ends_at: When | None = None
    place: Place = ""
    lat: Lat = None
    lon: Lon = None
    blur: Blur = False
    capacity: Capacity = None
    visibility: Visibility = "public"
    community_id: Id | None = Field(None, description="Post it as this community's event (its active members).")
    official: bool = Field(False, description="Staff only.")
    client_token: ClientToken = None


class EventEdit(Input):
    """Fields left out (or null) keep their value, but lat and lon null remove the place and capacity null
    the limit."""

    model_config = ConfigDict(json_schema_extra=PLACE_RULE)

    title: Title | None = None
    description: Description | None = None
    starts_at: When | None = None
    ends_at: When | None = None
    place: Place | None = None
    lat: Lat = None
    lon: Lon = None
    blur: Blur = False
    capacity: Capacity = None
    visibility: Visibility | None = None
    official: bool | None = Field(None, description="Staff only.")
    remove_photos: IdList = []
    cancelled: bool = Field(False, description="true cancels the event (those who answered are told).")


class RsvpNew(Input):
    answer: Literal[RSVP_ANSWERS]  # type: ignore[valid-type]


class EventsQuery(Query):
    page: Page = 1


class MyRsvpsQuery(Query):
    limit: Limit = None


# --- what it answers ----------------------------------------------------------------------------------

class Event(Output):
    id: Id
    url: Url
    api_url: Url
    ics_url: Url
    title: str
    description: str = Field(description="Markdown source.")
    description_html: str
    starts_at: Time
    ends_at: Time
    place: str
    lat: Coord
    lon: Coord
    capacity: int | None = Field(description="null: no limit.")
    going_count: int
    visibility: Visibility
    community_id: Id | None = Field(description="Set for a community's event.")
    official: bool = Field(description="Posted by the town's staff.")
    cancelled: bool
    state: TextState
    photos: list[Photo]
    created_at: Time
    updated_at: Time


class EventCounts(Output):
    going: int
    maybe: int
    no: int
    waiting: int


class EventPermissions(Output):
    edit: bool
    cancel: bool
    delete: bool
    rsvp: bool
    attendees: bool


class EventDetail(Event):
    organizer: Person
    my_answer: Answer | None
    counts: EventCounts
    permissions: EventPermissions


class EventPage(Output):
    items: list[Event]
    next: Next


class RsvpResult(Output):
    event_id: Id
    answer: Answer
    message: str | None = Field(description="Why the answer is `waiting`.")


class Attendee(Output):
    person: Person
    answer: Answer
    answered_at: Time


class AttendeeList(Output):
    items: list[Attendee]


class MyRsvp(Output):
    event_id: Id
    title: str
    api_url: Url
    starts_at: Time
    answer: Answer


class MyRsvps(Output):
    items: list[MyRsvp]


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
        out["my_answer"] = None if mine is None else _answer(mine)
        out["counts"] = {"going": counts.going, "maybe": counts.maybe, "no": counts.no, "waiting": counts.waiting}
        out["permissions"] = {
            "edit": can_edit_event(v, event), "cancel": can_cancel_event(v, event), "delete": can_delete_event(v, event),
            "rsvp": can_rsvp(v, event, event.community_row, event.membership, now=utcnow()),
            "attendees": can_see_attendees(v, event)}
    return out


def _answer(rsvp) -> str:
    return "waiting" if rsvp.answer == "going" and rsvp.waitlisted else rsvp.answer


async def _detail(ctx: Ctx, event_id: str, status: int = 200) -> Reply:
    event = await event_service.get_event(ctx, event_id)
    photos = (await event_service.event_photos([event.id]))[event.id]
    body = event_json(ctx, event, photos, detail=True, mine=await rsvps.my_answer(ctx, event.id),
                      counts=await rsvps.counts(event.id))
    headers = {"Location": absolute(ctx, f"/api/v1/events/{event.id}")} if status == 201 else {}
    return Reply(body, headers)


def _times(ctx: Ctx, starts, ends, event=None):
    """When the event starts and ends, as aware UTC: what was sent, else what it was (a new one ends as it
    starts)."""
    starts_at = event_service.parse_instant(ctx, starts if starts is not None else event.starts_at, field="starts_at")
    if ends is None:
        return starts_at, event.ends_at if event else starts_at
    return starts_at, event_service.parse_instant(ctx, ends, field="ends_at")


# --- operations ---------------------------------------------------------------------------------------

@API.get("/api/v1/events", answer=EventPage, query=EventsQuery, errors=(400, 401))
async def list_events(ctx: Ctx, query: EventsQuery):
    """Events not yet over that the caller may see, soonest first."""
    items, more = await calendar_service.upcoming(ctx, query.page)
    photos = await event_service.event_photos([e.id for e in items])
    nxt = absolute(ctx, "/api/v1/events", page=query.page + 1) if more else None
    return {"items": [event_json(ctx, e, photos[e.id]) for e in items], "next": nxt}


# 404: sent again (the same client_token) after what it made was deleted
@API.post("/api/v1/events", answer=EventDetail, status=201, body=EventNew, auth=True, errors=(*WRITE, 404, 429),
          links=GET_EVENT, refuses=("community", "starts_at", "ends_at"))
async def create_event(ctx: Ctx, body: EventNew):
    """Post an event (as a resident, for a community one is an active member of, or as staff: official)."""
    starts_at, ends_at = _times(ctx, body.starts_at, body.ends_at)
    event = await event_service.post_event(
        ctx, title=body.title, description=body.description, starts_at=starts_at, ends_at=ends_at,
        place=body.place, lat=body.lat, lon=body.lon, blur=body.blur, capacity=body.capacity,
        visibility=body.visibility, community_id=body.community_id, official=body.official,
        client_token=body.client_token)
    return await _detail(ctx, event.id, 201)


@API.get("/api/v1/events/{id}", answer=EventDetail, errors=(401, 404))
async def get_event(ctx: Ctx, id: str):
    """One event, with the counts of answers and the caller's own answer."""
    return await _detail(ctx, id)


@API.patch("/api/v1/events/{id}", answer=EventDetail, body=EventEdit, auth=True, errors=(*WRITE, 404),
           refuses=("starts_at", "ends_at"))
async def edit_event(ctx: Ctx, id: str, body: EventEdit):
    """Change my event (fields left out keep their value); `cancelled: true` cancels it."""
    event = await event_service.get_event(ctx, id)
    given = body.model_fields_set - {"cancelled"}
    if body.cancelled:
        await event_service.cancel_event(ctx, event.id)
        if not given:
            return await _detail(ctx, event.id)
    starts_at, ends_at = _times(ctx, body.starts_at, body.ends_at, event)
    moved = "lat" in given or "lon" in given

    def kept(name: str):
        value = getattr(body, name)
        return getattr(event, name) if value is None else value

    await event_service.edit_event(
        ctx, event.id, title=kept("title"), description=kept("description"), starts_at=starts_at, ends_at=ends_at,
        place=kept("place"), lat=body.lat if moved else event.lat, lon=body.lon if moved else event.lon,
        blur=moved and body.blur, capacity=body.capacity if "capacity" in given else event.capacity,
        visibility=kept("visibility"), official=body.official, remove_photos=body.remove_photos)
    return await _detail(ctx, event.id)


@API.delete("/api/v1/events/{id}", auth=True, errors=(401, 403, 404))
async def delete_event(ctx: Ctx, id: str):
    """Delete an event (its organizer, or a moderator)."""
    await event_service.delete_event(ctx, id)


@API.put("/api/v1/events/{id}/rsvp", answer=RsvpResult, body=RsvpNew, auth=True, errors=(*WRITE, 404, 409))
async def rsvp_event(ctx: Ctx, id: str, body: RsvpNew):
    """Answer an event: going, maybe or no. Going to a full event puts the caller on the waiting list."""
    rsvp = await rsvps.answer_event(ctx, id, body.answer)
    waiting = _answer(rsvp) == "waiting"
    message = N_("The event is full: you are on the waiting list. We will tell you if a place opens up.")
    return {"event_id": rsvp.event_id, "answer": _answer(rsvp), "message": gettext(message) if waiting else None}


@API.post("/api/v1/events/{id}/rsvp", answer=RsvpResult, body=RsvpNew, auth=True, errors=(*WRITE, 404, 409))
async def rsvp_event_post(ctx: Ctx, id: str, body: RsvpNew):
    """Answer an event (the same as PUT, for clients that only POST)."""
    return await rsvp_event(ctx, id, body)


@API.get("/api/v1/events/{id}/attendees", answer=AttendeeList, auth=True, errors=(401, 403, 404))
async def list_attendees(ctx: Ctx, id: str):
    """Who answered my event (the organizer only): going, the waiting list in order, maybe, no."""
    event = await event_service.get_event(ctx, id)
    rows = await rsvps.attendees(ctx, event)
    return {"items": [{"person": person_brief(ctx, r.user), "answer": _answer(r), "answered_at": when(r.answered_at)}
                      for r in rows]}


@API.get("/api/v1/me/rsvps", answer=MyRsvps, query=MyRsvpsQuery, auth=True, errors=(400, 401))
async def list_my_rsvps(ctx: Ctx, query: MyRsvpsQuery):
    """My answers to events that are not over, soonest first."""
    rows = await rsvps.my_rsvps(ctx, limit=page_limit(ctx, query.limit))
    return {"items": [{"event_id": r.event_id, "title": r.event.title,
                       "api_url": absolute(ctx, f"/api/v1/events/{r.event_id}"), "starts_at": when(r.event.starts_at),
                       "answer": _answer(r)} for r in rows]}
