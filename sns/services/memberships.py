"""Who belongs to a community: join, ask, invite, accept, leave, remove, ban, promote, demote.

A person has at most one Membership row per community; its `state` says where they stand
(pending, invited, active, banned, left) and its `role` what they may do (member, moderator =
the community's sub-moderator, admin). The community's `member_count` counts active rows.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from sns import events
from sns.context import Ctx
from sns.errors import Conflict, Forbidden, Invalid, NotFound
from sns.i18n import N_
from sns.ids import is_id
from sns.models import Community, Membership, User
from sns.policies import (
    can_answer_requests, can_join, can_leave, can_manage_members, can_see_members, is_blocked,
)
from sns.services.base import require, save_change, save_new, transaction
from sns.services.communities import get_community, membership_of
from sns.services.notifications import notify

MEMBER_ACTIONS = ("accept", "decline", "remove", "ban", "unban", "make_moderator", "make_admin", "make_member")
ROLE_OF = {"make_moderator": "moderator", "make_admin": "admin", "make_member": "member"}


async def _count(community_id: str, delta: int, tx) -> None:
    """The active members counted on the community (a derived number, not journaled)."""
    if delta:
        await Community.filter(id=community_id).using_db(tx).update(member_count=F("member_count") + delta)


async def _admin_ids(community_id: str, conn=None) -> list[str]:
    q = Membership.filter(community_id=community_id, state="active", role="admin")
    return list(await (q.using_db(conn) if conn else q).values_list("user_id", flat=True))


async def _set(membership: Membership, tx, *, state: str, role: str | None = None) -> int:
    """Change a membership; returns the change in active members."""
    before = membership.state == "active"
    membership.state = state
    if role is not None:
        membership.role = role
    await save_change(membership, tx)
    return int(state == "active") - int(before)


async def join(ctx: Ctx, community_id: str) -> Membership:
    """Join an open community, ask to join one by approval, or accept an invitation."""
    community = await get_community(ctx, community_id)
    membership = await membership_of(ctx.viewer, community.id)
    if membership is not None and membership.state == "banned":
        raise Forbidden(N_("You are banned from this community."))
    if membership is not None and membership.state in ("active", "pending"):
        return membership  # already in, or already asked: the same answer again
    if community.join_policy == "invitation" and not (membership and membership.state == "invited"):
        raise Forbidden(N_("This community takes new members by invitation only."))
    require(can_join(ctx.viewer, community, membership))
    invited = membership is not None and membership.state == "invited"
    state = "active" if community.join_policy == "open" or invited else "pending"
    try:
        async with transaction() as tx:
            if membership is None:
                membership = await save_new(Membership(community_id=community.id, user_id=ctx.user.id,
                                                       state=state, origin=ctx.origin), tx)
                delta = int(state == "active")
            else:
                delta = await _set(membership, tx, state=state, role="member")
            await _count(community.id, delta, tx)
            if state == "pending":
                await notify(await _admin_ids(community.id, tx), "membership_request", subject=community.name,
                             url=f"/communities/{community.id}/members", actor_id=ctx.user.id, conn=tx)
    except IntegrityError:  # asked twice at once: the first one won
        return await Membership.get(community_id=community.id, user_id=ctx.user.id)
    await events.publish("membership.changed", {"community": community.id, "user": ctx.user.id, "state": state})
    return membership


async def leave(ctx: Ctx, community_id: str) -> None:
    """Leave, withdraw a request to join, or decline an invitation."""
    community = await get_community(ctx, community_id)
    membership = await membership_of(ctx.viewer, community.id)
    require(can_leave(ctx.viewer, community, membership), N_("You are not a member of this community."))
    async with transaction() as tx:
        if membership.state == "active" and membership.role == "admin" and \
                await _admin_ids(community.id, tx) == [ctx.user.id]:
            raise Conflict(N_("You are the community's last admin: make another member an admin first."))
        await _count(community.id, await _set(membership, tx, state="left", role="member"), tx)
    await events.publish("membership.changed", {"community": community.id, "user": ctx.user.id, "state": "left"})


async def _member(community_id: str, user_id: str) -> Membership:
    membership = None
    if isinstance(user_id, str) and is_id(user_id):
        membership = await Membership.get_or_none(community_id=community_id, user_id=user_id)
    if membership is None:
        raise NotFound(N_("This person is not in the community."))
    return membership


async def act_on_member(ctx: Ctx, community_id: str, user_id: str, action: str) -> Membership:
    """What the community's admins (and, for requests, its sub-moderators) do to a membership."""
    if action not in MEMBER_ACTIONS:
        raise Invalid(N_("Choose an action."), field="action")
    community = await get_community(ctx, community_id)
    mine = await membership_of(ctx.viewer, community.id)
    if action in ("accept", "decline"):
        require(can_answer_requests(ctx.viewer, community, mine))
    else:
        require(can_manage_members(ctx.viewer, community, mine))
    if action == "ban" and user_id == ctx.user.id:
        raise Invalid(N_("You cannot ban yourself."), field="username")
    if action == "ban":
        target_user = await User.get_or_none(id=user_id) if isinstance(user_id, str) and is_id(user_id) else None
        if target_user is None:
            raise NotFound(N_("No such resident."))
        membership = await Membership.get_or_none(community_id=community.id, user_id=user_id)
    else:
        membership = await _member(community.id, user_id)
    async with transaction() as tx:
        if action == "ban" and membership is None:
            membership = await save_new(Membership(community_id=community.id, user_id=user_id, state="banned",
                                                   origin=ctx.origin), tx)
            return membership
        state, role = membership.state, membership.role
        if action in ("accept", "decline") and state != "pending":
            raise Conflict(N_("This request has already been answered."))
        if action == "remove" and (state not in ("active", "pending", "invited") or user_id == ctx.user.id):
            raise Conflict(N_("Only other members can be removed (to leave, use Leave)."))
        if action == "unban" and state != "banned":
            raise Conflict(N_("This person is not banned."))
        if action in ROLE_OF and state != "active":
            raise Conflict(N_("Only active members can be given a role."))
        if (action in ("ban", "remove") or (action in ROLE_OF and ROLE_OF[action] != "admin")) \
                and role == "admin" and state == "active" and await _admin_ids(community.id, tx) == [user_id]:
            raise Conflict(N_("A community needs at least one admin: make another member an admin first."))
        new_state, new_role = {
            "accept": ("active", "member"), "decline": ("left", "member"), "remove": ("left", "member"),
            "ban": ("banned", "member"), "unban": ("left", "member"),
        }.get(action, (state, ROLE_OF.get(action, role)))
        await _count(community.id, await _set(membership, tx, state=new_state, role=new_role), tx)
        if action == "accept":
            await notify([user_id], "membership_accepted", subject=community.name,
                         url=f"/communities/{community.id}", actor_id=ctx.user.id, conn=tx)
    await events.publish("membership.changed", {"community": community.id, "user": user_id, "state": new_state})
    return membership


