"""Who manages the city on the fediverse (/admin/fediverse), and whom a server elsewhere may follow.

The page names servers and actors that follow the city and residents, lists refused inbox posts and the
delivery queue, and removes or blocks a server: administrators only. A `Follow` from elsewhere is accepted
for the city's own actor, and for a resident only while they are active and chose "followable" in Settings
(their public diaries are what followers get)."""

from __future__ import annotations

from sns.policies.core import Viewer, is_admin


def can_manage_fediverse(v: Viewer) -> bool:
    return is_admin(v)


def accepts_followers(user) -> bool:
    """A resident's actor accepts a follow from another server: active, not deleted, not a system account
    (one nobody signs in as: no password), and followable by their own choice."""
    return (user is not None and user.state == "active" and user.deleted_at is None and bool(user.password_hash)
            and bool(user.fediverse_followable))
