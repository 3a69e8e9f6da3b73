"""The API for disaster mode (see sns/api/v1.py): the same services and policies as the pages. Everyone
reads whether the mode is on and the board; signed-in residents post on the board and check in; the caller
sees their own and their friends' check-ins (staff: every one, and the counts); the disaster desk and
administrators start and end the mode."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from sns.api.declare import WRITE, Body, Input, Operations, Output
from sns.api.fields import ClientToken, Coord, Id, Lat, Lon, MaybeTime, TextState, Time, Title, Url, text
from sns.api.http import absolute
from sns.api.refusals import Reported
from sns.api.shapes import when
from sns.context import Ctx
from sns.errors import Conflict, Forbidden
from sns.i18n import N_
from sns.models import ALERT_KINDS, CHECKIN_STATUSES
from sns.policies import can_see_safety_counts
from sns.services import disaster as disaster_service
from sns.services import disaster_board, safety

API = Operations("disaster")
Kind = Annotated[Literal[ALERT_KINDS],  # type: ignore[valid-type]
                 Reported(message=N_("Choose the kind of hazard from the list."))]
CheckinStatus = Annotated[Literal[CHECKIN_STATUSES],  # type: ignore[valid-type]
                          Reported(message=N_("Choose “I'm safe” or “I need help”."))]
Place = text(200, description="Where, in words (a street, a building).")
Message = text(safety.MAX_MESSAGE, lines=True)
Report = text(disaster_board.MAX_BODY, 1, description="At most 2000 characters (or `max_body_chars` when it is "
                                                      "less).", lines=True)
Count = Annotated[int, Field(ge=0)]
NOTHING = {"type": "object", "maxProperties": 0, "description": "Nothing is needed: an empty body, or {}."}


class DisasterStart(Input):
    name: Title
    kind: Kind = "other"
    drill: bool = Field(False, description="true: an exercise (CAP status Exercise).")


class CheckinNew(Input):
    status: CheckinStatus
    message: Message = ""
    place: Place = ""
    lat: Lat = None
    lon: Lon = None
    share_pfif: bool = Field(False, description="The resident agrees that the disaster desk may share this check-in "
                                                "with other person-finder registries (PFIF 1.4, docs/pfif.md).")
    client_token: ClientToken = None


class BoardPostNew(Input):
    body: Report
    place: Place = ""
    lat: Lat = None
    lon: Lon = None
    client_token: ClientToken = None


class DisasterEvent(Output):
    id: Id
    name: str
    kind: Kind
    drill: bool = Field(description="An exercise (CAP status Exercise).")
    exercise: bool = Field(description="The same as drill.")
    active: bool
    started_at: Time
    ended_at: MaybeTime
    url: Url


class Checkin(Output):
    id: Id
    username: str
    display_name: str
    status: CheckinStatus
    status_label: str
    message: str
    place: str
    lat: Coord
    lon: Coord
    created_at: Time


class DisasterState(Output):
    active: bool
    event: DisasterEvent | None
    my_checkin: Checkin | None


class CheckinList(Output):
    items: list[Checkin]


class DistrictCount(Output):
    name: str
    safe: Count
    need_help: Count
    not_checked_in: Count


class SafetyCounts(Output):
    districts: list[DistrictCount] = Field(
        description="Per district, then the accounts with no district, then the total.")
    need_help: list[Checkin]


class BoardPost(Output):
    id: Id
    body: str
    place: str
    lat: Coord
    lon: Coord
    state: TextState
    created_at: Time
    url: Url


class BoardList(Output):
    items: list[BoardPost]


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


@API.get("/api/v1/disaster", answer=DisasterState)
async def get_disaster_state(ctx: Ctx):
    """Whether the site is in disaster mode, for which event; with a token, the caller's own check-in."""
    event = await disaster_service.active_event(ctx)
    mine = await safety.my_checkin(ctx, event)
    if mine is not None:
        mine.user = ctx.user
    return {"active": event is not None, "event": event_json(ctx, event) if event else None,
            "my_checkin": checkin_json(mine) if mine else None}


@API.post("/api/v1/disaster/start", answer=DisasterEvent, status=201, body=DisasterStart, auth=True,
          errors=(*WRITE, 409))
async def start_disaster(ctx: Ctx, body: DisasterStart):
    """The disaster desk or an administrator: switch disaster mode on (`drill`: an exercise)."""
    event = await disaster_service.start_event(ctx, name=body.name, kind=body.kind, drill=body.drill)
    return event_json(ctx, event)


@API.post("/api/v1/disaster/end", answer=DisasterEvent, body=Body("application/json", NOTHING), auth=True,
          errors=(401, 403, 409))
async def end_disaster(ctx: Ctx):
    """The disaster desk or an administrator: end disaster mode (the event goes to the archive)."""
    return event_json(ctx, await disaster_service.end_event(ctx))


@API.get("/api/v1/disaster/checkins", answer=CheckinList, auth=True, errors=(401, 409))
async def list_checkins(ctx: Ctx):
    """The current check-ins the caller may see in the event that is on.

    Their own and their friends' (the staff: everyone's). Nobody else's, ever.
    """
    event = await _active(ctx)
    return {"items": [checkin_json(c) for c in await safety.visible_checkins(ctx, event)]}


@API.post("/api/v1/disaster/checkins", answer=Checkin, status=201, body=CheckinNew, auth=True,
          errors=(*WRITE, 409, 429))
async def create_checkin(ctx: Ctx, body: CheckinNew):
    """Check in: `{"status": "safe" | "need_help", "message", "place", "lat", "lon", "share_pfif"}`.

    The newest counts. `share_pfif` (false unless given): the consent to PFIF exports.
    """
    done = await safety.check_in(ctx, status=body.status, message=body.message, place=body.place, lat=body.lat,
                                 lon=body.lon, share_pfif=body.share_pfif, client_token=body.client_token)
    done.user = ctx.user
    return checkin_json(done)


@API.get("/api/v1/disaster/counts", answer=SafetyCounts, auth=True, errors=(401, 403, 409))
async def get_safety_counts(ctx: Ctx):
    """The staff: safe / need help / not checked in per district, and who needs help."""
    if not can_see_safety_counts(ctx.viewer):
        raise Forbidden(N_("Only the staff see the counts and who needs help."))
    found = await safety.counts(ctx, await _active(ctx))
    rows = [*found.districts, found.total]
    return {"districts": [{"name": d.name, "safe": d.safe, "need_help": d.need_help,
                           "not_checked_in": d.not_checked_in} for d in rows],
            "need_help": [checkin_json(c) for c in found.need_help]}


@API.get("/api/v1/disaster/board", answer=BoardList, errors=(401, 409))
async def list_disaster_board(ctx: Ctx):
    """The board of the event that is on, newest first."""
    event = await _active(ctx)
    return {"items": [post_json(ctx, p) for p in await disaster_board.board(ctx, event)]}


@API.post("/api/v1/disaster/board", answer=BoardPost, status=201, body=BoardPostNew, auth=True,
          errors=(*WRITE, 409, 429))
async def create_disaster_post(ctx: Ctx, body: BoardPostNew):
    """Report damage on the board: `{"body", "place", "lat", "lon"}` (photos: use the page's form)."""
    post = await disaster_board.write_post(ctx, body=body.body, place=body.place, lat=body.lat, lon=body.lon,
                                           client_token=body.client_token)
    return post_json(ctx, post)
