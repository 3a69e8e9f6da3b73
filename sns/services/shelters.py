"""Shelters: the city's list imported from CSV, each marked open, full or closed, on the map and in a list.

An import is all or nothing: any bad row refuses the whole file and nothing is stored. Re-importing
updates the shelters matched by (name, address) and keeps their status; `replace=True` also removes
(tombstones) those the file no longer lists.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from sns import events
from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.i18n import N_, gettext
from sns.models.base import utcnow
from sns.models.places import HAZARDS, SHELTER_STATUSES, Shelter
from sns.policies import can_manage_shelters, can_set_shelter_status
from sns.services import maps
from sns.services.base import clean_text, require, save_change, save_new, tombstone, transaction
from sns.services.shared import public_changed
from sns.services.shelter_csv import ShelterRow, parse

STATUS_LABELS = {"open": N_("Opened"), "full": N_("Full"), "closed": N_("Not open")}
HAZARD_LABELS = {
    "flood": N_("Flood"), "landslide": N_("Landslide"), "storm_surge": N_("Storm surge"),
    "earthquake": N_("Earthquake"), "tsunami": N_("Tsunami"), "fire": N_("Large fire"),
    "inland_flood": N_("Inland flooding"), "volcano": N_("Volcano"),
}
STATUS_ORDER = {"open": 0, "full": 1, "closed": 2}


def status_label(status: str) -> str:
    return gettext(STATUS_LABELS.get(status, status))


def hazard_label(hazard: str) -> str:
    return gettext(HAZARD_LABELS.get(hazard, hazard))


def shelter_url(shelter_id: str) -> str:
    return f"/shelters#shelter-{shelter_id}"


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


async def list_shelters(ctx: Ctx, *, status: str = "", hazard: str = "") -> list[Shelter]:
    """Every shelter (everyone may read them), open ones first, then full, then closed; by name."""
    if status and status not in SHELTER_STATUSES:
        raise Invalid(N_("Choose open, full or closed."), field="status")
    if hazard and hazard not in HAZARDS:
        raise Invalid(N_("Choose a hazard from the list."), field="hazard")
    query = Shelter.filter(deleted_at=None)
    if status:
        query = query.filter(status=status)
    rows = await query.order_by("name", "id")
    if hazard:  # a JSON list: filtered here, the same on SQLite and PostgreSQL (a city has hundreds)
        rows = [s for s in rows if hazard in (s.hazards or [])]
    return sorted(rows, key=lambda s: STATUS_ORDER.get(s.status, 9))


async def get_shelter(ctx: Ctx, shelter_id: str) -> Shelter:
    shelter = await Shelter.get_or_none(id=shelter_id, deleted_at=None)
    if shelter is None:
        raise NotFound(N_("This shelter does not exist."))
    return shelter


def _fields(row: ShelterRow) -> dict[str, Any]:
    return {"lat": row.lat, "lon": row.lon, "capacity": row.capacity, "hazards": row.hazards, "remark": row.remark}


async def import_shelters(ctx: Ctx, data: bytes, *, replace: bool) -> ImportResult:
    """Read the city's CSV and store it in one transaction; any problem refuses the whole file."""
    require(can_manage_shelters(ctx.viewer))
    rows = parse(data or b"", ctx.settings.max_upload_bytes)
    result = ImportResult()
    async with transaction() as tx:
        existing = {(s.name, s.address): s for s in await Shelter.filter(deleted_at=None).using_db(tx)}
        for row in rows:
            shelter = existing.pop((row.name, row.address), None)
            if shelter is None:
                await save_new(Shelter(name=row.name, address=row.address, origin=ctx.origin, **_fields(row)), tx)
                result.added += 1
                continue
            new = _fields(row)
            if all(getattr(shelter, k) == v for k, v in new.items()):
                result.unchanged += 1
                continue
            for k, v in new.items():
                setattr(shelter, k, v)
            await save_change(shelter, tx)
            result.updated += 1
        if replace:
            for shelter in existing.values():
                await tombstone(shelter, tx)
                result.removed += 1
    public_changed()
    await events.publish("shelters.imported", {"added": result.added, "updated": result.updated,
                                               "removed": result.removed})
    return result


