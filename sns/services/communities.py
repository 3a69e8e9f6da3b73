"""Communities (forums): open one, edit it, find it, and know where the viewer stands in it.

Memberships are in `sns.services.memberships`, topics in `sns.services.topics`, replies and
follows in `sns.services.replies`.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from sns import events
from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.i18n import N_
from sns.ids import is_id
from sns.models import JOIN_POLICIES, READABLE_BY, Community, Membership
from sns.models.base import utcnow
from sns.policies import (
    Viewer, can_edit_community, can_mark_official, can_open_community, can_view_community, community_scope,
    readable_community_scope,
)
from sns.policies.sql import database, fetch
from sns.services.rows import model_columns, model_of
from sns.services import review
from sns.services.base import clean_text, idempotency_key, rate_limit_post, require, save_change, save_new, transaction
from sns.services.moderate import open_flag, screen, tell_moderators
from sns.services.timelines import Page

NOT_FOUND = N_("This community does not exist or is not shared with you.")
NAME_CHARS = 100
DESCRIPTION_CHARS = 5000


async def my_communities(viewer: Viewer) -> list[Community]:
    """The communities the viewer is an active member of, by name (forms offer them)."""
    if viewer.id is None:
        return []
    ids = await Membership.filter(user_id=viewer.id, state="active").values_list("community_id", flat=True)
    return await Community.filter(id__in=list(ids), deleted_at=None).order_by("name") if ids else []


async def membership_of(viewer: Viewer, community_id: str) -> Membership | None:
    """The viewer's own membership row in this community (any state), or None (one query; none for visitors)."""
    if viewer.id is None or not isinstance(community_id, str) or not is_id(community_id):
        return None
    return await Membership.get_or_none(community_id=community_id, user_id=viewer.id)


async def memberships_by_state(viewer: Viewer) -> tuple[set[str], set[str]]:
    """(ids of communities where the viewer is an active member, ids where they are banned): one query."""
    if viewer.id is None:
        return set(), set()
    rows = await Membership.filter(user_id=viewer.id, state__in=["active", "banned"]).values_list(
        "community_id", "state")
    return {c for c, s in rows if s == "active"}, {c for c, s in rows if s == "banned"}


async def readable_community_q(viewer: Viewer) -> Q:
    """A filter on Community rows: those whose topics and replies the viewer may read
    (mirrors `policies.can_read_community`; one query for the viewer's memberships).

    For topics use `Q(community_id__in=Subquery(Community.filter(q).values("id")))`, or
    `readable_community_ids`; then apply `policies.post_scope(viewer)` to the topics themselves."""
    active, banned = await memberships_by_state(viewer)
    return readable_community_scope(viewer, active, banned)


async def readable_community_ids(viewer: Viewer) -> set[str]:
    """Ids of every community whose topics and replies the viewer may read (two queries).

    Search and other lists filter topics with `community_id__in=<these>` plus `post_scope(viewer)`;
    for replies, also the topic's own visibility (not deleted, published or own, author not blocked)."""
    q = await readable_community_q(viewer)
    return set(await Community.filter(q).values_list("id", flat=True))


