"""The API for shelters and the uploaded map areas (see sns/api/v1.py): the same services and policies
as the pages. Everyone (no token needed) reads shelters; the disaster desk and administrators set their
status; administrators import the city's CSV as the request body."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field
from starlette.requests import ClientDisconnect, Request

from sns.api.declare import WRITE, Body, Input, Operations, Output, Query, TooLarge
from sns.api.fields import Id, MaybeTime, Time, Url
from sns.api.http import absolute
from sns.api.refusals import Reported
from sns.api.shapes import when
from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_
from sns.models.places import HAZARDS, SHELTER_STATUSES
from sns.services import map_areas
from sns.services import shelters as shelter_service

API = Operations("shelters")
StatusName = Literal[SHELTER_STATUSES]  # type: ignore[valid-type]
NOT_A_STATUS = Reported(message=N_("Choose open, full or closed."))
Status = Annotated[StatusName, Field(
    description="open: taking people in; full: open but with no room left; closed: not open."), NOT_A_STATUS]
Hazard = Literal[HAZARDS]  # type: ignore[valid-type]
Count = Annotated[int, Field(ge=0)]
CSV = {"type": "string", "contentMediaType": "text/csv",
       "description": "The CSV file itself as the request body (send it as text/csv, not inside JSON): UTF-8, "
                      "UTF-16 with a BOM, or Shift_JIS; a header line naming the columns (name/施設・場所名/名称, "
                      "address/住所, latitude/緯度, longitude/経度, capacity/収容人数, hazards as a ;-separated list "
                      "or one ○ column per hazard, remark/備考)."}


class ShelterQuery(Query):
    status: Annotated[StatusName | None, Field(description="Only shelters with this status."), NOT_A_STATUS] = None
    hazard: Annotated[Hazard | None, Field(description="Only shelters designated for this hazard."),
                      Reported(message=N_("Choose a hazard from the list."))] = None


class ShelterStatus(Input):
    status: Status


class ImportQuery(Query):
    replace: bool = Field(False, description="true: shelters that the file does not list are removed.")


class Shelter(Output):
    id: Id
    name: str
    address: str
    lat: float
    lon: float
    capacity: int | None = Field(description="People it can take in, if the city says.")
    hazards: list[Hazard] = Field(description="The hazards it is designated for.")  # type: ignore[valid-type]
    hazard_labels: list[str] = Field(description="The same, in the caller's language.")
    remark: str
    status: Status
    status_label: str
    status_changed_at: MaybeTime
    url: Url
    updated_at: Time


class ShelterList(Output):
    items: list[Shelter]


class ShelterImport(Output):
    """How many shelters the import added, changed, left as they were and removed."""

    added: Count
    updated: Count
    unchanged: Count
    removed: Count


class MapArea(Output):
    id: Id
    layer: str = Field(description="The layer's name for /api/v1/map/features.")
    name: str
    name_ja: str
    label: str = Field(description="The name in the caller's language.")
    description: str
    features: Count
    vertices: Count
    bbox: list[float] = Field(min_length=4, max_length=4, description="west, south, east, north")
    position: int
    updated_at: Time


class MapAreaList(Output):
    items: list[MapArea]


def shelter_json(ctx: Ctx, s) -> dict[str, Any]:
    return {"id": s.id, "name": s.name, "address": s.address, "lat": s.lat, "lon": s.lon,
            "capacity": s.capacity, "hazards": list(s.hazards or []),
            "hazard_labels": [shelter_service.hazard_label(h) for h in s.hazards or []],
            "remark": s.remark, "status": s.status, "status_label": shelter_service.status_label(s.status),
            "status_changed_at": when(s.status_changed_at) if s.status_changed_at else None,
            "url": absolute(ctx, shelter_service.shelter_url(s.id)), "updated_at": when(s.updated_at)}


@API.get("/api/v1/shelters", answer=ShelterList, query=ShelterQuery, errors=(400, 401))
async def list_shelters(ctx: Ctx, query: ShelterQuery):
    """The city's shelters: open ones first, then full, then not open; by name."""
    items = await shelter_service.list_shelters(ctx, status=query.status or "", hazard=query.hazard or "")
    return {"items": [shelter_json(ctx, s) for s in items]}


@API.post("/api/v1/shelters/import", answer=ShelterImport, body=Body("text/csv", CSV), query=ImportQuery,
          auth=True, errors=(400, 401, 403, 413))
async def import_shelters(ctx: Ctx, request: Request, query: ImportQuery):
    """An administrator: import the city's shelter list.

    The request body is the CSV file itself (UTF-8, UTF-16 with a BOM, or Shift_JIS), with Japanese or
    English column names (see docs/shelters.md). Any bad row refuses the whole file: the error lists
    every problem with its line number. `?replace=true` also removes the shelters the file leaves out.
    """
    data = await _read_body(request, ctx.settings.max_upload_bytes)
    result = await shelter_service.import_shelters(ctx, data, replace=query.replace)
    return {"added": result.added, "updated": result.updated, "unchanged": result.unchanged,
            "removed": result.removed}


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


@API.post("/api/v1/shelters/{id}/status", answer=Shelter, body=ShelterStatus, auth=True, errors=(*WRITE, 404))
async def set_shelter_status(ctx: Ctx, id: str, body: ShelterStatus):
    """The disaster desk or an administrator: mark a shelter open, full or closed."""
    return shelter_json(ctx, await shelter_service.set_shelter_status(ctx, id, body.status))


def area_json(ctx: Ctx, layer) -> dict[str, Any]:
    return {"id": layer.id, "layer": map_areas.PREFIX + layer.id, "name": layer.name, "name_ja": layer.name_ja,
            "label": map_areas.label_of(layer), "description": layer.description, "features": layer.features,
            "vertices": layer.vertices, "bbox": [layer.west, layer.south, layer.east, layer.north],
            "position": layer.position, "updated_at": when(layer.updated_at)}


@API.get("/api/v1/map-areas", answer=MapAreaList, tag="map")
async def list_map_areas(ctx: Ctx):
    """The areas administrators uploaded that the map shows (hazard zones, evacuation routes).

    Their names, counts and bounding boxes; their shapes come from /api/v1/map/features with
    `layers=area:<id>`.
    """
    return {"items": [area_json(ctx, layer) for layer in await map_areas.list_layers(ctx)]}
