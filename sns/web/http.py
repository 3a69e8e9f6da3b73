"""What every page handler shares: who is asking, the form, rendering, redirects, flashes."""

from __future__ import annotations

import json
import re
from functools import wraps
from typing import Any
from urllib.parse import quote

from itsdangerous import BadSignature, Signer
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from sns import i18n
from sns.context import Ctx
from sns.errors import ServiceError
from sns.models import Session
from sns import policies
from sns.policies import load_viewer
from sns.policies.second_factors import held_for_second_factor
from sns.security import new_token
from sns.services import notifications, sessions
from sns.web.session_read import read_session
from sns.web.middleware import CSRF_COOKIE, CSRF_FIELD, csrf_token_for, new_csrf_cookie
from sns.services.site import load_site
from sns.services.review import waiting_count
from sns.services.alerts import active_alerts
from sns.services.disaster import active_event

SESSION_COOKIE = "sns_session"
FLASH_COOKIE = "sns_flash"
# Where a page rendered once for every visitor (sns/web/visitors.py) gets each visitor's own tokens:
# random per process, so no text anyone writes can contain them.
CSRF_SLOT = f"csrf-slot-{new_token(16)}".encode()
CLIENT_TOKEN_SLOT = f"client-slot-{new_token(16)}".encode()


def app_state(request: Request):
    return request.app.state


# What an account held for its second factor may still open (sns/policies/second_factors.py): the Security
# setup pages, signing out, the language, the live alert stream, the second-factor step, and the pages where
# a fallen neighbour's staff act for their city (their own cookie; sns/web/acting.py). Static files and the
# JSON API (tokens) never read the session.
SETUP_URL = "/settings/security?setup=1"
_WHILE_HELD = re.compile(r"^/(settings/security(/.*)?|settings/passkeys(/.*)?|logout|settings/language|live"
                         r"|login/second-factor"
                         r"|mirror/[^/]+/staff(/.*)?)$")


class HeldForSecondFactor(Exception):
    """The account must have a second factor and has none: the app answers with the setup page (303)."""


def _check_held(request: Request, read, settings) -> None:
    if held_for_second_factor(read.user, read.has_factor, settings) \
            and not _WHILE_HELD.match(request.url.path):
        raise HeldForSecondFactor()


async def load_ctx(request: Request) -> Ctx:
    """The caller as a service context: session, user, unread count and version numbers in one query
    (sns/web/session_read.py), then friends, blocks and departments (`policies.load_viewer`)."""
    if "ctx" in request.scope.setdefault("state", {}):
        return request.scope["state"]["ctx"]
    state = app_state(request)
    notifications.new_request()
    user = session = None
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        try:
            session_id = Signer(state.secret, salt="session").unsign(raw).decode()
        except BadSignature:
            session_id = None
        if session_id:
            keys = request.scope["state"].get("reader_keys", ())
            read = request.scope["state"].pop("session_read_early", None)  # by ReaderPages, this request
            if read is None or read.session.id != session_id or not all(k in read.versions for k in keys):
                read = await read_session(session_id, keys)
            if read is not None and read.active:
                if read.expired(state.settings.session_days):
                    await Session.filter(id=read.session.id).delete()
                else:
                    _check_held(request, read, state.settings)
                    user, session = read.user, read.session
                    request.scope["state"]["session_read"] = read
                    await sessions.seen(session)  # last_seen_at: one UPDATE every few minutes at most
    if user is not None and user.locale:
        i18n.set_locale(user.locale)
    viewer = await load_viewer(user)
    client = request.client.host if request.client else ""
    read = request.scope["state"].get("session_read")
    ctx = Ctx(state.settings, state.limits, viewer, client, read.versions if read else {}, state.site)
    request.scope["state"]["ctx"] = ctx
    request.scope["state"]["session"] = session
    return ctx


def current_session(request: Request) -> Session | None:
    return request.scope.get("state", {}).get("session")


def form_of(request: Request) -> FormData:
    """The form the CSRF middleware already read and checked."""
    return request.scope.get("state", {}).get("form") or FormData()


def text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.replace("\x00", "") if isinstance(value, str) else ""  # PostgreSQL refuses NUL in text


async def files(form: FormData, name: str) -> list[bytes]:
    out = []
    for item in form.getlist(name):
        if isinstance(item, UploadFile) and (item.filename or item.size):
            out.append(await item.read())
    return out


