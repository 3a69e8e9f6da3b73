"""Events on the town's calendar: post, edit, cancel, delete (answers are in `sns.services.rsvps`)."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError

from sns import events as live
from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.geo import parse_location
from sns.i18n import N_
from sns.models import Event, Photo, Rsvp
from sns.models.base import utcnow
from sns.policies import (
    Viewer, can_cancel_event, can_delete_event, can_edit_event, can_post_event, can_post_official_event, can_view_event,
)
from sns.services import photo_access, review
from sns.services.base import (
    clean_text, idempotency_key, rate_limit_post, require, save_change, save_new, tombstone, transaction,
)
from sns.services.event_access import community_and_membership
from sns.services.diaries import check_visibility
from sns.services.photos import photos_kept, process_photos, remove_photos, replace_photos, store_photos
from sns.services.moderate import open_flag, screen, tell_moderators
from sns.services.notifications import notify
from sns.services.waiting_list import promote_waiting

MAX_CAPACITY = 100_000
FIRST_YEAR, LAST_YEAR = 1970, 2200


# --- input ------------------------------------------------------------------------------------------

def zone_of(ctx: Ctx) -> ZoneInfo:
    return ZoneInfo(ctx.settings.timezone)


def parse_local(ctx: Ctx, day, clock, *, field: str) -> datetime:
    """A date (YYYY-MM-DD) and a time (HH:MM) typed in the site's time zone, as aware UTC."""
    day = (day or "").strip() if isinstance(day, str) else ""
    clock = (clock or "").strip() if isinstance(clock, str) else ""
    if not day:
        raise Invalid(N_("Please give a date."), field=field)
    if len(clock) == 4 and clock[1] == ":":  # 9:30, typed where a browser has no time picker
        clock = "0" + clock
    try:
        d = date.fromisoformat(day[:10]) if len(day) <= 10 else None
        t = time.fromisoformat(clock[:8]) if clock and len(clock) <= 8 else time(0, 0)
    except ValueError:
        d = None
    if d is None or not FIRST_YEAR <= d.year <= LAST_YEAR:
        raise Invalid(N_("Give the date as year-month-day, such as 2026-05-03, and the time as 18:30."), field=field)
    return datetime.combine(d, t.replace(tzinfo=None), tzinfo=zone_of(ctx)).astimezone(timezone.utc)


