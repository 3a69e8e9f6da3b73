"""An event's places: how many are going, and the waiting list moving up when places free up.

Used by the answers (sns/services/rsvps.py) and by editing an event (a larger capacity,
sns/services/events.py), both inside the transaction that locked the event row.
"""

from __future__ import annotations

from sns.models import Event, Rsvp
from sns.services.base import save_change


async def going_count(event_id: str, tx) -> int:
    return await Rsvp.filter(event_id=event_id, answer="going", waitlisted=False, deleted_at=None).using_db(tx).count()


async def promote_waiting(event: Event, tx) -> list[str]:
    """Fill free places from the waiting list, oldest answer first; sets `event.going_count` (the caller
    saves the event). Returns who was promoted."""
    going = await going_count(event.id, tx)
    promoted = []
    while event.capacity is None or going < event.capacity:
        first = await Rsvp.filter(event_id=event.id, answer="going", waitlisted=True, deleted_at=None) \
            .using_db(tx).order_by("answered_at", "id").first()
        if first is None:
            break
        first.waitlisted = False
        await save_change(first, tx)
        promoted.append(first.user_id)
        going += 1
    event.going_count = going
    return promoted
