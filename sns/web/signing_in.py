"""Finishing a sign-in, whichever way it went: a password alone, a password and a second factor, or a
passkey alone. One place starts the signed-in session, sets its cookie and writes the account's log, so
every way in is told of alike (sns/services/account_log.py), and a browser the account has not signed in
from before is mailed about (sns/services/known_browsers.py).

A password that was right for an account with a second factor starts a session at the stage "password":
its cookie signs nobody in (sns/web/session_read.py); only the second-factor step reads it
(`pending_session`), for `PENDING_MINUTES`, and replaces it with a signed-in one."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from itsdangerous import BadSignature, Signer
from starlette.requests import Request
from starlette.responses import Response

from sns.i18n import N_
from sns.models import Session, User
from sns.models.base import utcnow
from sns.services import accounts, known_browsers, leaving
from sns.web.http import SESSION_COOKIE, current_session, load_ctx, redirect, safe_next

PENDING_MINUTES = 10


def set_session_cookie(request: Request, response: Response, session_id: str) -> Response:
    state = request.app.state
    response.set_cookie(
        SESSION_COOKIE, Signer(state.secret, salt="session").sign(session_id).decode(),
        max_age=state.settings.session_days * 86400, httponly=True, samesite="lax",
        secure=state.settings.secure_cookies,
    )
    return response


def _cookie_session_id(request: Request) -> str | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        return Signer(request.app.state.secret, salt="session").unsign(raw).decode()
    except (BadSignature, UnicodeDecodeError):
        return None


async def pending_session(request: Request) -> Session | None:
    """The session of this browser waiting for its second factor (the password was right a moment ago)."""
    session_id = _cookie_session_id(request)
    if not session_id:
        return None
    session = await Session.get_or_none(id=session_id, stage="password").select_related("user")
    if session is None:
        return None
    if session.created_at < utcnow() - timedelta(minutes=PENDING_MINUTES) or session.user.state != "active" \
            or session.user.deleted_at is not None:
        await accounts.end_session(session.id)
        return None
    return session


async def start_pending(request: Request, user: User, target: str) -> Response:
    """The password was right and the account has a second factor: on to asking for it."""
    ctx = await load_ctx(request)
    await _end_this_browsers_session(request)
    session = await accounts.start_session(user, request.headers.get("user-agent", ""), ctx.client_ip,
                                           stage="password", how="password")
    response = redirect("/login/second-factor" + (f"?{urlencode({'next': target})}" if target else ""))
    return set_session_cookie(request, response, session.id)


async def finish_sign_in(request: Request, user: User, how: str, target: str) -> Response:
    """Sign `user` in on this browser (`how`: password, totp, recovery, passkey) and go to `target`."""
    ctx = await load_ctx(request)
    await _end_this_browsers_session(request)
    user_agent = request.headers.get("user-agent", "")
    session = await accounts.start_session(user, user_agent, ctx.client_ip, how=how)
    token, new = known_browsers.browser_token(request.cookies.get(known_browsers.COOKIE))
    await known_browsers.signed_in_from(ctx, user, token, user_agent, how)  # logged; a new browser is mailed
    # signing in during a deletion's grace period cancels it (sns/services/leaving.py)
    cancelled = await leaving.cancel_deletion(user.id, ip=ctx.client_ip, user_agent=user_agent)
    response = redirect(safe_next(target or "/home"), N_("Your account will not be deleted.") if cancelled else None)
    if new:
        response.set_cookie(known_browsers.COOKIE, token, max_age=known_browsers.COOKIE_DAYS * 86400, httponly=True,
                            samesite="lax", secure=request.app.state.settings.secure_cookies)
    return set_session_cookie(request, response, session.id)


async def _end_this_browsers_session(request: Request) -> None:
    """A new session id at every step (no fixation): whatever this browser held before is ended."""
    old = current_session(request)
    session_id = old.id if old is not None else _cookie_session_id(request)
    if session_id:
        await accounts.end_session(session_id)
