"""My sessions and my security log (Settings): the browsers and apps signed in to my account, signing any one
or all others out, and the account's own log of sign-ins and changes. Personal: never kept by a cache."""

from __future__ import annotations

from starlette.requests import Request

from sns.errors import ServiceError
from sns.i18n import N_
from sns.services import account_log, sessions
from sns.web.http import current_session, form_of, redirect, render, signed_in, text

NO_STORE = "private, no-store"


def _current_id(request: Request) -> str | None:
    session = current_session(request)
    return session.id if session is not None else None


async def _page(request: Request, template: str, **values):
    response = await render(request, template, **values)
    response.headers["Cache-Control"] = NO_STORE
    return response


@signed_in
async def sessions_page(request: Request, ctx):
    return await _page(request, "my_sessions.html", sessions=await sessions.my_sessions(ctx, _current_id(request)),
                       tokens=await sessions.my_tokens(ctx))


@signed_in
async def session_end(request: Request, ctx):
    """Sign out one of my other sessions, named by its handle."""
    try:
        await sessions.end_one(ctx, text(form_of(request), "session"), _current_id(request),
                               request.headers.get("user-agent", ""))
    except ServiceError as exc:
        return redirect("/settings/sessions", exc.message)
    return redirect("/settings/sessions", N_("That session is signed out."))


@signed_in
async def sessions_end_others(request: Request, ctx):
    await sessions.end_others(ctx, _current_id(request), request.headers.get("user-agent", ""))
    return redirect("/settings/sessions", N_("Every other session is signed out."))


@signed_in
async def security_log(request: Request, ctx):
    rows = [(e, account_log.KINDS.get(e.kind, e.kind), sessions.short_address(e.ip),
             sessions.browser_name(e.user_agent))
            for e in await account_log.recent(ctx.user.id)]
    return await _page(request, "security_log.html", events=rows)
