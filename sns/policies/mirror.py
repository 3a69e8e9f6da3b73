"""Who may manage mirroring with neighbouring cities (issue 7).

Only administrators add, confirm, pause, resume and remove peers: a peer receives every open record and
the sealed boxes of everything else. The disaster desk may read the peers' health (when a neighbour last
answered, how far behind it is), since failover concerns it; nobody else sees the page.
"""

from __future__ import annotations

from sns.policies.core import Viewer, is_admin, is_signed_in


def can_manage_peers(v: Viewer) -> bool:
    return is_admin(v)


def can_read_peers(v: Viewer) -> bool:
    return is_admin(v) or (is_signed_in(v) and v.role == "disaster")




# --- what a neighbour shows of a city it mirrors ------------------------------------------------------
# Its pages are for anyone (the fallen city's residents are not signed in here): only what the origin
# shows to everybody, published and not deleted, as the replica holds it.

def is_public_on_mirror(row, audience: str | None = None) -> bool:
    """A mirrored record anyone may see: published, not deleted, and (when it has an audience field,
    named by `audience`) public."""
    if row is None or getattr(row, "deleted_at", None) is not None:
        return False
    if getattr(row, "state", "published") != "published":
        return False
    return audience is None or getattr(row, audience, None) == "public"


def _owned_or_community_public(row, community) -> bool:
    if not is_public_on_mirror(row):
        return False
    if getattr(row, "community_id", None):
        return community is not None and community.id == row.community_id \
            and is_public_on_mirror(community, "readable_by")
    return row.visibility == "public"


def can_view_mirrored_photo(photo, owners: dict) -> bool:
    """A mirrored photo is shown when what it belongs to is public there. `owners` holds, by kind, the
    records of the replica it belongs to: its diary; its album or event (and their community); its
    topic and community; its reply, topic and community; its report or board post; its owner (avatars)."""
    if photo is None or photo.deleted_at is not None:
        return False
    purpose = photo.purpose
    if purpose == "diary":
        diary = owners.get("diary")
        return diary is not None and diary.id == photo.diary_id and is_public_on_mirror(diary, "visibility")
    if purpose == "avatar":
        user = owners.get("user")
        return user is not None and user.id == photo.owner_id and user.deleted_at is None \
            and user.avatar_id == photo.id and (user.field_visibility or {}).get("avatar", "members") == "public"
    if purpose in ("album", "event"):
        row = owners.get(purpose)
        wanted = photo.album_id if purpose == "album" else photo.parent_id
        return row is not None and row.id == wanted and _owned_or_community_public(row, owners.get("community"))
    if purpose in ("topic", "reply"):
        topic, reply, community = owners.get("topic"), owners.get("reply"), owners.get("community")
        if purpose == "reply" and not (reply is not None and reply.id == photo.parent_id
                                       and is_public_on_mirror(reply) and topic is not None
                                       and reply.topic_id == topic.id):
            return False
        if purpose == "topic" and not (topic is not None and topic.id == photo.parent_id):
            return False
        return is_public_on_mirror(topic) and community is not None and topic.community_id == community.id \
            and is_public_on_mirror(community, "readable_by")
    if purpose in ("report", "disaster"):
        row = owners.get(purpose)
        return row is not None and row.id == photo.parent_id and is_public_on_mirror(row)
    return False
