"""Who may be followable from the fediverse, and what a fediverse server may see (docs/federation.md).

A fediverse server is a visitor: it never signs in, so everything it is served or delivered is decided by the
visitor's rules (`ANONYMOUS`), plus the author's own choice to be followable. A resident's diary leaves only
when a visitor could read it on its page (public, published, not deleted) and its author is an active,
followable account. Notices and alerts are the city's: every visitor reads them, so they leave while they
exist (alerts only when the city posted them itself: an imported or a neighbour's alert speaks for someone
else). Check-ins, disaster posts, mail and community posts never leave. Imported from here, not re-exported
by `sns.policies`.
"""

from __future__ import annotations

from sns.policies.core import (
    ANONYMOUS, Viewer, can_view_diary, can_view_photo, can_view_profile, can_view_profile_field, is_signed_in,
)

__all__ = ["is_system_account", "may_be_followable", "can_choose_followable", "is_followable",
           "fediverse_can_see_actor", "fediverse_can_see_diary", "fediverse_can_see_notice",
           "fediverse_can_see_alert", "fediverse_can_see_photo", "fediverse_can_see_profile_field"]


def is_system_account(user) -> bool:
    """An account nobody signs in as (an Open311 partner's, sns/models/partners.py): it has no password."""
    return not user.password_hash


def may_be_followable(user) -> bool:
    """Active residents and staff alike; never a suspended, leaving or deleted account, nor a system one."""
    return user.state == "active" and user.deleted_at is None and not is_system_account(user)


def can_choose_followable(v: Viewer) -> bool:
    """The Settings choice: for one's own account, when it may be followable."""
    return is_signed_in(v) and may_be_followable(v.user)


def is_followable(user) -> bool:
    return may_be_followable(user) and bool(user.fediverse_followable)


def fediverse_can_see_actor(user, handle: str) -> bool:
    """A resident's actor document, outbox and followers: while they chose it and a visitor sees their profile.
    A resident whose username is the city's handle (the `fediverse_handle` setting) has none: the name is the
    city's."""
    return is_followable(user) and can_view_profile(ANONYMOUS, user) and user.username != handle


def fediverse_can_see_diary(diary, author, handle: str) -> bool:
    """Exactly what a visitor sees on the diary's page, of a followable author."""
    return fediverse_can_see_actor(author, handle) and can_view_diary(ANONYMOUS, diary)


def fediverse_saw_diary(diary, author, handle: str, state: str | None = None) -> bool:
    """Whether fediverse servers were shown the entry while it had `state` (its own by default), whatever
    became of it since: public, published, of a followable author. A deleted one they saw is Gone (410), and
    one a moderator now holds or removes is withdrawn from them (a Delete)."""
    return fediverse_can_see_actor(author, handle) and diary.visibility == "public" \
        and (state or diary.state) == "published"


def fediverse_can_see_notice(notice) -> bool:
    """A notice is read by every visitor while it is not deleted."""
    return notice.deleted_at is None


def fediverse_can_see_alert(alert, origin: str) -> bool:
    """An alert the city posted itself (not imported from a CAP source, not a neighbour's), not removed."""
    return alert.deleted_at is None and not alert.source and alert.origin == origin


def fediverse_can_see_photo(photo, diary) -> bool:
    return can_view_photo(ANONYMOUS, photo, diary=diary)


def fediverse_can_see_profile_field(user, name: str) -> bool:
    """A profile field (introduction, avatar) in the actor document: only when public to visitors."""
    return can_view_profile_field(ANONYMOUS, user, name)
