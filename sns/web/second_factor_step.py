"""/login/second-factor: the step after a right password for an account with a second factor. It reads this
browser's session waiting for its factor (sns/web/signing_in.py), asks for the code from the authenticator
app or a recovery code (one field; a passkey, where the browser has one, from the partial
`_passkey_second_factor.html`), and signs the person in. Wrong codes count toward the sign-in limit."""

from __future__ import annotations

from starlette.requests import Request

from sns.errors import ServiceError
from sns.i18n import N_
from sns.services import second_factor
from sns.web.http import errors_of, form_of, load_ctx, redirect, render, safe_next, text
from sns.web.signing_in import finish_sign_in, pending_session

ASK_AGAIN = N_("Please sign in again: the time for the second step ran out.")


async def _page(request: Request, user_id: str, status: int = 200, recovery: bool = False, **values):
    """The step's page, offering what the account has: a passkey button, the app's code, a recovery code (the
    only code an account with passkeys alone has)."""
    kinds = {factor.kind for factor in await second_factor.factors_of(user_id)}
    has_app = "totp" in kinds
    response = await render(request, "login_second_factor.html", status=status, has_passkey="passkey" in kinds,
                            has_app=has_app, recovery=recovery or not has_app, **values)
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def second_factor_step(request: Request):
    ctx = await load_ctx(request)
    if request.method == "GET":
        target = request.query_params.get("next", "")
        if ctx.user is not None:
            return redirect(safe_next(target))
        pending = await pending_session(request)
        if pending is None:
            return redirect("/login", ASK_AGAIN)
        return await _page(request, pending.user_id, next=target, recovery=request.query_params.get("recovery") == "1")
    form = form_of(request)
    target, code, recovery = text(form, "next"), text(form, "code"), text(form, "recovery") == "1"
    pending = await pending_session(request)
    if pending is None:
        return redirect("/login", ASK_AGAIN)
    try:
        how = await second_factor.check_code(ctx, pending.user, code)
    except ServiceError as exc:
        return await _page(request, pending.user_id, status=exc.status, errors=errors_of(exc), form={"code": code[:64]},
                           next=target, recovery=recovery)
    return await finish_sign_in(request, pending.user, how, target)
