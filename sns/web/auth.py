"""Signing in and out, joining, and passwords."""

from __future__ import annotations

from starlette.requests import Request

from sns.errors import ServiceError
from sns.i18n import N_
from sns.services import accounts, invitations, second_factor
from sns.services.site import load_site
from sns.web.http import (
    SESSION_COOKIE, current_session, errors_of, form_of, load_ctx, redirect, render, signed_in, text,
)
from sns.web.signing_in import finish_sign_in, start_pending


async def login(request: Request):
    ctx = await load_ctx(request)
    if request.method == "GET":
        if ctx.user is not None:
            return redirect("/home")
        return await render(request, "login.html", next=request.query_params.get("next", ""))
    form = form_of(request)
    username, target = text(form, "username"), text(form, "next")
    try:
        user = await accounts.authenticate(ctx, username, text(form, "password"))
    except ServiceError as exc:
        return await render(request, "login.html", status=exc.status, errors=errors_of(exc),
                            form={"username": username}, next=target)
    if await second_factor.has_second_factor(user.id):
        return await start_pending(request, user, target)
    return await finish_sign_in(request, user, "password", target)


async def logout(request: Request):
    await load_ctx(request)
    session = current_session(request)
    if session is not None:
        await accounts.end_session(session.id)
    response = redirect("/", N_("You are signed out."))
    response.delete_cookie(SESSION_COOKIE)
    return response


def _join_fields(form) -> dict:
    return {
        "username": text(form, "username"),
        "display_name": text(form, "display_name"),
        "email": text(form, "email"),
        "password": text(form, "password"),
    }


async def join(request: Request):
    """Register through an invitation link."""
    ctx = await load_ctx(request)
    token = request.path_params["token"]
    if request.method == "GET":
        try:
            invitation = await invitations.find_invitation(token)
        except ServiceError as exc:
            return await render(request, "error.html", status=exc.status, message=exc.text())
        return await render(request, "join.html", token=token, form={"email": invitation.email})
    fields = _join_fields(form_of(request))
    try:
        user = await invitations.join_with_invitation(ctx, token, **fields)
    except ServiceError as exc:
        fields.pop("password")
        return await render(request, "join.html", status=exc.status, token=token, errors=errors_of(exc),
                            form=fields)
    return await finish_sign_in(request, user, "password", "/settings/profile?welcome=1")


async def signup(request: Request):
    """Open sign-up (when the administrator allows it): the account waits for approval."""
    ctx = await load_ctx(request)
    site = await load_site()
    if request.method == "GET":
        return await render(request, "signup.html", open=site.open_signup)
    fields = _join_fields(form_of(request))
    try:
        await invitations.sign_up(ctx, **fields)
    except ServiceError as exc:
        fields.pop("password")
        return await render(request, "signup.html", status=exc.status, open=site.open_signup,
                            errors=errors_of(exc), form=fields)
    return redirect("/", N_("Thank you. An administrator will approve your account soon."))


async def password_forgot(request: Request):
    ctx = await load_ctx(request)
    if request.method == "GET":
        return await render(request, "password_forgot.html")
    await accounts.request_password_reset(ctx, text(form_of(request), "who"))
    return await render(request, "password_forgot.html", sent=True)


async def password_reset(request: Request):
    ctx = await load_ctx(request)
    token = request.path_params["token"]
    if request.method == "GET":
        return await render(request, "password_reset.html", token=token)
    try:
        await accounts.reset_password(ctx, token, text(form_of(request), "new_password"))
    except ServiceError as exc:
        return await render(request, "password_reset.html", status=exc.status, token=token,
                            errors=errors_of(exc))
    return redirect("/login", N_("Your password is changed. Please sign in."))


@signed_in
async def password_change(request: Request, ctx):
    if request.method == "GET":
        return await render(request, "password_change.html")
    form = form_of(request)
    session = current_session(request)
    try:
        await accounts.change_password(ctx, text(form, "current_password"), text(form, "new_password"),
                                       keep_session=session.id if session else None)
    except ServiceError as exc:
        return await render(request, "password_change.html", status=exc.status, errors=errors_of(exc))
    return redirect("/settings", N_("Your password is changed."))
