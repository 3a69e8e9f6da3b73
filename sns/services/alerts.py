"""Official alerts: the fire department and the disaster desk post them and change their status; each
step is kept in a visible history, and every action in the staff action log.

Alerts are official: not screened by the word filter, but rate-limited like posts. While any alert is
active every page shows a banner; the list of active alerts is the same for everyone, so it is kept in
the shared cache (`sns.services.shared`) and a warm banner costs no query.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from sns import events
from sns.context import Ctx
from sns.errors import Conflict, Invalid, NotFound
from sns.fediverse import publishing as fediverse
from sns.geo import parse_location
from sns.i18n import N_, gettext
from sns.models.alerts import (
    ACTIVE_STATUSES, ALERT_KINDS, ALERT_STATUSES, CERTAINTIES, SEVERITIES, URGENCIES, Alert, AlertUpdate,
    StaffActionLog,
)
from sns.models.base import utcnow
from sns.policies import can_change_alert, can_post_alert
from sns.services import alert_notices, maps
from sns.services.alert_districts import check_districts
from sns.services.base import (
    clean_text, idempotency_key, rate_limit_post, require, save_change, save_new, transaction,
)
from sns.services.shared import SharedCache, database_of, public_changed

KIND_LABELS = {"fire": N_("Fire"), "flood": N_("Flood"), "landslide": N_("Landslide"),
               "earthquake": N_("Earthquake"), "tsunami": N_("Tsunami"), "storm": N_("Storm"),
               "other": N_("Other hazard")}
STATUS_LABELS = {"outbreak": N_("Outbreak"), "under_control": N_("Under control"),
                 "extinguished": N_("Extinguished"), "cancelled": N_("Cancelled")}
SEVERITY_LABELS = {"Extreme": N_("Extreme"), "Severe": N_("Severe"), "Moderate": N_("Moderate"),
                   "Minor": N_("Minor"), "Unknown": N_("Unknown")}
MAX_POLYGON_POINTS = 500
MAX_RADIUS_M = 100_000
RECENT_DAYS = 30

_shared = SharedCache()


def kind_label(kind: str) -> str:
    return gettext(KIND_LABELS.get(kind, kind))


def status_label(status: str) -> str:
    return gettext(STATUS_LABELS.get(status, status))


def severity_label(severity: str) -> str:
    return gettext(SEVERITY_LABELS.get(severity, severity))


def alert_url(alert_id: str) -> str:
    return f"/alerts/{alert_id}"


def is_active(alert: Alert) -> bool:
    return alert.status in ACTIVE_STATUSES and alert.deleted_at is None


def _choice(value: Any, allowed: tuple[str, ...], field: str, message: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise Invalid(message, field=field)
    return value


def check_radius(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    raw = unicodedata.normalize("NFKC", str(value)).replace(",", "").strip()
    if isinstance(value, bool) or not (raw.isascii() and raw.isdigit() and len(raw) <= 7) \
            or not 1 <= int(raw) <= MAX_RADIUS_M:
        raise Invalid(N_("Give the radius in whole metres, from 1 to %(max)d, or leave it empty."),
                      field="radius_m", max=MAX_RADIUS_M)
    return int(raw)


def check_polygon(value: Any) -> list[list[float]] | None:
    """[[lat, lon], ...]: at least 4 points, each in range, closed (first == last), at most 500."""
    if value is None or value == "" or value == []:
        return None
    if not isinstance(value, list) or not all(isinstance(p, (list, tuple)) and len(p) == 2 for p in value):
        raise Invalid(N_("The area's outline must be a list of [latitude, longitude] pairs."), field="polygon")
    if len(value) > MAX_POLYGON_POINTS:
        raise Invalid(N_("The area's outline may have at most %(n)d points."), field="polygon", n=MAX_POLYGON_POINTS)
    points = []
    for lat, lon in value:
        if isinstance(lat, bool) or isinstance(lon, bool) or not isinstance(lat, (int, float)) \
                or not isinstance(lon, (int, float)) or not (math.isfinite(lat) and math.isfinite(lon)) \
                or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise Invalid(N_("Each point of the area's outline needs a latitude from -90 to 90 and a longitude "
                             "from -180 to 180."), field="polygon")
        points.append([round(float(lat), 6), round(float(lon), 6)])
    if len(points) < 4:
        raise Invalid(N_("The area's outline needs at least 4 points (the last one repeating the first)."),
                      field="polygon")
    if points[0] != points[-1]:
        raise Invalid(N_("The area's outline must end where it starts."), field="polygon")
    return points


def centroid(points: list[list[float]]) -> tuple[float, float]:
    ring = points[:-1]
    return round(sum(p[0] for p in ring) / len(ring), 6), round(sum(p[1] for p in ring) / len(ring), 6)


async def _log(ctx: Ctx, tx, action: str, alert: Alert, detail: str = "") -> None:
    await StaffActionLog.create(using_db=tx, actor_id=ctx.user.id, action=action, target_kind="alert",
                                target_id=alert.id, detail=detail[:2000])


async def _changed(alert: Alert, step) -> None:
    """After commit: what every reader sees is fresh, and open pages hear of it. The step's id is the
    SSE event id, so a page that reconnects is replayed what came after it (sns/services/live.py)."""
    public_changed()
    await events.publish("alert", {"id": alert.id, "status": alert.status, "update": step.id})
    alert_notices.notify_soon()  # residents who asked are told by the background job; nobody waits for it


async def alert_fields(ctx: Ctx, *, kind, title, description, instruction, address="", lat=None, lon=None,
                       radius_m=None, polygon=None, severity="Severe", urgency="Immediate", certainty="Observed",
                       exercise=False, districts=None, conn=None) -> dict[str, Any]:
    """A new alert's fields, checked (Invalid names the field): the alert form's rules, shared by posting
    here and by staff acting for their fallen city on a neighbour's site (sns/mirror/behalf.py), whose
    districts are read through `conn` (that city's replica)."""
    kind = _choice(kind, ALERT_KINDS, "kind", N_("Choose the kind of hazard from the list."))
    title = clean_text(title, field="title", max_chars=200, single_line=True)
    description = clean_text(description, field="description", max_chars=ctx.settings.max_body_chars,
                             required=False)
    instruction = clean_text(instruction, field="instruction", max_chars=ctx.settings.max_body_chars,
                             required=False)
    address = clean_text(address, field="address", max_chars=300, required=False, single_line=True)
    severity = _choice(severity, SEVERITIES, "severity", N_("Choose the severity from the list."))
    urgency = _choice(urgency, URGENCIES, "urgency", N_("Choose the urgency from the list."))
    certainty = _choice(certainty, CERTAINTIES, "certainty", N_("Choose the certainty from the list."))
    lat, lon = parse_location(lat, lon)
    polygon = check_polygon(polygon)
    if polygon and lat is None:
        lat, lon = centroid(polygon)
    if lat is None:
        raise Invalid(N_("Say where: choose the place on the map or type its latitude and longitude."),
                      field="location")
    radius_m = check_radius(radius_m)
    districts = await check_districts(districts, conn)
    return dict(kind=kind, title=title, description=description, instruction=instruction, address=address,
                lat=lat, lon=lon, radius_m=radius_m, polygon=polygon, severity=severity, urgency=urgency,
                certainty=certainty, exercise=bool(exercise), districts=districts or None)


async def post_alert(ctx: Ctx, *, client_token: str | None = None, **typed) -> Alert:
    """Post a new alert (the fields of `alert_fields`), or return the one this form already posted."""
    client_token = idempotency_key(client_token)
    require(can_post_alert(ctx.viewer), N_("Only the fire department and the disaster desk post alerts."))
    if client_token:
        earlier = await Alert.get_or_none(client_token=client_token, author_id=ctx.user.id)
        if earlier is not None:  # a double-submitted form posts once
            return earlier
    fields = await alert_fields(ctx, **typed)
    await rate_limit_post(ctx)
    alert = Alert(**fields, status="outbreak", author_id=ctx.user.id, sender=ctx.settings.origin,
                  client_token=client_token or None, origin=ctx.origin)
    alert.identifier = alert.id
    try:
        async with transaction() as tx:
            await save_new(alert, tx)
            step = await save_new(AlertUpdate(alert_id=alert.id, author_id=ctx.user.id, status="outbreak",
                                       cap_identifier=alert.id, origin=ctx.origin), tx)
            await _log(ctx, tx, "alert.post", alert, f"{alert.kind}: {alert.title}")
            await fediverse.alert_changed(tx, ctx.settings, alert, False)  # the city's followers elsewhere
    except IntegrityError:  # the same form, submitted twice at once: the first one won
        return await Alert.get(client_token=client_token, author_id=ctx.user.id)
    await _changed(alert, step)
    return alert


async def get_alert(ctx: Ctx, alert_id: str) -> Alert:
    """Everyone may read alerts; a removed one is gone."""
    alert = await Alert.get_or_none(id=alert_id, deleted_at=None)
    if alert is None:
        raise NotFound(N_("This alert does not exist."))
    return alert


def _over(alert: Alert) -> None:
    if alert.status not in ACTIVE_STATUSES:
        raise Conflict(N_("This alert is over: post a new one."), field="status")


def check_status_change(alert: Alert, status, note) -> tuple[str, str]:
    """The new status and its note, checked against the alert (shared with acting on behalf)."""
    status = _choice(status, ALERT_STATUSES, "status", N_("Choose a status from the list."))
    note = clean_text(note, field="note", max_chars=2000, required=False)
    _over(alert)
    if status == alert.status:
        raise Invalid(N_("The alert already has this status."), field="status")
    return status, note


async def change_status(ctx: Ctx, alert_id: str, status, note="") -> Alert:
    require(can_post_alert(ctx.viewer), N_("Only the fire department and the disaster desk change alerts."))
    alert = await get_alert(ctx, alert_id)
    require(can_change_alert(ctx.viewer, alert), N_("This alert comes from another system: it changes there."))
    status, note = check_status_change(alert, status, note)
    async with transaction() as tx:
        steps = await AlertUpdate.filter(alert_id=alert.id).using_db(tx).count()
        step = await save_new(AlertUpdate(alert_id=alert.id, author_id=ctx.user.id, status=status, note=note,
                                   cap_identifier=f"{alert.id}.{steps}", origin=ctx.origin), tx)
        alert.status, alert.updated_at = status, utcnow()
        await save_change(alert, tx)
        await _log(ctx, tx, "alert.status", alert, f"{status}: {note}" if note else status)
        await fediverse.alert_changed(tx, ctx.settings, alert, True)  # a cancellation too: an Update
    await _changed(alert, step)
    return alert


async def correct_alert(ctx: Ctx, alert_id: str, *, title, description, instruction, note="") -> Alert:
    """Correct the texts of an active alert; the correction shows in its history."""
    require(can_post_alert(ctx.viewer), N_("Only the fire department and the disaster desk change alerts."))
    alert = await get_alert(ctx, alert_id)
    require(can_change_alert(ctx.viewer, alert), N_("This alert comes from another system: it changes there."))
    _over(alert)
    title = clean_text(title, field="title", max_chars=200, single_line=True)
    description = clean_text(description, field="description", max_chars=ctx.settings.max_body_chars,
                             required=False)
    instruction = clean_text(instruction, field="instruction", max_chars=ctx.settings.max_body_chars,
                             required=False)
    note = clean_text(note, field="note", max_chars=2000, required=False)
    async with transaction() as tx:
        steps = await AlertUpdate.filter(alert_id=alert.id).using_db(tx).count()
        alert.title, alert.description, alert.instruction = title, description, instruction
        await save_change(alert, tx)
        step = await save_new(AlertUpdate(alert_id=alert.id, author_id=ctx.user.id, status=alert.status,
                                   note=note or gettext(N_("The alert's text was corrected.")),
                                   cap_identifier=f"{alert.id}.{steps}", origin=ctx.origin), tx)
        await _log(ctx, tx, "alert.correct", alert, title)
        await fediverse.alert_changed(tx, ctx.settings, alert, True)
    await _changed(alert, step)
    return alert


async def _load_active() -> list[Alert]:
    return await Alert.filter(status__in=list(ACTIVE_STATUSES), deleted_at=None).order_by("-sent_at", "-id") \
        .limit(50)


async def active_alerts(ctx: Ctx) -> list[Alert]:
    """The active alerts, newest first: the same for everyone, kept in the shared cache."""
    return await _shared.get((database_of(ctx.settings), "active_alerts"), ctx.settings.shared_cache_seconds,
                             _load_active)


async def list_alerts(ctx: Ctx, *, everything: bool = False) -> list[Alert]:
    """Active alerts first (newest first), then those over in the last 30 days (or all with `everything`)."""
    active = await _load_active()
    over = Alert.filter(deleted_at=None).exclude(status__in=list(ACTIVE_STATUSES))
    if not everything:
        over = over.filter(sent_at__gte=utcnow() - timedelta(days=RECENT_DAYS))
    return active + await over.order_by("-sent_at", "-id").limit(200)


async def history(alert: Alert) -> list[AlertUpdate]:
    """Its visible steps, oldest first, with who took them."""
    return await AlertUpdate.filter(alert_id=alert.id, deleted_at=None).order_by("created_at", "id") \
        .select_related("author")


# --- the map layer ---------------------------------------------------------------------------

def alert_features(alerts: list[Alert]) -> list[dict[str, Any]]:
    found = []
    for a in alerts:
        props = dict(id=a.id, title=a.title, url=alert_url(a.id), status=a.status, status_label=status_label(a.status),
                     kind=a.kind, kind_label=kind_label(a.kind), radius_m=a.radius_m, exercise=a.exercise,
                     source=a.sender if a.source else "")
        if a.source:  # imported: the popup says from where
            props["detail"] = gettext(N_("From %(sender)s"), sender=a.source_name or a.sender)
        found.append(maps.point(a.lat, a.lon, **props))
        if a.polygon:
            ring = [[p[1], p[0]] for p in a.polygon]
            found.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                          "properties": {**props, "area": True}})
    return found


def _in_box(a: Alert, bbox: maps.BBox) -> bool:
    if bbox.contains(a.lat, a.lon):
        return True
    if a.polygon:
        lats, lons = [p[0] for p in a.polygon], [p[1] for p in a.polygon]
        return bbox.overlaps(min(lons), min(lats), max(lons), max(lats))
    return False


async def layer_features(ctx: Ctx, bbox: maps.BBox, limit: int) -> list[dict[str, Any]]:
    """The active alerts in (or reaching into) the box; everyone sees them."""
    return alert_features([a for a in await active_alerts(ctx) if _in_box(a, bbox)][:limit])


LAYER = maps.Layer("alerts", N_("Alerts"), layer_features, order=10, public=True, colour="#c62828",
                   list_url="/alerts")  # the map layer of alerts (sns/areas.py)
