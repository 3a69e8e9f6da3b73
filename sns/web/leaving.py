"""Settings, "Delete my account" (docs/privacy.md, "Leaving"): what happens, the choice about public posts,
the password (and a second-factor code) again."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_, gettext
from sns.services import leaving, second_factor
from sns.web.http import SESSION_COOKIE, errors_of, form_of, redirect, render, signed_in, text

ASKED = N_("Your account will be deleted after the grace period; we have sent you an e-mail with the date. "
           "Signing in before then cancels the deletion.")


async def _page(request: Request, ctx, status: int = 200, **values):
    response = await render(
        request, "leaving.html", status=status, days=ctx.settings.account_deletion_days,
        has_factor=await second_factor.has_second_factor(ctx.user.id), may_leave=await leaving.may_ask(ctx),
        **values)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@signed_in
async def delete_account(request: Request, ctx):
    if request.method == "GET":
        return await _page(request, ctx, form={"keep": "keep"})
    form = form_of(request)
    keep = text(form, "keep")
    if keep not in ("keep", "remove"):
        return await _page(request, ctx, status=400, form={"keep": ""},
                           errors={"keep": gettext("Choose what happens to your public posts.")})
    try:
        await leaving.ask_deletion(ctx, password=text(form, "password"), code=text(form, "code"),
                                   keep_public=keep == "keep")
    except ServiceError as exc:
        return await _page(request, ctx, status=exc.status, errors=errors_of(exc), form={"keep": keep})
    response = redirect("/", ASKED)
    response.delete_cookie(SESSION_COOKIE)
    return response


ROUTES = (Route("/settings/delete", delete_account, methods=["GET", "POST"]),)