def csrf_cookie(request: Request) -> tuple[str, bool]:
    value = request.cookies.get(CSRF_COOKIE)
    if value:
        return value, False
    value = request.scope.setdefault("state", {}).get("new_csrf") or new_csrf_cookie()
    request.scope["state"]["new_csrf"] = value
    return value, True


def set_cookies(request: Request, response: Response) -> Response:
    value, new = csrf_cookie(request)
    secure = app_state(request).settings.secure_cookies
    if new:
        response.set_cookie(CSRF_COOKIE, value, httponly=True, samesite="lax", secure=secure)
    if request.cookies.get(FLASH_COOKIE) and not request.scope["state"].get("flash_kept"):
        response.delete_cookie(FLASH_COOKIE)
    return response


def flash(response: Response, message: str) -> Response:
    """Remember a short confirmation (an untranslated msgid) for the next page."""
    response.set_cookie(FLASH_COOKIE, json.dumps(message), max_age=60, httponly=True, samesite="lax")
    return response


def take_flash(request: Request) -> str | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        return i18n.gettext(json.loads(raw))
    except (ValueError, TypeError):
        return None


async def render(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    ctx = await load_ctx(request)
    state = app_state(request)

    site = await load_site()
    may = policies.offered(ctx.viewer, ctx.site.offered)
    if may["moderate"]:
        values.setdefault("waiting_review", await waiting_count())
        request.scope["state"]["not_kept"] = True  # the queue's count has no version number
    read = request.scope["state"].get("session_read")
    if read is not None:
        # read with the session, less what this very request marked read
        values.setdefault("unread_notifications", max(0, read.unread - notifications.marked_during_request()))
    if "active_alerts" not in values:  # the banner on every page: shared, no query on a warm cache

        values["active_alerts"] = await active_alerts(ctx)
    if "disaster" not in values:  # the disaster-mode banner: shared too

        values["disaster"] = await active_event(ctx)
    cookie, _ = csrf_cookie(request)
    slots = request.scope["state"].get("token_slots")  # rendered once for every visitor (sns/web/visitors.py)
    values.setdefault("errors", {})
    values.setdefault("form", {})
    html = state.templates.get_template(template).render(
        request=request,
        ctx=ctx,
        me=ctx.user,
        may=may,
        site=site,
        town=site.name_for(i18n.current_locale()),
        lang=i18n.current_locale(),
        csrf_field=CSRF_FIELD,
        csrf_token=CSRF_SLOT.decode() if slots else csrf_token_for(state.secret, cookie),
        flash=take_flash(request),
        client_token=CLIENT_TOKEN_SLOT.decode() if slots else new_token(16),
        **values,
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Cache-Control"] = "private, no-cache" if ctx.user else "no-cache"
    response.headers["Vary"] = "Cookie, Accept-Language"
    return set_cookies(request, response)


def redirect(url: str, message: str | None = None) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    if message:
        flash(response, message)
    return response


def errors_of(exc: ServiceError) -> dict[str, str]:
    return {exc.field or "_": exc.text()}


def login_redirect(request: Request) -> RedirectResponse:
    return redirect(f"/login?next={quote(request.url.path)}")


def signed_in(page):
    """For a page only the signed-in may use: a visitor is sent to sign in and then back to the page
    (`login_redirect`), before the page does anything; anyone else's request goes on to the page with
    their context after the request (`page(request, ctx, *what its caller passed)`)."""

    @wraps(page)
    async def for_the_signed_in(request: Request, *args, **kwargs):
        ctx = await load_ctx(request)
        if ctx.user is None:
            return login_redirect(request)
        return await page(request, ctx, *args, **kwargs)

    return for_the_signed_in


async def signed_in_with(request: Request, rule) -> tuple[Ctx, Response | None]:
    """The caller's context, and the answer to send instead when they may not use the page: to sign in
    for a visitor, 403 for someone `rule(viewer)` (from sns.policies) refuses; None when they may."""
    ctx = await load_ctx(request)
    if ctx.user is None:
        return ctx, login_redirect(request)
    if not rule(ctx.viewer):
        return ctx, await render(request, "error.html", status=403, message=None)
    return ctx, None


def safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/home"
    return target
