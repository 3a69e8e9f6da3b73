"""The API for official alerts (see sns/api/v1.py): the same services and policies as the pages.

Everyone (no token needed) reads alerts; the fire department and the disaster desk post them and
change their status with a token. Each alert as CAP 1.2 is in sns/api/alert_feeds.py.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from sns.api.auth import require_user
from sns.api.http import absolute, answer, endpoint
from sns.api.inputs import read_json
from sns.api.openapi import WRITE, op
from sns.api.schemas import CLIENT_TOKEN, ID, TEXT, TIME, URL, obj, ref
from sns.api.shapes import when
from sns.context import Ctx
from sns.models.alerts import ALERT_KINDS, ALERT_STATUSES, CERTAINTIES, SEVERITIES, URGENCIES
from sns.services import alerts as alert_service

NEW_FIELDS = ("kind", "title", "description", "instruction", "address", "lat", "lon", "radius_m", "polygon",
              "severity", "urgency", "certainty", "exercise", "districts", "client_token")


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


async def _detail(ctx: Ctx, alert, status: int = 200):
    steps = await alert_service.history(alert)
    return answer({**alert_json(ctx, alert), "history": [step_json(s) for s in steps]}, status)


def _text(data: dict, name: str) -> Any:
    value = data.get(name)
    return "" if value is None else value if isinstance(value, str) else str(value) \
        if isinstance(value, (int, float)) and not isinstance(value, bool) else value


@endpoint
async def list_alerts(request: Request, ctx: Ctx):
    """The active alerts, newest first; with `?all=true` also those over in the last 30 days."""
    everything = request.query_params.get("all", "").lower() in ("1", "true", "yes")
    items = await alert_service.list_alerts(ctx) if everything else await alert_service.active_alerts(ctx)
    return answer({"items": [alert_json(ctx, a) for a in items]})


@endpoint
async def get_alert(request: Request, ctx: Ctx):
    """One alert with its visible history (oldest step first)."""
    return await _detail(ctx, await alert_service.get_alert(ctx, request.path_params["id"]))


@endpoint
async def post_alert(request: Request, ctx: Ctx):
    """The fire department or the disaster desk: post an alert. A place is required: `lat` and `lon`,
    or a closed `polygon` of [lat, lon] pairs (its centre is then the place)."""
    require_user(ctx)
    data = await read_json(request, ctx, NEW_FIELDS)
    fields = {name: _text(data, name) for name in ("kind", "title", "description", "instruction", "address")}
    for name in ("severity", "urgency", "certainty"):
        if name in data:
            fields[name] = data[name]
    alert = await alert_service.post_alert(
        ctx, **fields, lat=_text(data, "lat"), lon=_text(data, "lon"), radius_m=data.get("radius_m"),
        polygon=data.get("polygon"), exercise=data.get("exercise") is True, districts=data.get("districts"),
        client_token=data.get("client_token") if isinstance(data.get("client_token"), str) else None)
    return await _detail(ctx, alert, 201)


@endpoint
async def change_status(request: Request, ctx: Ctx):
    """The fire department or the disaster desk: a new status (kept in the history with the note).
    An alert that is extinguished or cancelled is over: any change is refused with 409."""
    require_user(ctx)
    data = await read_json(request, ctx, ("status", "note"))
    alert = await alert_service.change_status(ctx, request.path_params["id"], data.get("status"),
                                              _text(data, "note"))
    return await _detail(ctx, alert)


@endpoint
async def correct_alert(request: Request, ctx: Ctx):
    """The fire department or the disaster desk: correct an active alert's texts (a step in its history).
    Fields left out keep their text."""
    require_user(ctx)
    data = await read_json(request, ctx, ("title", "description", "instruction", "note"))
    alert = await alert_service.get_alert(ctx, request.path_params["id"])
    texts = {name: data[name] if name in data else getattr(alert, name)
             for name in ("title", "description", "instruction")}
    alert = await alert_service.correct_alert(ctx, alert.id, **texts, note=_text(data, "note"))
    return await _detail(ctx, alert)


ENDPOINTS: list[Route] = [
    Route("/api/v1/alerts", list_alerts, methods=["GET"]),
    Route("/api/v1/alerts", post_alert, methods=["POST"]),
    Route("/api/v1/alerts/{id}", get_alert, methods=["GET"]),
    Route("/api/v1/alerts/{id}", correct_alert, methods=["PATCH"]),
    Route("/api/v1/alerts/{id}/status", change_status, methods=["POST"]),
]

ALL = {"name": "all", "in": "query", "required": False, "schema": {"type": "boolean"},
       "description": "true: also the alerts that ended in the last 30 days (after the active ones)."}
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/v1/alerts"): op("alerts", (200, "AlertList"), query=(ALL,), errors=(401,)),
    ("POST", "/api/v1/alerts"): op("alerts", (201, "AlertDetail"), auth=True, body="AlertNew",
                                   errors=(*WRITE, 429)),
    ("GET", "/api/v1/alerts/{id}"): op("alerts", (200, "AlertDetail"), errors=(401, 404)),
    ("PATCH", "/api/v1/alerts/{id}"): op("alerts", (200, "AlertDetail"), auth=True, body="AlertCorrection",
                                         errors=(*WRITE, 404, 409)),
    ("POST", "/api/v1/alerts/{id}/status"): op("alerts", (200, "AlertDetail"), auth=True, body="AlertStatus",
                                               errors=(*WRITE, 404, 409)),
}
KIND = {"type": "string", "enum": list(ALERT_KINDS)}
STATUS = {"type": "string", "enum": list(ALERT_STATUSES),
          "description": "outbreak and under_control are active; extinguished and cancelled end the alert."}
SEVERITY = {"type": "string", "enum": list(SEVERITIES), "description": "CAP 1.2's severity."}
URGENCY = {"type": "string", "enum": list(URGENCIES), "description": "CAP 1.2's urgency."}
CERTAINTY = {"type": "string", "enum": list(CERTAINTIES), "description": "CAP 1.2's certainty."}
POLYGON = {"type": ["array", "null"], "minItems": 4, "maxItems": alert_service.MAX_POLYGON_POINTS,
           "items": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
           "description": "The area's outline as [latitude, longitude] pairs; the last repeats the first."}
RADIUS = {"type": ["integer", "null"], "minimum": 1, "maximum": alert_service.MAX_RADIUS_M,
          "description": "The area as a circle of this many metres around the place."}
DISTRICTS = {"type": "array", "items": ID, "maxItems": 500,
             "description": "The districts affected (District ids): residents who asked to be told of alerts "
                            "for their district are told of these."}
SCHEMAS: dict[str, Any] = {
    "Alert": obj({
        "id": ID, "kind": KIND, "kind_label": TEXT, "title": TEXT, "description": TEXT, "instruction": TEXT,
        "address": TEXT, "lat": {"type": "number"}, "lon": {"type": "number"}, "radius_m": RADIUS,
        "polygon": POLYGON, "severity": SEVERITY, "urgency": URGENCY, "certainty": CERTAINTY,
        "status": STATUS, "status_label": TEXT, "active": {"type": "boolean"},
        "exercise": {"type": "boolean", "description": "A drill (CAP status Exercise), not a real emergency."},
        "districts": DISTRICTS,
        "sender": TEXT, "identifier": TEXT,
        "source_name": {**TEXT, "description": "For an alert of a neighbouring city this instance mirrors: that "
                                               "city's name (\"\" otherwise)."},
        "sent_at": TIME, "updated_at": TIME, "url": URL,
        "cap_url": {**URL, "description": "The same alert as a CAP 1.2 document."},
    }),
    "AlertStep": obj({
        "status": STATUS, "status_label": TEXT, "note": TEXT, "at": TIME,
        "by": {"type": ["string", "null"], "description": "The staff member's display name."},
        "cap_identifier": TEXT,
    }, description="One step of the visible history: posted, a status change, a correction."),
    "AlertDetail": {"allOf": [ref("Alert"), obj({"history": {"type": "array", "items": ref("AlertStep")}})]},
    "AlertList": obj({"items": {"type": "array", "items": ref("Alert")}}),
    "AlertNew": obj({
        "kind": KIND, "title": {"type": "string", "maxLength": 200}, "description": TEXT, "instruction": TEXT,
        "address": {"type": "string", "maxLength": 300},
        "lat": {"type": ["number", "null"]}, "lon": {"type": ["number", "null"]}, "radius_m": RADIUS,
        "polygon": POLYGON, "severity": {**SEVERITY, "default": "Severe"},
        "urgency": {**URGENCY, "default": "Immediate"}, "certainty": {**CERTAINTY, "default": "Observed"},
        "exercise": {"type": "boolean", "default": False, "description": "true: a drill."},
        "districts": DISTRICTS, "client_token": CLIENT_TOKEN,
    }, required=("kind", "title"), closed=True),
    "AlertCorrection": obj({"title": {"type": "string", "maxLength": 200}, "description": TEXT, "instruction": TEXT,
                            "note": {"type": "string", "maxLength": 2000}}, required=(), closed=True),
    "AlertStatus": obj({"status": STATUS, "note": {"type": "string", "maxLength": 2000}},
                       required=("status",), closed=True),
}
PATH_PARAMS: dict[str, Any] = {}
