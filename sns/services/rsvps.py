"""Answers to events: going, maybe, no; a waiting list when the event is full.

Capacity holds under concurrent answers: every change of an answer locks the event row
(`SELECT ... FOR UPDATE` on PostgreSQL; SQLite runs one writing transaction at a time) and
counts the places again inside the transaction. When someone stops going, the first on the
waiting list (by the time they answered) is promoted in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from sns import events as live
from sns.context import Ctx
from sns.errors import Conflict, Invalid, NotFound
from sns.i18n import N_
from sns.models import RSVP_ANSWERS, Event, Rsvp
from sns.models.base import utcnow
from sns.policies import can_rsvp, can_see_attendees
from sns.services.base import require, save_change, save_new, transaction
from sns.services.events import get_event
from sns.services.waiting_list import going_count as _going, promote_waiting
from sns.services.notifications import notify


@dataclass
class Counts:
    going: int = 0
    maybe: int = 0
    no: int = 0
    waiting: int = 0


def check_answer(value) -> str:
    if value not in RSVP_ANSWERS:
        raise Invalid(N_("Answer going, maybe or not going."), field="answer")
    return value


async def answer_event(ctx: Ctx, event_id: str, answer) -> Rsvp:
    """Say going, maybe or no (again: the answer changes). "going" to a full event joins the waiting list."""
    answer = check_answer(answer)
    event = await get_event(ctx, event_id)
    if not can_rsvp(ctx.viewer, event, event.community_row, event.membership, now=utcnow()):
        require(ctx.user is not None, N_("Please sign in."))
        if event.cancelled:
            raise Conflict(N_("This event was cancelled."))
        if event.ends_at < utcnow():
            raise Conflict(N_("This event is over."))
        require(False, N_("You cannot answer this event."))
    for attempt in range(3):
        try:
            return await _answer(ctx, event, answer)
        except IntegrityError:  # the same person's two first answers at once: the other one is there now
            if attempt == 2:
                raise Conflict(N_("Please try again.")) from None
    raise AssertionError("unreachable")


async def _answer(ctx: Ctx, event: Event, answer: str) -> Rsvp:
    async with transaction() as tx:
        fresh = await Event.filter(id=event.id).select_for_update().using_db(tx).first()
        if fresh is None or fresh.deleted_at is not None or fresh.cancelled:
            raise NotFound(N_("This event does not exist or is not shared with you."))
        stored_count = fresh.going_count
        mine = await Rsvp.filter(event_id=fresh.id, user_id=ctx.user.id).using_db(tx).first()
        was_placed = mine is not None and mine.deleted_at is None and mine.answer == "going" and not mine.waitlisted
        if mine is not None and mine.deleted_at is None and mine.answer == answer:
            return mine  # nothing changes (a double submit, or the same answer again)
        going = await _going(fresh.id, tx)
        placed = answer == "going" and (was_placed or fresh.capacity is None or going < fresh.capacity)
        if mine is None:
            mine = await save_new(Rsvp(event_id=fresh.id, user_id=ctx.user.id, answer=answer,
                                       waitlisted=answer == "going" and not placed, origin=ctx.origin), tx)
        else:
            if answer == "going" and mine.answer != "going":
                mine.answered_at = utcnow()  # back on the list: at its end
            mine.answer, mine.waitlisted, mine.deleted_at = answer, answer == "going" and not placed, None
            await save_change(mine, tx)
        promoted = await promote_waiting(fresh, tx) if was_placed and not placed else []
        fresh.going_count = await _going(fresh.id, tx)
        if fresh.going_count != stored_count:  # a derived number (the answers are journaled): no new version
            await Event.filter(id=fresh.id).using_db(tx).update(going_count=fresh.going_count)
        await notify([fresh.organizer_id], "rsvp", url=f"/events/{fresh.id}#answers", subject=fresh.title,
                     actor_id=ctx.user.id, conn=tx)
        await notify(promoted, "waitlist_promoted", url=f"/events/{fresh.id}", subject=fresh.title, conn=tx)
    event.going_count = fresh.going_count
    await live.publish("event.rsvp", {"id": fresh.id})
    return mine


async def my_answer(ctx: Ctx, event_id: str) -> Rsvp | None:
    if ctx.user is None:
        return None
    return await Rsvp.get_or_none(event_id=event_id, user_id=ctx.user.id, deleted_at=None)


async def counts(event_id: str) -> Counts:
    out = Counts()
    for answer, waitlisted in await Rsvp.filter(event_id=event_id, deleted_at=None).values_list("answer",
                                                                                             "waitlisted"):
        if answer == "going" and waitlisted:
            out.waiting += 1
        else:
            setattr(out, answer, getattr(out, answer) + 1)
    return out


async def attendees(ctx: Ctx, event: Event) -> list[Rsvp]:
    """Everyone who answered, for the organizer only: going, then the waiting list in order, maybe, no."""
    require(can_see_attendees(ctx.viewer, event), N_("Only the organizer sees who answered."))
    rows = await Rsvp.filter(event_id=event.id, deleted_at=None).order_by("answered_at", "id").select_related("user")
    order = {"going": 0, "maybe": 2, "no": 3}
    return sorted(rows, key=lambda r: (order[r.answer] + (1 if r.waitlisted else 0)))


async def my_rsvps(ctx: Ctx, limit: int = 100) -> list[Rsvp]:
    """My answers to events that are not over, soonest first."""
    require(ctx.user is not None, N_("Please sign in."))
    return await Rsvp.filter(user_id=ctx.user.id, deleted_at=None, event__deleted_at=None,
                             event__ends_at__gte=utcnow()).order_by("event__starts_at").limit(limit) \
        .select_related("event")