async def invite(ctx: Ctx, community_id: str, username) -> Membership:
    """An admin invites a resident (who may then join whatever the join policy)."""
    community = await get_community(ctx, community_id)
    mine = await membership_of(ctx.viewer, community.id)
    require(can_manage_members(ctx.viewer, community, mine))
    name = username.strip().lower().lstrip("@") if isinstance(username, str) else ""
    user = await User.get_or_none(username=name, deleted_at=None, state="active") if 0 < len(name) <= 64 else None
    if user is None or is_blocked(ctx.viewer, user.id):
        raise Invalid(N_("No such resident."), field="username")
    membership = await Membership.get_or_none(community_id=community.id, user_id=user.id)
    if membership is not None and membership.state in ("active", "banned", "invited"):
        raise Invalid({"active": N_("%(name)s is already a member."), "invited": N_("%(name)s is already invited."),
                       "banned": N_("%(name)s is banned from this community.")}[membership.state],
                      field="username", name=user.display_name)
    async with transaction() as tx:
        if membership is None:
            membership = await save_new(Membership(community_id=community.id, user_id=user.id, state="invited",
                                                   invited_by_id=ctx.user.id, origin=ctx.origin), tx)
        else:
            membership.invited_by_id = ctx.user.id
            await _set(membership, tx, state="invited", role="member")
        await notify([user.id], "community_invite", subject=community.name, url=f"/communities/{community.id}",
                     actor_id=ctx.user.id, conn=tx)
    return membership


async def members(ctx: Ctx, community_id: str) -> dict:
    """Active members (admins first), and for those who manage it: requests, invitations, bans."""
    community = await get_community(ctx, community_id)
    mine = await membership_of(ctx.viewer, community.id)
    require(can_see_members(ctx.viewer, community, mine), N_("Only people who may read this community see its members."))
    shown = ["active"]
    if can_answer_requests(ctx.viewer, community, mine):
        shown.append("pending")
    if can_manage_members(ctx.viewer, community, mine):
        shown += ["invited", "banned"]
    rows = await Membership.filter(community_id=community.id, state__in=shown).select_related("user").order_by(
        "id").limit(2000)
    rank = {"admin": 0, "moderator": 1, "member": 2}
    out: dict = {"community": community, "mine": mine, **{s: [] for s in ("active", "pending", "invited", "banned")}}
    for m in sorted(rows, key=lambda m: (rank.get(m.role, 3), m.id)):
        if m.state == "active" and is_blocked(ctx.viewer, m.user_id):
            continue
        out[m.state].append(m)
    return out
