"""My settings: language, password, API tokens (made only after the second factor, or the password, again)."""

from __future__ import annotations

from starlette.requests import Request

from sns.errors import ServiceError
from sns.i18n import LOCALES, N_
from sns.models import ApiToken
from sns.policies.second_factors import token_confirmation
from sns.services import accounts, second_factor, tokens
from sns.services.mailbox import set_email_on_mail
from sns.web.http import errors_of, form_of, load_ctx, redirect, render, safe_next, signed_in, text


async def _settings(request: Request, ctx, status: int = 200, **values):
    """The Settings page; its token form asks for the second factor, or the password without one."""
    api_tokens = await ApiToken.filter(user_id=ctx.user.id).order_by("-id")
    asks = token_confirmation(await second_factor.has_second_factor(ctx.user.id))
    response = await render(request, "settings.html", status=status, tokens=api_tokens, token_asks=asks, **values)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@signed_in
async def settings_page(request: Request, ctx):
    return await _settings(request, ctx)


async def language(request: Request):
    """Choose English or Japanese: remembered in a cookie, and on the account when signed in."""
    ctx = await load_ctx(request)
    form = form_of(request)
    choice = text(form, "lang")
    if choice not in LOCALES:
        choice = "en"
    await accounts.set_locale(ctx, choice)
    response = redirect(safe_next(text(form, "next") or "/"))
    response.set_cookie("lang", choice, max_age=365 * 86400, samesite="lax",
                        secure=request.app.state.settings.secure_cookies)
    return response


@signed_in
async def token_create(request: Request, ctx):
    """A new API token, once the person has confirmed it is them (sns.services.second_factor.confirm_it_is_you);
    a refusal keeps the typed name."""
    form = form_of(request)
    name = text(form, "name")
    try:
        await second_factor.confirm_it_is_you(ctx, ctx.user, code=text(form, "code"), password=text(form, "password"))
        _, secret = await tokens.create_token(ctx, name)
    except ServiceError as exc:
        return await _settings(request, ctx, status=exc.status, errors=errors_of(exc), form={"name": name[:200]})
    return await _settings(request, ctx, new_token=secret)


@signed_in
async def token_revoke(request: Request, ctx):
    await tokens.revoke_token(ctx, text(form_of(request), "token_id"))
    return redirect("/settings", N_("The token is revoked."))


@signed_in
async def mail_notice(request: Request, ctx):
    """The "e-mail me when new mail arrives" checkbox (mounted with the mail pages' routes)."""
    on = text(form_of(request), "email_on_mail") == "1"
    await set_email_on_mail(ctx, on)
    return redirect("/settings", N_("You will get an e-mail when new mail arrives.") if on
                    else N_("You will not get e-mails about new mail."))
