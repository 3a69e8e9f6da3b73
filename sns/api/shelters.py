"""The API for shelters and the uploaded map areas (see sns/api/v1.py): the same services and policies
as the pages. Everyone (no token needed) reads shelters; the disaster desk and administrators set their
status; administrators import the city's CSV as the request body."""

from __future__ import annotations

from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.routing import Route

from sns.api.auth import require_user
from sns.api.http import absolute, answer, endpoint
from sns.api.inputs import TooLarge, read_json
from sns.api.openapi import WRITE, op
from sns.api.schemas import ID, TEXT, TIME, URL, obj, ref
from sns.api.shapes import when
from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_
from sns.models.places import HAZARDS, SHELTER_STATUSES
from sns.services import map_areas
from sns.services import shelters as shelter_service


def shelter_json(ctx: Ctx, s) -> dict[str, Any]:
    return {"id": s.id, "name": s.name, "address": s.address, "lat": s.lat, "lon": s.lon,
            "capacity": s.capacity, "hazards": list(s.hazards or []),
            "hazard_labels": [shelter_service.hazard_label(h) for h in s.hazards or []],
            "remark": s.remark, "status": s.status, "status_label": shelter_service.status_label(s.status),
            "status_changed_at": when(s.status_changed_at) if s.status_changed_at else None,
            "url": absolute(ctx, shelter_service.shelter_url(s.id)), "updated_at": when(s.updated_at)}


@endpoint
async def list_shelters(request: Request, ctx: Ctx):
    """The city's shelters: open ones first, then full, then not open; by name."""
    q = request.query_params
    items = await shelter_service.list_shelters(ctx, status=q.get("status", "")[:20], hazard=q.get("hazard", "")[:20])
    return answer({"items": [shelter_json(ctx, s) for s in items]})


