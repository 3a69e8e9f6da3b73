"""Residents: profiles, friends, blocks, and editing my own profile."""

from __future__ import annotations

from starlette.requests import Request

from sns.errors import ServiceError
from sns.i18n import N_
from sns.models import PROFILE_FIELDS
from sns.policies import can_befriend, can_message, can_view_profile_field
from sns.services import friends as friend_service
from sns.services import profiles, timelines
from sns.services.site import districts
from sns.web.http import errors_of, files, form_of, load_ctx, redirect, render, safe_next, signed_in, text


async def profile_page(request: Request):
    ctx = await load_ctx(request)
    user = await profiles.get_profile(ctx, request.path_params["username"])
    page = await timelines.diaries(ctx, author_id=user.id, before=request.query_params.get("before"))
    shown = {name: can_view_profile_field(ctx.viewer, user, name) for name in PROFILE_FIELDS}
    relation = await friend_service.relation(ctx, user.id)
    return await render(request, "profile.html", person=user, page=page, shown=shown, relation=relation,
                        may_befriend=can_befriend(ctx.viewer, user), may_message=can_message(ctx.viewer, user))


@signed_in
async def people_list(request: Request, ctx):
    query = request.query_params.get("q", "")[:64]
    page = await timelines.residents(ctx, query, request.query_params.get("before"))
    return await render(request, "people.html", page=page, q=query)


@signed_in
async def friends_page(request: Request, ctx):
    me = ctx.user.id
    return await render(
        request, "friends.html",
        friends=await friend_service.friends_of(me),
        incoming=await friend_service.incoming_requests(me),
        outgoing=await friend_service.outgoing_requests(me),
        blocked=await friend_service.blocked_by_me(me),
    )




@signed_in
async def friend_action(request: Request, ctx):
    action = request.path_params["action"]
    if action not in friend_service.ACTIONS:
        return await render(request, "error.html", status=404, message=None)
    form = form_of(request)
    call, message = friend_service.ACTIONS[action]
    await call(ctx, text(form, "user_id"))
    return redirect(safe_next(text(form, "next") or "/friends"), message)


@signed_in
async def profile_edit(request: Request, ctx):
    user = ctx.user
    all_districts = await districts()
    if request.method == "GET":
        typed = {"display_name": user.display_name, "introduction": user.introduction,
                 "district": user.district_id or ""}
        typed.update({f"visibility_{n}": user.visibility_of(n) for n in PROFILE_FIELDS})
        return await render(request, "profile_form.html", form=typed, districts=all_districts,
                            welcome=bool(request.query_params.get("welcome")))
    form = form_of(request)
    typed = {n: text(form, n) for n in ("display_name", "introduction", "district")}
    typed.update({f"visibility_{n}": text(form, f"visibility_{n}") for n in PROFILE_FIELDS})
    avatar = await files(form, "avatar")
    try:
        await profiles.update_profile(
            ctx, display_name=typed["display_name"], introduction=typed["introduction"],
            district_id=typed["district"], avatar=avatar[0] if avatar else None,
            visibility={n: typed[f"visibility_{n}"] for n in PROFILE_FIELDS},
            remove_avatar=bool(text(form, "remove_avatar")),
        )
    except ServiceError as exc:
        return await render(request, "profile_form.html", status=exc.status, errors=errors_of(exc), form=typed,
                            districts=all_districts)
    return redirect(f"/people/{user.username}", N_("Your profile is saved."))
