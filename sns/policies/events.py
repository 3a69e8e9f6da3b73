"""Rules for events (see sns/policies/__init__.py).

A resident's or staff's event is seen by its audience (`audience_allows`, the organizer as owner);
a community's event is seen by whoever may read the community. A held event is seen only by its
organizer; a cancelled one stays visible (marked) so that those who answered learn of it.
"""

from __future__ import annotations

from tortoise.expressions import Q

from sns.policies.core import *  # noqa: F401,F403
from sns.policies.communities import can_read_community
from sns.policies.core import Viewer, audience_allows, audience_scope, is_blocked, is_moderator, is_self, is_signed_in, is_staff

# Only these are re-exported by `sns.policies` (so nothing here shadows the communities rulebook).
__all__ = ["readable_community", "can_view_event", "can_post_event", "can_post_official_event", "can_edit_event",
           "can_cancel_event", "can_delete_event", "can_rsvp", "can_see_attendees", "event_scope"]


def readable_community(v: Viewer, community, membership=None) -> bool:
    """Whoever may read the community sees its events and albums (`can_read_community`)."""
    return community is not None and can_read_community(v, community, membership)


def _active_member(v: Viewer, membership) -> bool:
    return is_signed_in(v) and membership is not None and membership.state == "active" and \
        membership.user_id == v.id


def can_view_owned_or_community(v: Viewer, record, owner_id: str, community, membership) -> bool:
    """An event or an album: its owner always; when published, a community's to whoever may read the
    community, anyone else's to its audience (`visibility`, as for diaries)."""
    if record.deleted_at is not None:
        return False
    if is_self(v, owner_id):
        return True
    if record.state != "published":
        return False
    if record.community_id is not None:
        return community is not None and readable_community(v, community, membership)
    return audience_allows(v, owner_id, record.visibility)


def can_view_event(v: Viewer, event, community=None, membership=None) -> bool:
    return can_view_owned_or_community(v, event, event.organizer_id, community, membership)


def can_post_event(v: Viewer, community=None, membership=None) -> bool:
    """Anyone signed in posts their own events; a community's only by its active members."""
    if not is_signed_in(v):
        return False
    if community is None:
        return True
    return community.deleted_at is None and _active_member(v, membership)


def can_post_official_event(v: Viewer) -> bool:
    """An official event is shown as the town's: only staff post those."""
    return is_staff(v)


def can_edit_event(v: Viewer, event) -> bool:
    return is_signed_in(v) and is_self(v, event.organizer_id) and event.deleted_at is None


def can_cancel_event(v: Viewer, event) -> bool:
    return can_edit_event(v, event) and not event.cancelled


def can_delete_event(v: Viewer, event) -> bool:
    return event.deleted_at is None and (can_edit_event(v, event) or is_moderator(v))


def can_rsvp(v: Viewer, event, community=None, membership=None, *, now=None) -> bool:
    """Answer an event one may see, that is neither cancelled nor over."""
    if not is_signed_in(v) or not can_view_event(v, event, community, membership):
        return False
    if event.cancelled or event.state != "published" or is_blocked(v, event.organizer_id):
        return False
    return now is None or event.ends_at >= now


def can_see_attendees(v: Viewer, event) -> bool:
    """Who answered is the organizer's to know; others see counts."""
    return is_signed_in(v) and is_self(v, event.organizer_id)


def owned_or_community_scope(v: Viewer, owner_field: str, readable_community_ids=()) -> Q:
    """Events or albums `v` may see, as a filter (mirrors `can_view_owned_or_community`):
    `readable_community_ids` are the communities `v` may read (the service works them out)."""
    visible = Q(community_id=None) & audience_scope(v, owner_field)
    if readable_community_ids:
        visible |= Q(community_id__in=list(readable_community_ids))
    scope = Q(deleted_at=None) & Q(state="published") & visible
    if v.id:
        scope |= Q(**{owner_field: v.id}, deleted_at=None)
    return scope


def event_scope(v: Viewer, readable_community_ids=()) -> Q:
    """Events `v` may see, as a filter (mirrors `can_view_event`)."""
    return owned_or_community_scope(v, "organizer_id", readable_community_ids)
