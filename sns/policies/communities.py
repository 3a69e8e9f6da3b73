"""Rules for communities (forums), their memberships, topics and replies.

`membership` is always the viewer's own Membership row for the community in question, or None
(visitors, people who never joined). Roles count only while the membership is "active":
a banned admin is just banned.

- A community is *visible* (listed, its page opens) unless deleted or not published (its creator
  still sees a held one); readable_by "public": to everyone; "members"/"community": to signed-in
  residents only, so that they can ask to join.
- A community is *readable* (its topics and replies): "public" by everyone, "members" by every
  signed-in resident, "community" by its active members only; a banned member reads nothing.
- Topics and replies: in a readable community, not deleted, published (or the viewer's own), and
  not written by someone in a block relation with the viewer. Site moderators browse like
  residents; they see held texts only through the review queue.
"""

from __future__ import annotations

from tortoise.expressions import Q

from sns.policies.core import *  # noqa: F401,F403
from sns.policies.core import Viewer, is_blocked, is_moderator, is_self, is_signed_in, is_staff
from sns.policies.sql import Params, blocked_ids_sql

COMMUNITY_MODERATOR_ROLES = frozenset({"moderator", "admin"})


# --- membership predicates ------------------------------------------------------------------

def is_active_member(membership) -> bool:
    return membership is not None and membership.state == "active"


def is_banned_from(membership) -> bool:
    return membership is not None and membership.state == "banned"


def is_community_admin(v: Viewer, membership) -> bool:
    return is_signed_in(v) and is_active_member(membership) and membership.role == "admin"


def is_community_moderator(v: Viewer, membership) -> bool:
    """A community admin or sub-moderator (active)."""
    return is_signed_in(v) and is_active_member(membership) and membership.role in COMMUNITY_MODERATOR_ROLES


# --- communities ------------------------------------------------------------------------------

def can_view_community(v: Viewer, community, membership) -> bool:
    if community.deleted_at is not None:
        return False
    if community.state != "published" and not is_self(v, community.creator_id):
        return False
    if community.readable_by == "public":
        return True
    return is_signed_in(v)


def can_read_community(v: Viewer, community, membership) -> bool:
    """May read its topics and replies."""
    if not can_view_community(v, community, membership) or is_banned_from(membership):
        return False
    if community.readable_by == "public":
        return True
    if community.readable_by == "members":
        return is_signed_in(v)
    return is_signed_in(v) and is_active_member(membership)


def can_open_community(v: Viewer) -> bool:
    return is_signed_in(v)


def can_mark_official(v: Viewer) -> bool:
    return is_staff(v)


def can_edit_community(v: Viewer, community, membership) -> bool:
    return community.deleted_at is None and is_community_admin(v, membership)


def can_moderate_community(v: Viewer, community, membership) -> bool:
    """Pin, lock, delete topics and replies, accept requests to join."""
    return community.deleted_at is None and is_community_moderator(v, membership)


def can_manage_members(v: Viewer, community, membership) -> bool:
    """Invite, remove, ban, promote and demote: the community's admins."""
    return community.deleted_at is None and is_community_admin(v, membership)


def can_answer_requests(v: Viewer, community, membership) -> bool:
    return can_moderate_community(v, community, membership)


def can_join(v: Viewer, community, membership) -> bool:
    """Join (open), ask to join (approval) or accept an invitation (invitation)."""
    if not is_signed_in(v) or not can_view_community(v, community, membership) or community.state != "published":
        return False
    if membership is not None and membership.state in ("active", "pending", "banned"):
        return False
    if community.join_policy == "invitation":
        return membership is not None and membership.state == "invited"
    return True


def can_leave(v: Viewer, community, membership) -> bool:
    """Leave, withdraw a request, or decline an invitation."""
    return is_signed_in(v) and membership is not None and membership.state in ("active", "pending", "invited")


def can_see_members(v: Viewer, community, membership) -> bool:
    return can_read_community(v, community, membership) and is_signed_in(v)


# --- topics and replies -------------------------------------------------------------------------

def can_post_topic(v: Viewer, community, membership) -> bool:
    return (is_signed_in(v) and community.state == "published"
            and can_read_community(v, community, membership) and is_active_member(membership))


def can_view_topic(v: Viewer, topic, community, membership) -> bool:
    if topic.deleted_at is not None or not can_read_community(v, community, membership):
        return False
    if topic.state != "published" and not is_self(v, topic.author_id):
        return False
    return not is_blocked(v, topic.author_id)


