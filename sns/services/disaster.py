"""Disaster mode: the disaster desk or an administrator switches the site into it for a named event (or a
drill) and ends it, which archives the event with its board and check-ins. Every switch is written to the
staff action log.

Whether the mode is on is the same for everyone and asked by every page (the banner, the front page), so
it is kept in the shared cache (`sns.services.shared`): on a warm cache it costs no query. In this process
a switch shows at once; in other worker processes (and after `sns disaster start` on the command line)
within `shared_cache_seconds`.

The board is in `sns.services.disaster_board`, check-ins and the staff's counts in `sns.services.safety`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from sns import events
from sns.context import Ctx
from sns.errors import Conflict, Invalid, NotFound
from sns.i18n import N_
from sns.ids import is_id
from sns.models import ALERT_KINDS, DisasterEvent, StaffActionLog
from sns.models.base import utcnow
from sns.policies import can_switch_disaster
from sns.policies.sql import database, fetch
from sns.services.base import clean_text, require, save_change, save_new, transaction
from sns.services.shared import SharedCache, database_of, public_changed

_shared = SharedCache()  # whether the mode is on, and the open shelters for the light page


@dataclass(frozen=True)
class Operator:
    """Who switches from the command line (`sns disaster start`): the person at the server's console."""

    note: str = "command line"


def event_url(event: DisasterEvent) -> str:
    return "/disaster" if event.ended_at is None else f"/disaster/archive/{event.id}"


async def _load_active(origin: str) -> DisasterEvent | None:
    return await DisasterEvent.filter(live="on", origin=origin, deleted_at=None).first()


async def active_event(ctx: Ctx) -> DisasterEvent | None:
    """The event the site is in now (None: normal mode): shared, no query on a warm cache."""
    return await _shared.get((database_of(ctx.settings), "disaster_active"), ctx.settings.shared_cache_seconds,
                             lambda: _load_active(ctx.origin))


async def current_event(ctx: Ctx) -> DisasterEvent | None:
    """The same, asked of the database (for writes, which must not act on a stale cache)."""
    return await _load_active(ctx.origin)


async def _log(ctx: Ctx, tx, action: str, event: DisasterEvent, detail: str) -> None:
    await StaffActionLog.create(using_db=tx, actor_id=ctx.user.id if ctx.user else None, action=action,
                                target_kind="disaster", target_id=event.id, detail=detail[:2000])


def _may_switch(ctx: Ctx, operator: Operator | None) -> None:
    if operator is None:
        require(can_switch_disaster(ctx.viewer),
                N_("Only the disaster desk and administrators switch disaster mode on and off."))


async def start_event(ctx: Ctx, *, name, drill=False, kind="other", operator: Operator | None = None
                      ) -> DisasterEvent:
    """Switch the site into disaster mode (a drill when `drill`). Refused while another event is on.
    A double-submitted form (the same name again while it runs) returns the event already started."""
    _may_switch(ctx, operator)
    name = clean_text(name, field="name", max_chars=200, single_line=True)
    if kind not in ALERT_KINDS:
        raise Invalid(N_("Choose the kind of hazard from the list."), field="kind")
    running = await current_event(ctx)
    if running is not None:
        if running.name == name and running.drill == bool(drill):
            return running
        raise Conflict(N_("Disaster mode is already on for “%(name)s”. End it first."), field="_",
                       name=running.name)
    event = DisasterEvent(name=name, kind=kind, drill=bool(drill), live="on", started_at=utcnow(),
                          started_by_id=ctx.user.id if ctx.user else None, origin=ctx.origin)
    who = f" ({operator.note})" if operator else ""
    try:
        async with transaction() as tx:
            await save_new(event, tx)
            await _log(ctx, tx, "disaster.drill_start" if event.drill else "disaster.start", event, name + who)
    except IntegrityError:  # two switches at once: the first one won
        running = await current_event(ctx)
        if running is not None and running.name == name:
            return running
        raise Conflict(N_("Disaster mode is already on. End it first."), field="_") from None
    public_changed()
    await events.publish("disaster", {"id": event.id, "active": True, "drill": event.drill})
    return event


async def end_event(ctx: Ctx, *, operator: Operator | None = None) -> DisasterEvent:
    """End the event that is on: the site is back to normal and the event goes to the archive."""
    _may_switch(ctx, operator)
    event = await current_event(ctx)
    if event is None:
        raise Conflict(N_("Disaster mode is not on."), field="_")
    who = f" ({operator.note})" if operator else ""
    async with transaction() as tx:
        event.live, event.ended_at = None, utcnow()
        event.ended_by_id = ctx.user.id if ctx.user else None
        await save_change(event, tx)
        await _log(ctx, tx, "disaster.drill_end" if event.drill else "disaster.end", event, event.name + who)
    public_changed()
    await events.publish("disaster", {"id": event.id, "active": False, "drill": event.drill})
    return event


async def open_shelters(ctx: Ctx, limit: int = 30) -> list[dict]:
    """Shelters that are open or full (for the light front page): public, the same for everyone, shared."""
    async def load():  # SQL written by hand, like the other reads of the hot pages
        conn, p = database()
        return await fetch(conn, "SELECT id, name, status FROM shelters WHERE deleted_at IS NULL"
                                 f" AND status IN ('open', 'full') ORDER BY name, id LIMIT {int(limit)}", p)
    return await _shared.get((database_of(ctx.settings), "disaster_shelters", limit),
                             ctx.settings.shared_cache_seconds, load)


async def get_event(ctx: Ctx, event_id: str) -> DisasterEvent:
    """An event, on or archived; everyone may know an event happened (its board is public)."""
    event = await DisasterEvent.get_or_none(id=event_id, deleted_at=None) \
        if isinstance(event_id, str) and is_id(event_id) else None
    if event is None:
        raise NotFound(N_("This disaster event does not exist."))
    return event


async def archived_events(limit: int = 100) -> list[DisasterEvent]:
    """Ended events, newest first."""
    return await DisasterEvent.filter(deleted_at=None, ended_at__not_isnull=True).order_by("-started_at") \
        .limit(limit)


async def switch_log(limit: int = 50) -> list[StaffActionLog]:
    """Who switched disaster mode, and when (newest first)."""
    return await StaffActionLog.filter(target_kind="disaster").order_by("-created_at").limit(limit) \
        .select_related("actor")