async def set_shelter_status(ctx: Ctx, shelter_id: str, status: str) -> Shelter:
    require(can_set_shelter_status(ctx.viewer))
    if status not in SHELTER_STATUSES:
        raise Invalid(N_("Choose open, full or closed."), field="status")
    shelter = await get_shelter(ctx, shelter_id)
    if shelter.status == status:  # pressing the same button twice changes nothing
        return shelter
    async with transaction() as tx:
        shelter.status, shelter.status_changed_at = status, utcnow()
        await save_change(shelter, tx)
    public_changed()
    await events.publish("shelter.status", {"id": shelter.id, "status": status})
    return shelter


def _coordinate(raw: Any, low: float, high: float, name: str) -> float:
    try:
        value = float(unicodedata.normalize("NFKC", str(raw)).strip())
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # NaN fails too
        raise Invalid(N_("Give a number from %(low)d to %(high)d."), field=name, low=low, high=high)
    return value


async def edit_shelter(ctx: Ctx, shelter_id: str, *, name, address, lat, lon, capacity, hazards,
                       remark) -> Shelter:
    """Correct one shelter by hand (the next import matches it by its new name and address)."""
    require(can_manage_shelters(ctx.viewer))
    shelter = await get_shelter(ctx, shelter_id)
    name = clean_text(name, field="name", max_chars=200, single_line=True)
    address = clean_text(address, field="address", max_chars=300, required=False, single_line=True)
    remark = clean_text(remark, field="remark", max_chars=500, required=False, single_line=True)
    lat = _coordinate(lat, -90, 90, "lat")
    lon = _coordinate(lon, -180, 180, "lon")
    raw = unicodedata.normalize("NFKC", str(capacity or "")).replace(",", "").strip()
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) <= 7):
        raise Invalid(N_("Give a whole number of people, or leave it empty."), field="capacity")
    hazards = [h for h in HAZARDS if h in set(hazards or ())]
    if (name, address) != (shelter.name, shelter.address) and await Shelter.filter(
            name=name, address=address, deleted_at=None).exclude(id=shelter.id).exists():
        raise Invalid(N_("Another shelter has this name and address."), field="name")
    async with transaction() as tx:
        shelter.name, shelter.address, shelter.remark, shelter.lat, shelter.lon = name, address, remark, lat, lon
        shelter.capacity, shelter.hazards = (int(raw) if raw else None), hazards
        await save_change(shelter, tx)
    public_changed()
    await events.publish("shelter.updated", {"id": shelter.id})
    return shelter


FEATURE_FIELDS = ("id", "name", "lat", "lon", "status", "capacity", "hazards")


def _features(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    labels = {h: hazard_label(h) for h in HAZARDS}
    statuses = {s: status_label(s) for s in SHELTER_STATUSES}
    return [
        maps.point(r["lat"], r["lon"], id=r["id"], title=r["name"], url=shelter_url(r["id"]),
                   status=r["status"], status_label=statuses.get(r["status"], r["status"]),
                   muted=r["status"] == "closed",
                   capacity=r["capacity"], hazards=[labels.get(h, h) for h in (r["hazards"] or [])])
        for r in rows
    ]


async def shelter_features(ctx: Ctx, bbox: maps.BBox, limit: int) -> list[dict[str, Any]]:
    """The shelters in the box (everyone may see them), as map features."""
    return _features(await Shelter.filter(deleted_at=None, **bbox.around()).limit(limit).values(*FEATURE_FIELDS))


async def locate_shelters(ctx: Ctx, bbox: maps.BBox, limit: int) -> list[tuple[str, float, float]]:
    """Only where they are, for a map zoomed out over many (the map counts them in clusters)."""
    return await Shelter.filter(deleted_at=None, **bbox.around()).limit(limit).values_list("id", "lat", "lon")


async def describe_shelters(ctx: Ctx, ids: list[str]) -> list[dict[str, Any]]:
    return _features(await Shelter.filter(id__in=ids, deleted_at=None).values(*FEATURE_FIELDS))


LAYER = maps.Layer("shelters", N_("Shelters"), shelter_features, order=20, public=True, colour="#2e7d32",
                   list_url="/shelters", locate=locate_shelters, describe=describe_shelters)  # (sns/areas.py)