@endpoint
async def set_shelter_status(request: Request, ctx: Ctx):
    """The disaster desk or an administrator: mark a shelter open, full or closed."""
    require_user(ctx)
    data = await read_json(request, ctx, ("status",))
    status = data.get("status")
    if not isinstance(status, str):
        raise Invalid(N_("Choose open, full or closed."), field="status")
    shelter = await shelter_service.set_shelter_status(ctx, request.path_params["id"], status)
    return answer(shelter_json(ctx, shelter))


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    too_large = TooLarge(N_("The file is too large (at most %(mb)d MB)."), mb=max(1, limit // (1024 * 1024)))
    if declared.isascii() and declared.isdigit() and (len(declared) > 15 or int(declared) > limit):
        raise too_large
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
    except ClientDisconnect:
        raise Invalid(N_("The file is empty.")) from None
    return b"".join(chunks)


@endpoint
async def import_shelters(request: Request, ctx: Ctx):
    """An administrator: import the city's shelter list.

    The request body is the CSV file itself (UTF-8, UTF-16 with a BOM, or Shift_JIS), with Japanese or
    English column names (see docs/shelters.md). Any bad row refuses the whole file: the error lists
    every problem with its line number. `?replace=true` also removes the shelters the file leaves out.
    """
    require_user(ctx)
    replace = request.query_params.get("replace", "").lower() in ("1", "true", "yes")
    data = await _read_body(request, ctx.settings.max_upload_bytes)
    result = await shelter_service.import_shelters(ctx, data, replace=replace)
    return answer({"added": result.added, "updated": result.updated, "unchanged": result.unchanged,
                   "removed": result.removed})


def area_json(ctx: Ctx, layer) -> dict[str, Any]:
    return {"id": layer.id, "layer": map_areas.PREFIX + layer.id, "name": layer.name, "name_ja": layer.name_ja,
            "label": map_areas.label_of(layer), "description": layer.description, "features": layer.features,
            "vertices": layer.vertices, "bbox": [layer.west, layer.south, layer.east, layer.north],
            "position": layer.position, "updated_at": when(layer.updated_at)}


@endpoint
async def list_map_areas(request: Request, ctx: Ctx):
    """The areas administrators uploaded that the map shows (hazard zones, evacuation routes): their
    names, counts and bounding boxes. Their shapes come from /api/v1/map/features with `layers=area:<id>`."""
    return answer({"items": [area_json(ctx, layer) for layer in await map_areas.list_layers(ctx)]})


ENDPOINTS: list[Route] = [
    Route("/api/v1/shelters", list_shelters, methods=["GET"]),
    Route("/api/v1/shelters/import", import_shelters, methods=["POST"]),
    Route("/api/v1/shelters/{id}/status", set_shelter_status, methods=["POST"]),
    Route("/api/v1/map-areas", list_map_areas, methods=["GET"]),
]

STATUS = {"type": "string", "enum": list(SHELTER_STATUSES),
          "description": "open: taking people in; full: open but with no room left; closed: not open."}
HAZARD = {"type": "string", "enum": list(HAZARDS)}
SHELTER_QUERY = (
    {"name": "status", "in": "query", "required": False, "schema": STATUS,
     "description": "Only shelters with this status."},
    {"name": "hazard", "in": "query", "required": False, "schema": HAZARD,
     "description": "Only shelters designated for this hazard."},
)
REPLACE = {"name": "replace", "in": "query", "required": False, "schema": {"type": "boolean"},
           "description": "true: shelters that the file does not list are removed."}

OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/v1/shelters"): op("shelters", (200, "ShelterList"), query=SHELTER_QUERY, errors=(400, 401)),
    ("POST", "/api/v1/shelters/import"): op("shelters", (200, "ShelterImport"), auth=True, query=(REPLACE,),
                                            body="ShelterCsv", errors=(400, 401, 403, 413),
                                            media="text/csv"),
    ("POST", "/api/v1/shelters/{id}/status"): op("shelters", (200, "Shelter"), auth=True, body="ShelterStatus",
                                                 errors=(*WRITE, 404)),
    ("GET", "/api/v1/map-areas"): op("map", (200, "MapAreaList"), errors=(401,)),
}
COUNT = {"type": "integer", "minimum": 0}
SCHEMAS: dict[str, Any] = {
    "Shelter": obj({
        "id": ID, "name": TEXT, "address": TEXT, "lat": {"type": "number"}, "lon": {"type": "number"},
        "capacity": {"type": ["integer", "null"], "description": "People it can take in, if the city says."},
        "hazards": {"type": "array", "items": HAZARD, "description": "The hazards it is designated for."},
        "hazard_labels": {"type": "array", "items": TEXT, "description": "The same, in the caller's language."},
        "remark": TEXT, "status": STATUS, "status_label": TEXT,
        "status_changed_at": {"type": ["string", "null"], "format": "date-time"},
        "url": URL, "updated_at": TIME,
    }),
    "ShelterList": obj({"items": {"type": "array", "items": ref("Shelter")}}),
    "ShelterStatus": obj({"status": STATUS}, closed=True),
    "ShelterCsv": {"type": "string", "contentMediaType": "text/csv",
                   "description": "The CSV file itself as the request body (send it as text/csv, not inside "
                                  "JSON): UTF-8, UTF-16 with a BOM, or Shift_JIS; a header line naming the columns "
                                  "(name/施設・場所名/名称, address/住所, latitude/緯度, longitude/経度, capacity/収容人数, "
                                  "hazards as a ;-separated list or one ○ column per hazard, remark/備考)."},
    "ShelterImport": obj({"added": COUNT, "updated": COUNT, "unchanged": COUNT, "removed": COUNT},
                         description="How many shelters the import added, changed, left as they were and removed."),
    "MapArea": obj({
        "id": ID, "layer": {"type": "string", "description": "The layer's name for /api/v1/map/features."},
        "name": TEXT, "name_ja": TEXT, "label": {"type": "string", "description": "The name in the caller's language."},
        "description": TEXT, "features": COUNT, "vertices": COUNT,
        "bbox": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4,
                 "description": "west, south, east, north"},
        "position": {"type": "integer"}, "updated_at": TIME,
    }),
    "MapAreaList": obj({"items": {"type": "array", "items": ref("MapArea")}}),
}
PATH_PARAMS: dict[str, Any] = {}
