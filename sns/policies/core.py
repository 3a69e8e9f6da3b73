"""The core of the rulebook: the viewer, shared predicates, diaries, people, the town, moderation.

Small named predicates, combined per action, plus query scopes that lists,
feeds and the API use, so a list never shows what the detail page refuses.
Moderators and admins browse like residents; they see held or hidden texts
only through moderation, never by wandering into private diaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from tortoise.expressions import Q

from sns.models import User

STAFF_ROLES = frozenset({"staff", "admin"})
MODERATOR_ROLES = frozenset({"moderator", "admin"})


@dataclass
class Viewer:
    """Who is looking: the signed-in user (or nobody) with their friends and blocks."""

    user: User | None = None
    friend_ids: frozenset[str] = field(default_factory=frozenset)
    blocked_ids: frozenset[str] = field(default_factory=frozenset)  # either direction
    blocking_ids: frozenset[str] = field(default_factory=frozenset)  # those I blocked myself
    department_ids: frozenset[str] = field(default_factory=frozenset)  # city departments I work for

    @property
    def id(self) -> str | None:
        return self.user.id if self.user else None

    @property
    def role(self) -> str | None:
        return self.user.role if self.user else None


ANONYMOUS = Viewer()


# --- predicates ----------------------------------------------------------------

def is_signed_in(v: Viewer) -> bool:
    return v.user is not None and v.user.state == "active"


def is_self(v: Viewer, user_id: str) -> bool:
    return v.id is not None and v.id == user_id


def is_friend(v: Viewer, user_id: str) -> bool:
    return user_id in v.friend_ids


def is_blocked(v: Viewer, user_id: str) -> bool:
    return user_id in v.blocked_ids


def has_blocked(v: Viewer, user_id: str) -> bool:
    """`v` blocked this person (as opposed to being blocked by them)."""
    return user_id in v.blocking_ids


def is_staff(v: Viewer) -> bool:
    return is_signed_in(v) and v.role in STAFF_ROLES


def is_moderator(v: Viewer) -> bool:
    return is_signed_in(v) and v.role in MODERATOR_ROLES


def is_admin(v: Viewer) -> bool:
    return is_signed_in(v) and v.role == "admin"


def audience_allows(v: Viewer, owner_id: str, visibility: str) -> bool:
    """The four audiences shared by diaries, comments (through their diary) and profile fields."""
    if is_self(v, owner_id):
        return True
    if is_blocked(v, owner_id):
        return False
    if visibility == "public":
        return True
    if visibility == "members":
        return is_signed_in(v)
    if visibility == "friends":
        return is_signed_in(v) and is_friend(v, owner_id)
    return False


# --- diaries and comments ----------------------------------------------------------

def can_view_diary(v: Viewer, diary) -> bool:
    if diary.deleted_at is not None:
        return False
    if diary.state != "published" and not is_self(v, diary.author_id):
        return False
    return audience_allows(v, diary.author_id, diary.visibility)


def can_write_diary(v: Viewer) -> bool:
    return is_signed_in(v)


def can_edit_diary(v: Viewer, diary) -> bool:
    return is_signed_in(v) and is_self(v, diary.author_id) and diary.deleted_at is None


def can_delete_diary(v: Viewer, diary) -> bool:
    return can_edit_diary(v, diary) or (is_moderator(v) and diary.deleted_at is None)


def can_comment(v: Viewer, diary) -> bool:
    return is_signed_in(v) and can_view_diary(v, diary) and not is_blocked(v, diary.author_id)


def can_view_comment(v: Viewer, comment, diary) -> bool:
    if comment.deleted_at is not None or is_blocked(v, comment.author_id):
        return False
    if comment.state != "published" and not is_self(v, comment.author_id):
        return False
    return can_view_diary(v, diary)


def can_delete_comment(v: Viewer, comment, diary) -> bool:
    if not is_signed_in(v) or comment.deleted_at is not None:
        return False
    return is_self(v, comment.author_id) or is_self(v, diary.author_id) or is_moderator(v)


# --- people ----------------------------------------------------------------------------

def can_view_profile(v: Viewer, user: User) -> bool:
    if user.state != "active" and not is_self(v, user.id) and not is_admin(v):
        return False
    # Whoever blocked someone still reaches their profile, to unblock them; the blocked one does not.
    return is_self(v, user.id) or not is_blocked(v, user.id) or has_blocked(v, user.id)


def can_view_profile_field(v: Viewer, user: User, name: str) -> bool:
    return can_view_profile(v, user) and audience_allows(v, user.id, user.visibility_of(name))


def can_befriend(v: Viewer, user: User) -> bool:
    return (
        is_signed_in(v)
        and not is_self(v, user.id)
        and not is_blocked(v, user.id)
        and user.state == "active"
    )


def can_block(v: Viewer, user: User) -> bool:
    return is_signed_in(v) and not is_self(v, user.id)


# --- the town and its administration ---------------------------------------------------

def can_post_notice(v: Viewer) -> bool:
    return is_staff(v)


def can_administer(v: Viewer) -> bool:
    return is_admin(v)


def can_invite(v: Viewer) -> bool:
    return is_admin(v) or is_staff(v)


# --- moderation -------------------------------------------------------------------------

def can_moderate(v: Viewer) -> bool:
    """Review the queue: approve, remove, mask, warn, mark false alarms."""
    return is_moderator(v)


def can_suspend_for_moderation(v: Viewer, user: User) -> bool:
    return is_moderator(v) and not is_self(v, user.id) and user.role not in MODERATOR_ROLES


def can_read_moderation_log(v: Viewer) -> bool:
    return is_admin(v)


def can_report(v: Viewer, author_id: str) -> bool:
    return is_signed_in(v) and not is_self(v, author_id)


def can_appeal(v: Viewer, author_id: str) -> bool:
    return is_signed_in(v) and is_self(v, author_id)


# --- what the navigation offers (each page checks its own rule again) ----------------------

def offered(v: Viewer, elsewhere: Mapping[str, Callable[[Viewer], bool]] = {}) -> dict[str, bool]:
    """The staff pages this viewer may open, so templates never decide by role names. `elsewhere`: the
    staff pages of other areas (name -> predicate), as the site's areas hand them over (`ctx.site.offered`,
    sns/areas.py), so that this module needs no import of their rules."""
    return {
        **{name: allowed(v) for name, allowed in elsewhere.items()},
        "administer": can_administer(v),
        "invite": can_invite(v),
        "post_notice": can_post_notice(v),
        "moderate": can_moderate(v),
        "moderation_log": can_read_moderation_log(v),
        "department_inbox": is_signed_in(v) and (bool(v.department_ids) or is_admin(v)),
        "manage_departments": is_admin(v),
    }


# --- query scopes: what lists, feeds and the API may show -----------------------------

def audience_scope(v: Viewer, owner_field: str = "author_id") -> Q:
    """Records with an owner and a `visibility` whose audience includes `v`, as a filter (mirrors
    `audience_allows` but for the owner's own records, which each scope adds with its other rules)."""
    visible = Q(visibility="public")
    if is_signed_in(v):
        visible |= Q(visibility="members")
        if v.friend_ids:
            visible |= Q(visibility="friends", **{f"{owner_field}__in": list(v.friend_ids)})
    if v.blocked_ids:
        visible &= ~Q(**{f"{owner_field}__in": list(v.blocked_ids)})
    return visible


def diary_scope(v: Viewer) -> Q:
    """Diaries `v` may see, as a filter. Mirrors `can_view_diary` exactly."""
    scope = Q(deleted_at=None) & Q(state="published") & audience_scope(v)
    if v.id:
        scope |= Q(author_id=v.id, deleted_at=None)
    return scope


def public_diary_scope() -> Q:
    """What feeds and visitors may see: public, published, not deleted."""
    return Q(deleted_at=None, state="published", visibility="public")


def comment_scope(v: Viewer) -> Q:
    """Comments `v` may see on a diary `v` may already see."""
    scope = Q(deleted_at=None) & Q(state="published")
    if v.blocked_ids:
        scope &= ~Q(author_id__in=list(v.blocked_ids))
    if v.id:
        scope |= Q(author_id=v.id, deleted_at=None)
    return scope


def can_view_photo(v: Viewer, photo, *, diary=None, owner: User | None = None) -> bool:
    """A photo is seen by whoever may see what it belongs to."""
    if photo.deleted_at is not None:
        return False
    if photo.purpose == "avatar":
        return owner is not None and owner.avatar_id == photo.id and can_view_profile_field(v, owner, "avatar")
    return diary is not None and can_view_diary(v, diary)
