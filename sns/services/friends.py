"""Friends (request, accept, decline, remove) and blocks."""

from __future__ import annotations

from tortoise.expressions import Q

from sns import events
from sns.context import Ctx
from sns.errors import Forbidden, NotFound
from sns.i18n import N_
from sns.models import Block, Friendship, User
from sns.policies import can_befriend, can_block, is_signed_in
from sns.services.base import delete_with_tombstone, require, save_change, save_new, transaction


async def _target(user_id: str) -> User:
    user = await User.get_or_none(id=user_id, deleted_at=None)
    if user is None:
        raise NotFound(N_("No such resident."))
    return user


async def resident_id(username: str) -> str:
    """The id of a resident named by username (the API names people so); NotFound otherwise."""
    user = await User.get_or_none(username=(username or "").strip().lower(), deleted_at=None)
    if user is None:
        raise NotFound(N_("No such resident."))
    return user.id


async def request_friend(ctx: Ctx, user_id: str) -> str:
    """Ask to be friends. If they already asked me, this accepts. Idempotent."""
    target = await _target(user_id)
    if not can_befriend(ctx.viewer, target):
        raise Forbidden(N_("You cannot send a friend request to this resident."))
    me = ctx.user.id
    reverse = await Friendship.get_or_none(user_id=target.id, friend_id=me)
    if reverse is not None and reverse.state == "requested":
        await accept(ctx, target.id)
        return "accepted"
    existing = await Friendship.get_or_none(user_id=me, friend_id=target.id)
    if existing is not None:
        return existing.state
    async with transaction() as tx:
        await save_new(Friendship(user_id=me, friend_id=target.id, state="requested", origin=ctx.origin), tx)
    await events.publish("friend.requested", {"to": target.id})
    return "requested"


async def accept(ctx: Ctx, user_id: str) -> None:
    require(is_signed_in(ctx.viewer))
    me = ctx.user.id
    async with transaction() as tx:
        incoming = await Friendship.get_or_none(user_id=user_id, friend_id=me, state="requested").using_db(tx)
        if incoming is None:
            raise NotFound(N_("There is no friend request from this resident."))
        incoming.state = "accepted"
        await save_change(incoming, tx)
        mine = await Friendship.get_or_none(user_id=me, friend_id=user_id).using_db(tx)
        if mine is None:
            await save_new(Friendship(user_id=me, friend_id=user_id, state="accepted", origin=ctx.origin), tx)
        elif mine.state != "accepted":
            mine.state = "accepted"
            await save_change(mine, tx)


async def _delete_pair(a: str, b: str, tx) -> None:
    rows = await Friendship.filter(Q(user_id=a, friend_id=b) | Q(user_id=b, friend_id=a)).using_db(tx)
    for row in rows:
        await delete_with_tombstone(row, tx)


async def decline(ctx: Ctx, user_id: str) -> None:
    require(is_signed_in(ctx.viewer))
    async with transaction() as tx:
        await _delete_pair(ctx.user.id, user_id, tx)


async def remove(ctx: Ctx, user_id: str) -> None:
    """End a friendship (or withdraw my request)."""
    await decline(ctx, user_id)


async def block(ctx: Ctx, user_id: str) -> None:
    target = await _target(user_id)
    require(can_block(ctx.viewer, target))
    async with transaction() as tx:
        await _delete_pair(ctx.user.id, target.id, tx)
        if not await Block.exists(blocker_id=ctx.user.id, blocked_id=target.id):
            await save_new(Block(blocker_id=ctx.user.id, blocked_id=target.id, origin=ctx.origin), tx)


async def unblock(ctx: Ctx, user_id: str) -> None:
    require(is_signed_in(ctx.viewer))
    async with transaction() as tx:
        for row in await Block.filter(blocker_id=ctx.user.id, blocked_id=user_id).using_db(tx):
            await delete_with_tombstone(row, tx)


async def friends_of(user_id: str) -> list[User]:
    ids = await Friendship.filter(user_id=user_id, state="accepted").values_list("friend_id", flat=True)
    return await User.filter(id__in=list(ids), deleted_at=None).order_by("display_name")


async def incoming_requests(user_id: str) -> list[User]:
    ids = await Friendship.filter(friend_id=user_id, state="requested").values_list("user_id", flat=True)
    return await User.filter(id__in=list(ids), deleted_at=None)


async def outgoing_requests(user_id: str) -> list[User]:
    ids = await Friendship.filter(user_id=user_id, state="requested").values_list("friend_id", flat=True)
    return await User.filter(id__in=list(ids), deleted_at=None)


async def blocked_by_me(user_id: str) -> list[User]:
    ids = await Block.filter(blocker_id=user_id).values_list("blocked_id", flat=True)
    return await User.filter(id__in=list(ids))


async def relation(ctx: Ctx, user_id: str) -> str:
    """How I relate to a resident: self, friend, requested, incoming, blocked, none."""
    if ctx.user is None:
        return "none"
    me = ctx.user.id
    if me == user_id:
        return "self"
    if await Block.exists(blocker_id=me, blocked_id=user_id):
        return "blocked"
    mine = await Friendship.get_or_none(user_id=me, friend_id=user_id)
    if mine is not None:
        return "friend" if mine.state == "accepted" else "requested"
    if await Friendship.exists(user_id=user_id, friend_id=me, state="requested"):
        return "incoming"
    return "none"


# Every action a resident takes on another, with the confirmation they are shown (pages and API).
ACTIONS = {
    "request": (request_friend, N_("Your friend request is sent.")),
    "accept": (accept, N_("You are now friends.")),
    "decline": (decline, N_("The request is declined.")),
    "remove": (remove, N_("You are no longer friends.")),
    "block": (block, N_("This resident is blocked. They can no longer see you or contact you.")),
    "unblock": (unblock, N_("This resident is no longer blocked.")),
}