def check_choice(value, choices, field: str, message: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise Invalid(message, field=field)
    return value


def _clean(ctx: Ctx, name, description, join_policy, readable_by) -> tuple[str, str, str, str]:
    name = clean_text(name, field="name", max_chars=NAME_CHARS, single_line=True)
    description = clean_text(description, field="description", max_chars=DESCRIPTION_CHARS, required=False)
    join_policy = check_choice(join_policy, JOIN_POLICIES, "join_policy", N_("Choose how people join."))
    readable_by = check_choice(readable_by, READABLE_BY, "readable_by", N_("Choose who can read the topics."))
    return name, description, join_policy, readable_by


async def get_community(ctx: Ctx, community_id: str) -> Community:
    """The community if the viewer may see it; otherwise NotFound (no hint that it exists)."""
    community = None
    if isinstance(community_id, str) and is_id(community_id):
        community = await Community.get_or_none(id=community_id)
    if community is None or not can_view_community(ctx.viewer, community, None):
        raise NotFound(NOT_FOUND)
    return community


async def community_and_membership(ctx: Ctx, community_id) -> tuple[Community, Membership | None]:
    """`get_community` and `membership_of` in one statement written by hand, for the community's page
    (its topic list is read far more often than anything in it is written)."""
    v = ctx.viewer
    found = []
    if isinstance(community_id, str) and is_id(community_id):
        conn, p = database()
        sql = f"SELECT {model_columns(Community, 'c', 'c_')}"
        if v.id:
            sql += (f", {model_columns(Membership, 'm', 'm_')} FROM communities c LEFT JOIN memberships m"
                    f" ON m.community_id = c.id AND m.user_id = {p(v.id)}")
        else:
            sql += " FROM communities c"
        found = await fetch(conn, f"{sql} WHERE c.id = {p(community_id)}", p)
    community = model_of(Community, found[0], "c_") if found else None
    if community is None or not can_view_community(v, community, None):
        raise NotFound(NOT_FOUND)
    membership = model_of(Membership, found[0], "m_") if v.id and found[0]["m_id"] is not None else None
    return community, membership


async def open_community(ctx: Ctx, *, name, description, join_policy="open", readable_by="public",
                         official: bool = False, client_token: str | None = None) -> Community:
    """A resident opens a community and becomes its admin."""
    client_token = idempotency_key(client_token)
    require(can_open_community(ctx.viewer))
    if client_token:
        earlier = await Community.get_or_none(client_token=client_token, creator_id=ctx.user.id)
        if earlier is not None:
            return earlier
    name, description, join_policy, readable_by = _clean(ctx, name, description, join_policy, readable_by)
    if official:
        require(can_mark_official(ctx.viewer), N_("Only the city's staff may mark a community official."))
    await rate_limit_post(ctx)
    screening = await screen(ctx, name, description)
    name, description = screening.texts
    now = utcnow()
    try:
        async with transaction() as tx:
            community = await save_new(Community(
                name=name, description=description, join_policy=join_policy, readable_by=readable_by,
                official=bool(official), creator_id=ctx.user.id, state=screening.state, member_count=1,
                last_activity_at=now, client_token=client_token, origin=ctx.origin), tx)
            await save_new(Membership(community_id=community.id, user_id=ctx.user.id, role="admin", state="active",
                                      origin=ctx.origin), tx)
            flag = await open_flag(screening, "community", community.id, ctx.user.id, tx)
    except IntegrityError:
        return await Community.get(client_token=client_token, creator_id=ctx.user.id)
    await tell_moderators(ctx, flag)
    community.held_reason = screening.reason if screening.state == "held" else None
    await events.publish("community.created", {"id": community.id})
    return community


async def edit_community(ctx: Ctx, community_id: str, *, name, description, join_policy, readable_by,
                         official: bool | None = None) -> Community:
    community = await get_community(ctx, community_id)
    membership = await membership_of(ctx.viewer, community.id)
    require(can_edit_community(ctx.viewer, community, membership))
    name, description, join_policy, readable_by = _clean(ctx, name, description, join_policy, readable_by)
    if official is not None and bool(official) != community.official:
        require(can_mark_official(ctx.viewer), N_("Only the city's staff may mark a community official."))
        community.official = bool(official)
    screening = await screen(ctx, name, description)
    name, description = screening.texts
    async with transaction() as tx:
        community.name, community.description = name, description
        community.join_policy, community.readable_by = join_policy, readable_by
        if screening.state != "published":
            community.state = screening.state
        await save_change(community, tx)
        flag = await open_flag(screening, "community", community.id, ctx.user.id, tx)
    await tell_moderators(ctx, flag)
    community.held_reason = screening.reason if screening.state == "held" else None
    await events.publish("community.updated", {"id": community.id})
    return community


async def set_official(ctx: Ctx, community_id: str, official: bool) -> Community:
    """The city's staff mark any community official (run by the city), or take the mark away."""
    require(can_mark_official(ctx.viewer), N_("Only the city's staff may mark a community official."))
    community = await get_community(ctx, community_id)
    if community.official != bool(official):
        async with transaction() as tx:
            community.official = bool(official)
            await save_change(community, tx)
        await events.publish("community.updated", {"id": community.id})
    return community


async def pending_count(community_id: str) -> int:
    return await Membership.filter(community_id=community_id, state="pending").count()


async def list_communities(ctx: Ctx, *, before: str | None = None, limit: int | None = None,
                           mine: bool = False):
    """Communities the viewer may see, newest first (one query, two with `mine`)."""
    limit = limit or ctx.settings.page_size
    q = Community.filter(community_scope(ctx.viewer))
    if before and is_id(before):
        q = q.filter(id__lt=before)
    if mine:
        ids = await Membership.filter(user_id=ctx.viewer.id or "", state="active").values_list(
            "community_id", flat=True)
        q = q.filter(id__in=list(ids) or [""])
    rows = await q.order_by("-id").limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1].id if more and rows else None)


def community_url(community) -> str:
    return f"/communities/{community.id}"


REVIEWABLE = review.Reviewable(  # the review queue's kind "community" (sns/areas.py)
    Community, N_("Community"), None, community_url, fields=("name", "description"))
# reports on a community would need `author_id`; residents report its topics and replies instead
