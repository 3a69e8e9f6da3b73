"""Administration: residents and roles, invitations, site settings and districts."""

from __future__ import annotations

from starlette.requests import Request

from sns.errors import ServiceError
from sns.i18n import N_
from sns.models import ROLES, Invitation, User
from sns.models.base import utcnow
from sns.policies import can_administer, can_invite
from sns.services import accounts, invitations
from sns.services.site import districts, load_site, set_districts, update_site
from sns.web.http import errors_of, form_of, load_ctx, redirect, render, text


async def _admin_ctx(request: Request, check=can_administer):
    ctx = await load_ctx(request)
    return ctx if check(ctx.viewer) else None


async def users_page(request: Request):
    ctx = await _admin_ctx(request)
    if ctx is None:
        return await render(request, "error.html", status=403, message=None)
    state = request.query_params.get("state", "")
    q = User.filter(deleted_at=None).exclude(state="system")  # the mail-intake account is nobody to manage
    if state in ("active", "pending", "suspended"):
        q = q.filter(state=state)
    users = await q.order_by("-id").limit(200).select_related("district")
    pending = await User.filter(state="pending", deleted_at=None).count()
    return await render(request, "admin_users.html", users=users, roles=ROLES, state=state, pending=pending)


async def user_update(request: Request):
    ctx = await _admin_ctx(request)
    if ctx is None:
        return await render(request, "error.html", status=403, message=None)
    form = form_of(request)
    user_id, action = request.path_params["id"], text(form, "action")
    try:
        if action == "role":
            await accounts.set_role(ctx, user_id, text(form, "role"))
            message = N_("The role is changed.")
        elif action in ("suspend", "reinstate", "approve"):
            await accounts.set_state(ctx, user_id, "suspended" if action == "suspend" else "active")
            message = {"suspend": N_("The account is suspended and signed out everywhere."),
                       "reinstate": N_("The account is active again."),
                       "approve": N_("The account is approved.")}[action]
        else:
            return await render(request, "error.html", status=400, message=None)
    except ServiceError as exc:
        return redirect("/admin/users", exc.message)
    return redirect("/admin/users", message)


async def invite_page(request: Request):
    ctx = await _admin_ctx(request, can_invite)
    if ctx is None:
        return await render(request, "error.html", status=403, message=None)
    open_invitations = await Invitation.filter(used_at=None, expires_at__gt=utcnow()).order_by("-id").limit(100)
    if request.method == "GET":
        return await render(request, "admin_invite.html", invitations=open_invitations)
    form = form_of(request)
    typed = {"email": text(form, "email"), "note": text(form, "note")}
    try:
        if text(form, "revoke"):
            await invitations.revoke(ctx, text(form, "revoke"))
            return redirect("/admin/invitations", N_("The invitation is withdrawn."))
        invitation, link = await invitations.invite(ctx, **typed, send_mail=bool(text(form, "send_mail")))
    except ServiceError as exc:
        return await render(request, "admin_invite.html", status=exc.status, errors=errors_of(exc), form=typed,
                            invitations=open_invitations)
    open_invitations = await Invitation.filter(used_at=None, expires_at__gt=utcnow()).order_by("-id").limit(100)
    return await render(request, "admin_invite.html", link=link, invitation=invitation, invitations=open_invitations)


async def site_page(request: Request):
    ctx = await _admin_ctx(request)
    if ctx is None:
        return await render(request, "error.html", status=403, message=None)
    site = await load_site()
    current_districts = await districts()
    if request.method == "GET":
        typed = dict(site.__dict__)
        typed["districts"] = "\n".join(d.name for d in current_districts)
        return await render(request, "admin_site.html", form=typed)
    form = form_of(request)
    names = ("town_name", "town_name_ja", "map_lat", "map_lon", "map_zoom", "welcome", "districts")
    typed = {n: text(form, n) for n in names}
    typed["open_signup"] = bool(text(form, "open_signup"))
    try:
        await update_site(ctx, **{k: v for k, v in typed.items() if k != "districts"})
        await set_districts(ctx, typed["districts"])
    except ServiceError as exc:
        return await render(request, "admin_site.html", status=exc.status, errors=errors_of(exc), form=typed)
    return redirect("/admin/site", N_("The site settings are saved."))
