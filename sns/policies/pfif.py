"""Who exchanges safety check-ins with other person finders over PFIF 1.4, what leaves, and who reads what
comes back (docs/pfif.md).

- Only the disaster desk and administrators (those who switch disaster mode, `SWITCH_ROLES`) export the
  check-ins to a partner registry or import a partner's notes, and only while disaster mode is on.
- An export holds a check-in only when it is its resident's current one, not removed, its event is on,
  the resident is active and ticked "share with other person-finder registries" on that very check-in.
  Its message goes only as the word filter would publish it: never a message it would hold.
- A note from a partner about one of our residents ("reported safe elsewhere") is seen exactly where that
  resident's check-in would be: by the resident, their friends (not blocked) and the staff who organise
  help (`can_view_checkin`); never by strangers, other members or visitors. An expired note by nobody.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from tortoise.expressions import Q

from sns.policies.core import Viewer, is_signed_in
from sns.policies.disaster import SWITCH_ROLES, can_view_checkin, is_disaster_staff

__all__ = ["is_pfif_desk", "can_exchange_pfif", "is_shareable_checkin", "can_view_pfif_note", "pfif_note_scope"]


def _active(event) -> bool:
    return event is not None and event.ended_at is None and event.deleted_at is None


def is_pfif_desk(v: Viewer) -> bool:
    """Those who exchange with person finders: the disaster desk and administrators (their page, any time)."""
    return is_signed_in(v) and v.role in SWITCH_ROLES


def can_exchange_pfif(v: Viewer, event) -> bool:
    """Export check-ins as PFIF, or import a partner's notes: the disaster desk and administrators, while
    disaster mode is on."""
    return is_pfif_desk(v) and _active(event)


def is_shareable_checkin(checkin, event, user) -> bool:
    """May this check-in leave in an export of `event`: current, not removed, of `event` while it is on,
    of an active resident, who agreed on this check-in."""
    return (checkin is not None and checkin.current and checkin.deleted_at is None and checkin.share_pfif
            and _active(event) and checkin.event_id == event.id
            and user is not None and user.id == checkin.user_id and user.state == "active"
            and user.deleted_at is None)


def _expired(note, now: datetime) -> bool:
    return note.expiry_date is not None and note.expiry_date <= now


def can_view_pfif_note(v: Viewer, note, now: datetime) -> bool:
    """A partner's note about a resident: wherever their check-in would be seen, while it has not expired."""
    if note is None or _expired(note, now):
        return False
    return can_view_checkin(v, SimpleNamespace(user_id=note.user_id, deleted_at=None))


def pfif_note_scope(v: Viewer, now: datetime) -> Q:
    """Notes `v` may see, as a filter: mirrors `can_view_pfif_note` (the check-in scope, by the resident the
    note is about, less what has expired). Nothing at all for a visitor."""
    if not is_signed_in(v):
        return Q(id__in=[])
    unexpired = Q(expiry_date__isnull=True) | Q(expiry_date__gt=now)
    if is_disaster_staff(v):
        return unexpired
    people = set(v.friend_ids) - set(v.blocked_ids)  # as `checkin_scope`: friends not blocked, and oneself
    people.add(v.id)
    return unexpired & Q(user_id__in=sorted(people))