def can_view_reply(v: Viewer, reply, topic, community, membership) -> bool:
    if reply.deleted_at is not None or not can_view_topic(v, topic, community, membership):
        return False
    if reply.state != "published" and not is_self(v, reply.author_id):
        return False
    return not is_blocked(v, reply.author_id)


def can_reply(v: Viewer, topic, community, membership) -> bool:
    """Reply to a topic (a locked topic refuses replies: see `is_locked_for`)."""
    return (can_post_topic(v, community, membership) and can_view_topic(v, topic, community, membership)
            and not topic.locked and not is_blocked(v, topic.author_id))


def can_edit_topic(v: Viewer, topic, community, membership) -> bool:
    return (is_signed_in(v) and is_self(v, topic.author_id) and topic.deleted_at is None
            and not is_banned_from(membership))


def can_delete_topic(v: Viewer, topic, community, membership) -> bool:
    if not is_signed_in(v) or topic.deleted_at is not None:
        return False
    return (is_self(v, topic.author_id) or can_moderate_community(v, community, membership)
            or is_moderator(v))


def can_pin_topic(v: Viewer, topic, community, membership) -> bool:
    """Pin and unpin, lock and unlock."""
    return topic.deleted_at is None and (can_moderate_community(v, community, membership) or is_moderator(v))


can_lock_topic = can_pin_topic


def can_move_topic(v: Viewer, topic, community, membership, target, target_membership) -> bool:
    """To another community where the mover moderates both, or by a site moderator."""
    if topic.deleted_at is not None or target.deleted_at is not None or target.id == community.id:
        return False
    if is_moderator(v):
        return True
    return (can_moderate_community(v, community, membership)
            and can_moderate_community(v, target, target_membership))


def can_edit_reply(v: Viewer, reply, membership) -> bool:
    return (is_signed_in(v) and is_self(v, reply.author_id) and reply.deleted_at is None
            and not is_banned_from(membership))


def can_delete_reply(v: Viewer, reply, topic, community, membership) -> bool:
    if not is_signed_in(v) or reply.deleted_at is not None:
        return False
    return is_self(v, reply.author_id) or can_moderate_community(v, community, membership) or is_moderator(v)


def can_follow_topic(v: Viewer, topic, community, membership) -> bool:
    return is_signed_in(v) and can_view_topic(v, topic, community, membership)


# --- query scopes ---------------------------------------------------------------------------------

def community_scope(v: Viewer) -> Q:
    """Communities `v` may see listed (mirrors `can_view_community`)."""
    scope = Q(deleted_at=None, state="published")
    if not is_signed_in(v):
        scope &= Q(readable_by="public")
    if v.id:
        scope |= Q(deleted_at=None, creator_id=v.id)
    return scope


def readable_community_scope(v: Viewer, active_ids, banned_ids) -> Q:
    """Communities whose topics `v` may read (mirrors `can_read_community`), given the ids of the
    communities where `v` is an active member and where `v` is banned."""
    visible = community_scope(v)
    if is_signed_in(v):
        readable = Q(readable_by__in=["public", "members"])
        if active_ids:
            readable |= Q(id__in=list(active_ids))
    else:
        readable = Q(readable_by="public")
    scope = visible & readable
    if banned_ids:
        scope &= ~Q(id__in=list(banned_ids))
    return scope


def post_scope(v: Viewer) -> Q:
    """Topics (or replies) `v` may see within a community `v` may already read (mirrors the text rules of
    `can_view_topic`/`can_view_reply`). `deleted_at` stays outside the OR, so that a community's topic
    list reads its (community_id, deleted_at, pinned, bumped_at, id) index in order."""
    visible = Q(state="published")
    if v.blocked_ids:
        visible &= ~Q(author_id__in=list(v.blocked_ids))
    if v.id:
        visible |= Q(author_id=v.id)
    return Q(deleted_at=None) & visible


def post_scope_sql(v: Viewer, alias: str, p: Params) -> str:
    """Topics (or replies, by their alias) `v` may see within a community `v` may already read, as SQL
    (see `sns.policies.sql`). Mirrors `can_view_topic`/`can_view_reply` (given `can_read_community`)
    and `post_scope`; `deleted_at` stays outside the OR for the same index as there."""
    a = alias
    visible = f"{a}.state = 'published'"
    if v.id:
        visible = f"({visible} AND {a}.author_id NOT IN ({blocked_ids_sql(v, p)})) OR {a}.author_id = {p(v.id)}"
    return f"({a}.deleted_at IS NULL AND ({visible}))"