def parse_instant(ctx: Ctx, value, *, field: str) -> datetime:
    """An ISO 8601 date-time (the API); without an offset it is in the site's time zone."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    else:
        moment = None
    if moment is None or not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise Invalid(N_("Give the date and time as ISO 8601, such as 2026-05-03T18:30:00+09:00."), field=field)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone_of(ctx))
    return moment.astimezone(timezone.utc)


def parse_capacity(value) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        value = "x"
    try:
        number = int(value.strip() if isinstance(value, str) and len(value) < 20 else value)
    except (TypeError, ValueError):
        raise Invalid(N_("The number of places must be a whole number, or empty for no limit."),
                      field="capacity") from None
    if not 1 <= number <= MAX_CAPACITY:
        raise Invalid(N_("The number of places must be between 1 and %(max)d, or empty for no limit."),
                      field="capacity", max=MAX_CAPACITY)
    return number


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at < starts_at:
        raise Invalid(N_("The event cannot end before it starts."), field="end")


# --- reading ----------------------------------------------------------------------------------------

async def get_event(ctx: Ctx, event_id: str) -> Event:
    """The event if the viewer may see it (with `.community_row` and `.membership`), else NotFound."""
    event = await Event.get_or_none(id=event_id).select_related("organizer") if isinstance(event_id, str) \
        and len(event_id) <= 36 else None
    community, membership = await community_and_membership(ctx.viewer, event.community_id if event else None)
    if event is None or not can_view_event(ctx.viewer, event, community, membership):
        raise NotFound(N_("This event does not exist or is not shared with you."))
    event.community_row, event.membership = community, membership
    return event


async def event_photos(event_ids: list[str]) -> dict[str, list[Photo]]:
    out: dict[str, list[Photo]] = {i: [] for i in event_ids}
    if event_ids:
        for p in await Photo.filter(purpose="event", parent_id__in=event_ids, deleted_at=None).order_by("position"):
            out[p.parent_id].append(p)
    return out


async def store_event_photos(ctx: Ctx, images, tx, event_id: str, start: int = 0) -> list[Photo]:
    return await store_photos(ctx, images, tx, parent_id=event_id, purpose="event", start=start)


# --- writing ----------------------------------------------------------------------------------------

async def _clean(ctx: Ctx, *, title, description, place, starts_at, ends_at, capacity, lat, lon,
                 blur=False):
    title = clean_text(title, field="title", max_chars=200, single_line=True)
    description = clean_text(description, field="description", max_chars=ctx.settings.max_body_chars,
                             required=False)
    place = clean_text(place, field="place", max_chars=200, single_line=True, required=False)
    _check_times(starts_at, ends_at)
    return title, description, place, parse_capacity(capacity), *parse_location(lat, lon, blur=bool(blur))


async def post_event(ctx: Ctx, *, title, description="", starts_at: datetime, ends_at: datetime, place="",
                     lat=None, lon=None, blur=False, capacity=None, visibility="public", community_id=None,
                     official=False, photos=(), client_token=None) -> Event:
    client_token = idempotency_key(client_token)
    community, membership = await community_and_membership(ctx.viewer, community_id or None)
    if community_id and community is None:
        raise Invalid(N_("There is no such community."), field="community")
    require(can_post_event(ctx.viewer, community, membership),
            N_("Only the community's members post its events."))
    if official:
        require(can_post_official_event(ctx.viewer), N_("Only municipal staff post the town's official events."))
    if client_token:
        earlier = await Event.get_or_none(client_token=client_token, organizer_id=ctx.user.id)
        if earlier is not None:
            return earlier
    title, description, place, capacity, lat, lon = await _clean(
        ctx, title=title, description=description, place=place, starts_at=starts_at, ends_at=ends_at,
        capacity=capacity, lat=lat, lon=lon, blur=blur)
    visibility = "public" if community else check_visibility(visibility)
    images = await process_photos(ctx, list(photos))
    await rate_limit_post(ctx)
    screening = await screen(ctx, title, description)
    title, description = screening.texts
    try:
        async with transaction() as tx:
            event = await save_new(Event(
                organizer_id=ctx.user.id, community_id=community.id if community else None, official=bool(official),
                title=title, description=description, starts_at=starts_at, ends_at=ends_at, place=place,
                lat=lat, lon=lon, capacity=capacity, visibility=visibility, state=screening.state,
                client_token=client_token, origin=ctx.origin), tx)
            await store_event_photos(ctx, images, tx, event.id)
            flag = await open_flag(screening, "event", event.id, ctx.user.id, tx)
    except IntegrityError:
        return await Event.get(client_token=client_token, organizer_id=ctx.user.id)
    await tell_moderators(ctx, flag)
    event.held_reason = screening.reason if screening.state == "held" else None
    await live.publish("event.created", {"id": event.id})
    return event


async def edit_event(ctx: Ctx, event_id: str, *, title, description, starts_at: datetime, ends_at: datetime,
                     place="", lat=None, lon=None, blur=False, capacity=None, visibility="public", official=None,
                     photos=(), remove_photos=()) -> Event:
    event = await get_event(ctx, event_id)
    require(can_edit_event(ctx.viewer, event))
    if official and not event.official:
        require(can_post_official_event(ctx.viewer), N_("Only municipal staff post the town's official events."))
    title, description, place, capacity, lat, lon = await _clean(
        ctx, title=title, description=description, place=place, starts_at=starts_at, ends_at=ends_at,
        capacity=capacity, lat=lat, lon=lon, blur=blur)
    visibility = "public" if event.community_id else check_visibility(visibility)
    existing = await Photo.filter(purpose="event", parent_id=event.id, deleted_at=None).order_by("position")
    keep = photos_kept(ctx, existing, remove_photos, photos)
    images = await process_photos(ctx, list(photos))
    screening = await screen(ctx, title, description)
    title, description = screening.texts
    moved = (starts_at, ends_at, place) != (event.starts_at, event.ends_at, event.place)
    async with transaction() as tx:
        fresh = await Event.filter(id=event.id).select_for_update().using_db(tx).first()
        fresh.title, fresh.description, fresh.place, fresh.lat, fresh.lon = title, description, place, lat, lon
        fresh.starts_at, fresh.ends_at, fresh.capacity, fresh.visibility = starts_at, ends_at, capacity, visibility
        if official is not None:
            fresh.official = bool(official) and (event.official or can_post_official_event(ctx.viewer))
        if screening.state != "published":
            fresh.state = screening.state
        promoted = await promote_waiting(fresh, tx)
        await save_change(fresh, tx)
        flag = await open_flag(screening, "event", fresh.id, ctx.user.id, tx)
        await replace_photos(ctx, tx, existing, keep, images, parent_id=fresh.id, purpose="event")
        if moved:
            await notify(await _answered(fresh.id, tx), "event_changed", url=f"/events/{fresh.id}",
                         subject=fresh.title, actor_id=ctx.user.id, conn=tx)
        await notify(promoted, "waitlist_promoted", url=f"/events/{fresh.id}", subject=fresh.title, conn=tx)
    await tell_moderators(ctx, flag)
    fresh.held_reason = screening.reason if screening.state == "held" else None
    await live.publish("event.updated", {"id": fresh.id})
    return fresh


async def _answered(event_id: str, tx) -> list[str]:
    """Who said going or maybe (the waiting list too): they hear of changes."""
    return list(await Rsvp.filter(event_id=event_id, answer__in=("going", "maybe"), deleted_at=None)
                .using_db(tx).values_list("user_id", flat=True))


async def cancel_event(ctx: Ctx, event_id: str) -> Event:
    event = await get_event(ctx, event_id)
    require(can_cancel_event(ctx.viewer, event), N_("This event cannot be cancelled."))
    async with transaction() as tx:
        fresh = await Event.filter(id=event.id).select_for_update().using_db(tx).first()
        fresh.cancelled = True
        await save_change(fresh, tx)
        await notify(await _answered(fresh.id, tx), "event_cancelled", url=f"/events/{fresh.id}",
                     subject=fresh.title, actor_id=ctx.user.id, conn=tx)
    await live.publish("event.updated", {"id": fresh.id})
    return fresh


async def delete_event(ctx: Ctx, event_id: str) -> None:
    event = await get_event(ctx, event_id)
    require(can_delete_event(ctx.viewer, event))
    async with transaction() as tx:
        answered = [] if event.cancelled or event.ends_at < utcnow() else await _answered(event.id, tx)
        await tombstone(event, tx)
        await remove_photos(tx, purpose="event", parent_id=event.id)
        await notify(answered, "event_cancelled", url="/events", subject=event.title, actor_id=ctx.user.id,
                     conn=tx)
    await live.publish("event.deleted", {"id": event.id})


# --- what this area hands to the site (sns/areas.py): the review queue and photos ----------------------

async def _event_visible(viewer: Viewer, event) -> bool:
    community, membership = await community_and_membership(viewer, event.community_id)
    return can_view_event(viewer, event, community, membership)


# What this area hands to the site (sns/areas.py): the review queue's kind "event", who sees its photos.
REVIEWABLE = review.Reviewable(Event, N_("Event"), _event_visible, lambda e: f"/events/{e.id}",
                               fields=("title", "description"))
photo_visible = photo_access.owner_check(Event, _event_visible)
