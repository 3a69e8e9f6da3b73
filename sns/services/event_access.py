"""Which communities a viewer belongs to and may read, for events and albums."""

from __future__ import annotations

from sns.models import Community, Membership
from sns.policies import Viewer, readable_community


async def membership_of(viewer: Viewer, community_id: str | None):
    if community_id is None or viewer.id is None:
        return None
    try:
        from sns.services.communities import membership_of as theirs  # noqa: PLC0415 (written alongside)
    except ImportError:  # pragma: no cover
        theirs = None
    if theirs is not None:
        return await theirs(viewer, community_id)
    return await Membership.get_or_none(community_id=community_id, user_id=viewer.id)


async def community_and_membership(viewer: Viewer, community_id: str | None):
    if community_id is None:
        return None, None
    community = await Community.get_or_none(id=community_id)
    return community, (await membership_of(viewer, community_id) if community else None)


async def readable_community_ids(viewer: Viewer) -> list[str]:
    """The communities `viewer` may read (two queries), for list scopes."""
    mine = {}
    if viewer.id:
        mine = {m.community_id: m for m in await Membership.filter(user_id=viewer.id)}
    return [c.id for c in await Community.filter(deleted_at=None)
            if readable_community(viewer, c, mine.get(c.id))]


async def my_community_ids(viewer: Viewer) -> list[str]:
    if viewer.id is None:
        return []
    return list(await Membership.filter(user_id=viewer.id, state="active").values_list("community_id", flat=True))
