"""Reading partners' notes about our residents ("reported safe elsewhere", docs/pfif.md) where their
check-ins are read: the resident's own check-in page, their friends' safety list on My page, the staff's
list of those who need help. Who sees a note is `sns.policies.pfif` (the check-in's rule); an expired note
is never read, whether or not the retention job has removed it yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sns.context import Ctx
from sns.models import PfifNote, User
from sns.models.base import utcnow
from sns.policies.pfif import can_view_pfif_note, pfif_note_scope

LIMIT = 2000  # notes read at once (the newest first)


async def latest_about(ctx: Ctx, user_ids) -> dict[str, PfifNote]:
    """The newest unexpired note the viewer may see about each of `user_ids` (one query)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    now = utcnow()
    rows = await PfifNote.filter(pfif_note_scope(ctx.viewer, now), user_id__in=ids) \
        .order_by("-source_date", "-imported_at").limit(LIMIT)
    latest: dict[str, PfifNote] = {}
    for note in rows:
        if can_view_pfif_note(ctx.viewer, note, now):
            latest.setdefault(note.user_id, note)
    return latest


def first_expiry(notes) -> datetime | None:
    """When the first of these notes expires (a page showing them is not kept past it); None: never."""
    return min((n.expiry_date for n in notes if n.expiry_date is not None), default=None)


@dataclass
class Reported:
    """A friend reported elsewhere who has not checked in here."""

    user: User
    note: PfifNote


async def friends_reported(ctx: Ctx, event, checkins) -> tuple[dict[str, PfifNote], list[Reported]]:
    """For My page while disaster mode is on: the newest note about each friend (by user id), and the
    friends who have a note but no check-in here, by name."""
    v = ctx.viewer
    friends = set(v.friend_ids) - set(v.blocked_ids)
    if event is None or not friends:
        return {}, []
    notes = await latest_about(ctx, friends)
    checked_in = {c.user_id for c in checkins}
    others = [user_id for user_id in notes if user_id not in checked_in]
    users = {u.id: u for u in await User.filter(id__in=others, state="active", deleted_at=None)} if others else {}
    reported = [Reported(users[i], notes[i]) for i in others if i in users]
    return notes, sorted(reported, key=lambda r: r.user.display_name)
