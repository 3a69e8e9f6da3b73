"""Which communities a viewer belongs to and may read, for events and albums."""

from __future__ import annotations

from sns.models import Community, Membership
from sns.policies import Viewer
from sns.services import communities
from sns.services.communities import membership_of


async def community_and_membership(viewer: Viewer, community_id: str | None):
    if community_id is None:
        return None, None
    community = await Community.get_or_none(id=community_id)
    return community, (await membership_of(viewer, community_id) if community else None)


async def readable_community_ids(viewer: Viewer) -> list[str]:
    """The communities `viewer` may read (the communities' own scope, in SQL), for list scopes."""
    return sorted(await communities.readable_community_ids(viewer))


async def my_community_ids(viewer: Viewer) -> list[str]:
    if viewer.id is None:
        return []
    return list(await Membership.filter(user_id=viewer.id, state="active").values_list("community_id", flat=True))
