"""The API for official alerts (see sns/api/v1.py): the same services and policies as the pages.

Everyone (no token needed) reads alerts; the fire department and the disaster desk post them and
change their status with a token. Each alert as CAP 1.2 is in sns/api/alert_feeds.py.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, WithJsonSchema

from sns.api.declare import WRITE, Input, Operations, Output, Query, Reply
from sns.api.fields import ClientToken, Id, Lat, Lon, Time, Title, Url, Whole, text
from sns.api.http import absolute
from sns.api.refusals import Reported, custom
from sns.api.shapes import when
from sns.context import Ctx
from sns.i18n import N_
from sns.models.alerts import ALERT_KINDS, ALERT_STATUSES, CERTAINTIES, SEVERITIES, URGENCIES
from sns.services import alerts as alert_service

API = Operations("alerts")
USE_ALERT = {name: {"operationId": op, "parameters": {"id": "$response.body#/id"}} for name, op in (
    ("GetAlert", "get_alert"), ("GetAlertCap", "alert_cap"), ("CorrectAlert", "correct_alert"),
    ("ChangeAlertStatus", "change_status"))}
Kind = Annotated[Literal[ALERT_KINDS],  # type: ignore[valid-type]
                 Reported(message=N_("Choose the kind of hazard from the list."))]
Status = Annotated[Literal[ALERT_STATUSES], Field(  # type: ignore[valid-type]
    description="outbreak and under_control are active; extinguished and cancelled end the alert."),
    Reported(message=N_("Choose a status from the list."))]
Severity = Annotated[Literal[SEVERITIES], Field(description="CAP 1.2's severity."),  # type: ignore[valid-type]
                     Reported(message=N_("Choose the severity from the list."))]
Urgency = Annotated[Literal[URGENCIES], Field(description="CAP 1.2's urgency."),  # type: ignore[valid-type]
                    Reported(message=N_("Choose the urgency from the list."))]
Certainty = Annotated[Literal[CERTAINTIES], Field(description="CAP 1.2's certainty."),  # type: ignore[valid-type]
                      Reported(message=N_("Choose the certainty from the list."))]
Texts = text(description="At most `max_body_chars` characters.", lines=True)
Address = text(300)
Note = text(2000, lines=True)


def _radius(value: int) -> int:
    if not 1 <= value <= alert_service.MAX_RADIUS_M:
        raise custom(N_("Give the radius in whole metres, from 1 to %(max)d, or leave it empty."),
                     max=alert_service.MAX_RADIUS_M)
    return value


Radius = Annotated[Whole | None, AfterValidator(lambda v: v if v is None else _radius(v)), WithJsonSchema(
    {"type": ["integer", "null"], "minimum": 1, "maximum": alert_service.MAX_RADIUS_M,
     "description": "The area as a circle of this many metres around the place."})]
# The outline's form; its points' ranges, count and closing are the service's (its messages name them).
Point = Annotated[tuple[float, float], WithJsonSchema(
    {"type": "array", "minItems": 2, "maxItems": 2, "description": "[latitude, longitude]",
     "prefixItems": [{"type": "number", "minimum": -90, "maximum": 90},
                     {"type": "number", "minimum": -180, "maximum": 180}]})]
Polygon = Annotated[list[Point], Field(json_schema_extra={
    "minItems": 4, "maxItems": alert_service.MAX_POLYGON_POINTS,
    "description": "The area's outline as [latitude, longitude] pairs; the last repeats the first."})] | None
Districts = Annotated[list[Id], Field(max_length=500, description=(
    "The districts affected (District ids): residents who asked to be told of alerts for their district are "
    "told of these.")), Reported(message=N_("Choose the districts affected from the list."))]


class AlertNew(Input):
    """A place is required: `lat` and `lon`, or a closed `polygon` (its centre is then the place)."""

    kind: Kind
    title: Title
    description: Texts = ""
    instruction: Texts = ""
    address: Address = ""
    lat: Lat = None
    lon: Lon = None
    radius_m: Radius = None
    polygon: Polygon = None
    severity: Severity = "Severe"
    urgency: Urgency = "Immediate"
    certainty: Certainty = "Observed"
    exercise: bool = Field(False, description="true: a drill.")
    districts: Districts = []
    client_token: ClientToken = None


class AlertCorrection(Input):
    """Fields left out keep their text."""

    title: Title = Field(default_factory=lambda: None)  # left out: unchanged; never null (no "default": null shown)
    description: Texts | None = None
    instruction: Texts | None = None
    note: Note | None = None


class AlertStatus(Input):
    status: Status
    note: Note | None = None


class AlertQuery(Query):
    all: bool = Field(False, description="true: also the alerts that ended in the last 30 days (after the "
                                         "active ones).")


class Alert(Output):
    id: Id
    kind: Kind
    kind_label: str
    title: str
    description: str
    instruction: str
    address: str
    lat: float
    lon: float
    radius_m: int | None = Field(description="The area as a circle of this many metres around the place.")
    polygon: Polygon
    severity: Severity
    urgency: Urgency
    certainty: Certainty
    status: Status
    status_label: str
    active: bool
    exercise: bool = Field(description="A drill (CAP status Exercise), not a real emergency.")
    districts: Districts
    sender: str
    identifier: str
    source_name: str = Field(description="For an alert of a neighbouring city this instance mirrors: that city's "
                                         "name (\"\" otherwise).")
    sent_at: Time
    updated_at: Time
    url: Url
    cap_url: Url = Field(description="The same alert as a CAP 1.2 document.")


class AlertStep(Output):
    """One step of the visible history: posted, a status change, a correction."""

    status: Status
    status_label: str
    note: str
    at: Time
    by: str | None = Field(description="The staff member's display name.")
    cap_identifier: str


class AlertDetail(Alert):
    history: list[AlertStep]


class AlertList(Output):
    items: list[Alert]


def alert_json(ctx: Ctx, a) -> dict[str, Any]:
    return {"id": a.id, "kind": a.kind, "kind_label": alert_service.kind_label(a.kind), "title": a.title,
            "description": a.description, "instruction": a.instruction, "address": a.address,
            "lat": a.lat, "lon": a.lon, "radius_m": a.radius_m, "polygon": a.polygon,
            "severity": a.severity, "urgency": a.urgency, "certainty": a.certainty,
            "status": a.status, "status_label": alert_service.status_label(a.status),
            "active": alert_service.is_active(a), "exercise": a.exercise, "districts": list(a.districts or []),
            "sender": a.sender, "identifier": a.identifier, "source_name": a.source_name, "sent_at": when(a.sent_at),
            "updated_at": when(a.updated_at), "url": absolute(ctx, alert_service.alert_url(a.id)),
            "cap_url": absolute(ctx, f"/api/v1/alerts/{a.id}.cap")}


def step_json(step) -> dict[str, Any]:
    author = step.author
    return {"status": step.status, "status_label": alert_service.status_label(step.status), "note": step.note,
            "at": when(step.created_at), "by": (author.display_name or author.username) if author else None,
            "cap_identifier": step.cap_identifier}


async def _detail(ctx: Ctx, alert, status: int = 200) -> Reply:
    steps = await alert_service.history(alert)
    headers = {"Location": absolute(ctx, f"/api/v1/alerts/{alert.id}")} if status == 201 else {}
    return Reply({**alert_json(ctx, alert), "history": [step_json(s) for s in steps]}, headers)


@API.get("/api/v1/alerts", answer=AlertList, query=AlertQuery, errors=(400, 401))
async def list_alerts(ctx: Ctx, query: AlertQuery):
    """The active alerts, newest first; with `?all=true` also those over in the last 30 days."""
    items = await alert_service.list_alerts(ctx) if query.all else await alert_service.active_alerts(ctx)
    return {"items": [alert_json(ctx, a) for a in items]}


@API.post("/api/v1/alerts", answer=AlertDetail, status=201, body=AlertNew, auth=True, errors=(*WRITE, 429),
          links=USE_ALERT)
async def post_alert(ctx: Ctx, body: AlertNew):
    """The fire department or the disaster desk: post an alert.

    A place is required: `lat` and `lon`, or a closed `polygon` of [lat, lon] pairs (its centre is then
    the place).
    """
    fields = body.model_dump(exclude={"client_token"})
    alert = await alert_service.post_alert(ctx, **fields, client_token=body.client_token)
    return await _detail(ctx, alert, 201)


@API.get("/api/v1/alerts/{id}", answer=AlertDetail, errors=(401, 404))
async def get_alert(ctx: Ctx, id: str):
    """One alert with its visible history (oldest step first)."""
    return await _detail(ctx, await alert_service.get_alert(ctx, id))


@API.patch("/api/v1/alerts/{id}", answer=AlertDetail, body=AlertCorrection, auth=True,
           errors=(*WRITE, 404, 409))
async def correct_alert(ctx: Ctx, id: str, body: AlertCorrection):
    """The fire department or the disaster desk: correct an active alert's texts (a step in its history).

    Fields left out keep their text.
    """
    alert = await alert_service.get_alert(ctx, id)
    given = body.model_fields_set
    texts = {name: getattr(body, name) if name in given else getattr(alert, name)
             for name in ("title", "description", "instruction")}
    alert = await alert_service.correct_alert(ctx, alert.id, **texts, note=body.note or "")
    return await _detail(ctx, alert)


@API.post("/api/v1/alerts/{id}/status", answer=AlertDetail, body=AlertStatus, auth=True,
          errors=(*WRITE, 404, 409))
async def change_status(ctx: Ctx, id: str, body: AlertStatus):
    """The fire department or the disaster desk: a new status (kept in the history with the note).

    An alert that is extinguished or cancelled is over: any change is refused with 409.
    """
    alert = await alert_service.change_status(ctx, id, body.status, body.note or "")
    return await _detail(ctx, alert)
