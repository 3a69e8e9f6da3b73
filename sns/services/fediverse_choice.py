"""A resident's choice to be followable from the fediverse (Settings; docs/federation.md).

Switched on, their public diaries are published to whoever follows them from other servers; switched off, the
followers' servers are told the actor is gone (a `Delete` of it, signed with its key like every delivery),
their followers are forgotten, and the actor, its outbox and its entries are 404 to every server at once.
"""

from __future__ import annotations

from sns.context import Ctx
from sns.fediverse import publishing
from sns.i18n import N_
from sns.models import Follower, User
from sns.policies.fediverse import can_choose_followable
from sns.services.base import require, transaction


async def set_followable(ctx: Ctx, on: bool) -> bool:
    """Switch my "followable from the fediverse" choice; returns the choice now. Saying the same twice
    changes nothing and tells nobody twice."""
    require(can_choose_followable(ctx.viewer), N_("You are not allowed to do that."))
    user, on = ctx.user, bool(on)
    async with transaction() as tx:
        fresh = await User.filter(id=user.id).using_db(tx).select_for_update().first()
        if fresh is None or fresh.fediverse_followable == on:
            return on
        if not on:
            await publishing.actor_withdrawn(tx, ctx.settings, fresh)
        await User.filter(id=user.id).using_db(tx).update(fediverse_followable=on)  # local only: never mirrored
    user.fediverse_followable = on
    return on


async def follower_count(ctx: Ctx) -> int:
    """How many accounts elsewhere follow me (Settings shows the number, never who)."""
    return await Follower.filter(actor=ctx.user.id).count()
