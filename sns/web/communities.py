"""Community pages: the list, one community with its topics, opening and editing one, its members.

Topic and reply pages are in `sns.web.topics`, the community feed in `sns.web.community_feed`;
their routes are added to ROUTES below.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_
from sns.policies import (
    can_answer_requests, can_edit_community, can_join, can_leave, can_manage_members, can_mark_official,
    can_open_community, can_post_topic, can_read_community, can_see_members, is_banned_from,
)
from sns.services import communities as community_service
from sns.services import memberships, topics
from sns.web import community_feed
from sns.web import topics as topic_pages
from sns.web.diaries import held_message
from sns.web.http import errors_of, form_of, load_ctx, redirect, render, signed_in, text
from sns.web.reader_pages import keep_for_reader

FIELDS = ("name", "description", "join_policy", "readable_by")
MEMBER_MESSAGES = {
    "accept": N_("The request is accepted."), "decline": N_("The request is declined."),
    "remove": N_("The member is removed."), "ban": N_("The person is banned from the community."),
    "unban": N_("The ban is lifted."), "make_moderator": N_("They are now a sub-moderator."),
    "make_admin": N_("They are now an admin of the community."), "make_member": N_("They are now a member."),
}


def community_url(community_id: str) -> str:
    return f"/communities/{community_id}"


async def community_list(request: Request):
    ctx = await load_ctx(request)
    mine = request.query_params.get("mine") == "1" and ctx.user is not None
    page = await community_service.list_communities(ctx, before=request.query_params.get("before"), mine=mine)
    return await render(request, "community_list.html", page=page, mine=mine,
                        may_open=can_open_community(ctx.viewer))


def _typed(form) -> dict:
    return {name: text(form, name) for name in FIELDS}


@signed_in
async def community_new(request: Request, ctx):
    official_allowed = can_mark_official(ctx.viewer)
    if request.method == "GET":
        return await render(request, "community_form.html", form={"join_policy": "open", "readable_by": "public"},
                            official_allowed=official_allowed)
    form = form_of(request)
    typed = _typed(form)
    official = text(form, "official") == "1"
    try:
        community = await community_service.open_community(ctx, **typed, official=official,
                                                           client_token=text(form, "client_token") or None)
    except ServiceError as exc:
        return await render(request, "community_form.html", status=exc.status, errors=errors_of(exc),
                            form={**typed, "official": official}, official_allowed=official_allowed)
    message = N_("Your community is open.") if community.state == "published" else held_message(community)
    return redirect(community_url(community.id), message)


@signed_in
async def community_edit(request: Request, ctx):
    community = await community_service.get_community(ctx, request.path_params["id"])
    membership = await community_service.membership_of(ctx.viewer, community.id)
    if not can_edit_community(ctx.viewer, community, membership):
        return await render(request, "error.html", status=403, message=None)
    official_allowed = can_mark_official(ctx.viewer)
    if request.method == "GET":
        typed = {n: getattr(community, n) for n in FIELDS}
        return await render(request, "community_form.html", community=community, form={
            **typed, "official": community.official}, official_allowed=official_allowed)
    form = form_of(request)
    typed = _typed(form)
    official = (text(form, "official") == "1") if official_allowed else None
    try:
        community = await community_service.edit_community(ctx, community.id, **typed, official=official)
    except ServiceError as exc:
        return await render(request, "community_form.html", status=exc.status, errors=errors_of(exc),
                            community=community, form={**typed, "official": official},
                            official_allowed=official_allowed)
    return redirect(community_url(community.id), N_("Your changes are saved.") if community.state == "published"
                    else held_message(community))


async def community_page(request: Request):
    keep_for_reader(request, f"c:{request.path_params['id']}")  # kept until the community or I change
    ctx = await load_ctx(request)
    community, membership = await community_service.community_and_membership(ctx, request.path_params["id"])
    v = ctx.viewer
    page = await topics.topic_page(ctx, community, membership, before=request.query_params.get("before"))
    return await render(
        request, "community.html", community=community, membership=membership, page=page,
        may_read=can_read_community(v, community, membership), may_post=can_post_topic(v, community, membership),
        may_join=can_join(v, community, membership), may_leave=can_leave(v, community, membership),
        may_edit=can_edit_community(v, community, membership), banned=is_banned_from(membership),
        may_see_members=can_see_members(v, community, membership), may_mark_official=can_mark_official(v),
        pending=await community_service.pending_count(community.id)
        if can_answer_requests(v, community, membership) else 0,
    )


@signed_in
async def official(request: Request, ctx):
    community_id = request.path_params["id"]
    mark = text(form_of(request), "official") == "1"
    await community_service.set_official(ctx, community_id, mark)
    return redirect(community_url(community_id), N_("The community is marked official.") if mark
                    else N_("The community is no longer marked official."))


@signed_in
async def join(request: Request, ctx):
    community_id = request.path_params["id"]
    try:
        membership = await memberships.join(ctx, community_id)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return redirect(community_url(community_id), exc.message)
    return redirect(community_url(community_id), N_("Welcome! You are a member now.")
                    if membership.state == "active" else N_("Your request to join is sent to the community's admins."))


@signed_in
async def leave(request: Request, ctx):
    community_id = request.path_params["id"]
    try:
        await memberships.leave(ctx, community_id)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return redirect(community_url(community_id), exc.message)
    return redirect(community_url(community_id), N_("You are no longer in this community."))


@signed_in
async def members_page(request: Request, ctx, status: int = 200, **extra):
    listing = await memberships.members(ctx, request.path_params["id"])
    community, mine = listing["community"], listing["mine"]
    return await render(request, "community_members.html", status=status, **listing,
                        may_manage=can_manage_members(ctx.viewer, community, mine),
                        may_answer=can_answer_requests(ctx.viewer, community, mine), **extra)


@signed_in
async def member_action(request: Request, ctx):
    community_id, action = request.path_params["id"], request.path_params["action"]
    back = community_url(community_id) + "/members"
    try:
        await memberships.act_on_member(ctx, community_id, text(form_of(request), "user_id"), action)
    except ServiceError as exc:
        if exc.message == community_service.NOT_FOUND:
            raise
        return redirect(back, exc.message)
    return redirect(back, MEMBER_MESSAGES[action])


@signed_in
async def invite(request: Request, ctx):
    community_id = request.path_params["id"]
    username = text(form_of(request), "username")
    try:
        await memberships.invite(ctx, community_id, username)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return await members_page(request, status=exc.status, errors=errors_of(exc), form={"username": username})
    return redirect(community_url(community_id) + "/members", N_("The invitation is sent."))


GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]
ROUTES: list[Route] = [
    Route("/communities", community_list, methods=GET),
    Route("/communities/new", community_new, methods=BOTH),
    Route("/communities/{id}", community_page, methods=GET),
    Route("/communities/{id}/edit", community_edit, methods=BOTH),
    Route("/communities/{id}/join", join, methods=POST),
    Route("/communities/{id}/leave", leave, methods=POST),
    Route("/communities/{id}/official", official, methods=POST),
    Route("/communities/{id}/members", members_page, methods=GET),
    Route("/communities/{id}/invite", invite, methods=POST),
    Route("/communities/{id}/members/{action}", member_action, methods=POST),
    *topic_pages.ROUTES,
    *community_feed.ROUTES,
]
