"""Who may switch disaster mode, post on the disaster board, check in, and read check-ins (issue 6).

- Only administrators and the disaster desk (`disaster` role) start or end disaster mode or a drill.
- While the mode is on, every signed-in resident posts damage reports on the board and checks in.
- The board is public once a post is published (observe and report: visitors read it too); a post held
  by the word filter is seen by its author and the moderators (through the queue).
- A check-in is seen by the resident, their friends and the staff who organise help (`CHECKIN_STAFF_ROLES`),
  never by anyone else: not strangers, not visitors, not in any list, feed, search or map for others.
- The same staff see the counts per district and the list of those who need help.
"""

from __future__ import annotations

from tortoise.expressions import Q

from sns.policies.core import *  # noqa: F401,F403
from sns.policies.core import (
    Viewer, is_blocked, is_friend, is_moderator, is_self, is_signed_in,
)

SWITCH_ROLES = frozenset({"disaster", "admin"})
# Municipal staff, the disaster desk, the fire department (rescue) and administrators: those who organise help.
CHECKIN_STAFF_ROLES = frozenset({"staff", "disaster", "fire", "admin"})

__all__ = ["public_board_scope_sql", "SWITCH_ROLES", "CHECKIN_STAFF_ROLES", "can_switch_disaster", "is_disaster_staff",
           "can_post_on_board", "can_view_board_post", "board_scope", "can_check_in", "can_view_checkin",
           "checkin_scope", "can_see_safety_counts", "can_see_archive_counts"]


def can_switch_disaster(v: Viewer) -> bool:
    """Start or end disaster mode (or a drill)."""
    return is_signed_in(v) and v.role in SWITCH_ROLES


def is_disaster_staff(v: Viewer) -> bool:
    return is_signed_in(v) and v.role in CHECKIN_STAFF_ROLES


def _active(event) -> bool:
    return event is not None and event.ended_at is None and event.deleted_at is None


def can_post_on_board(v: Viewer, event) -> bool:
    """Report damage: any signed-in account, while the event is on."""
    return is_signed_in(v) and _active(event)


def can_view_board_post(v: Viewer, post) -> bool:
    if post is None or post.deleted_at is not None:
        return False
    if post.state == "published":
        return not is_blocked(v, post.author_id)
    return is_signed_in(v) and (is_self(v, post.author_id) or is_moderator(v))


def board_scope(v: Viewer) -> Q:
    """Board posts `v` sees in lists: mirrors `can_view_board_post` (held ones: only the author's own)."""
    scope = Q(deleted_at=None, state="published")
    if v.blocked_ids:
        scope &= ~Q(author_id__in=list(v.blocked_ids))
    if v.id:
        scope |= Q(author_id=v.id, deleted_at=None)
    return scope


def public_board_scope_sql(alias: str) -> str:
    """Board posts a visitor sees, as SQL (see `sns.policies.sql`): the light front page's shared list.
    Mirrors `can_view_board_post` / `board_scope` for a visitor (published, not deleted)."""
    return f"({alias}.deleted_at IS NULL AND {alias}.state = 'published')"


def can_check_in(v: Viewer, event) -> bool:
    return is_signed_in(v) and _active(event)


def can_view_checkin(v: Viewer, checkin) -> bool:
    """The resident, their friends (not blocked) and the staff who organise help; nobody else."""
    if checkin is None or checkin.deleted_at is not None or not is_signed_in(v):
        return False
    if is_self(v, checkin.user_id):
        return True
    if is_disaster_staff(v):
        return True
    return is_friend(v, checkin.user_id) and not is_blocked(v, checkin.user_id)


def checkin_scope(v: Viewer) -> Q:
    """Check-ins `v` may see, as a filter: mirrors `can_view_checkin`. Nothing at all for a visitor."""
    if not is_signed_in(v):
        return Q(id__in=[])
    if is_disaster_staff(v):
        return Q(deleted_at=None)
    people = set(v.friend_ids) - set(v.blocked_ids)
    people.add(v.id)
    return Q(deleted_at=None, user_id__in=sorted(people))


def can_see_safety_counts(v: Viewer) -> bool:
    """Counts per district and the list of those who need help (the staff page)."""
    return is_disaster_staff(v)


def can_see_archive_counts(v: Viewer) -> bool:
    return is_disaster_staff(v)


