"""Rules for albums (see sns/policies/__init__.py).

A resident's album is seen like a diary (its owner's audience); a community's album by whoever may
read the community, and its active members add photos to it.
"""

from __future__ import annotations

from tortoise.expressions import Q

from sns.policies.core import *  # noqa: F401,F403
from sns.policies.core import Viewer, is_moderator, is_self, is_signed_in
from sns.policies.events import _active_member, can_view_owned_or_community, owned_or_community_scope  # noqa: PLC2701 (one rule)

__all__ = ["can_view_album", "can_create_album", "can_edit_album", "can_delete_album", "can_add_album_photo",
           "can_remove_album_photo", "album_scope"]


def can_view_album(v: Viewer, album, community=None, membership=None) -> bool:
    return can_view_owned_or_community(v, album, album.owner_id, community, membership)


def can_create_album(v: Viewer, community=None, membership=None) -> bool:
    if not is_signed_in(v):
        return False
    return community is None or (community.deleted_at is None and _active_member(v, membership))


def can_edit_album(v: Viewer, album) -> bool:
    return is_signed_in(v) and is_self(v, album.owner_id) and album.deleted_at is None


def can_delete_album(v: Viewer, album) -> bool:
    return album.deleted_at is None and (can_edit_album(v, album) or is_moderator(v))


def can_add_album_photo(v: Viewer, album, community=None, membership=None) -> bool:
    """The owner; in a community's album, every active member too."""
    if can_edit_album(v, album):
        return True
    return (album.community_id is not None and album.deleted_at is None
            and can_view_album(v, album, community, membership) and _active_member(v, membership))


def can_remove_album_photo(v: Viewer, album, photo) -> bool:
    """Whoever added it, the album's owner, or a moderator."""
    if not is_signed_in(v) or photo.deleted_at is not None:
        return False
    return is_self(v, photo.owner_id) or is_self(v, album.owner_id) or is_moderator(v)


def album_scope(v: Viewer, readable_community_ids=()) -> Q:
    """Albums `v` may see, as a filter (mirrors `can_view_album`)."""
    return owned_or_community_scope(v, "owner_id", readable_community_ids)
