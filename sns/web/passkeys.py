"""Passkeys and security keys: adding and removing them (Settings), and signing in with one, after the
password (the second-factor step) or alone (the sign-in page). The ceremonies run in the browser
(static/passkeys.js, navigator.credentials): it asks for options and sends the authenticator's answer as
JSON with the X-CSRF-Token header; every answer is JSON with a message in the reader's language and
`Cache-Control: private, no-store`. Removing one is a plain form (the password again)."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse

from sns.errors import ServiceError
from sns.i18n import N_, current_locale, gettext
from sns.services import passkeys, recovery_codes
from sns.services.site import load_site
from sns.web.http import (
    current_session, errors_of, flash, form_of, load_ctx, redirect, safe_next, signed_in, text,
)
from sns.web.middleware import CSRF_COOKIE
from sns.web.security_settings import security_page_with
from sns.web.signing_in import finish_sign_in, pending_session

MAX_JSON = 64 * 1024  # an attestation with its certificates is a few KB
FIRST_PASSKEY = N_("The passkey is added. Now make your recovery codes: they let you sign in if you lose it.")


def _json(data: dict, status: int = 200) -> JSONResponse:
    response = JSONResponse(data, status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _error(exc: ServiceError) -> JSONResponse:
    return _json({"error": exc.text(), "field": exc.field}, exc.status)


async def _body(request: Request) -> dict | None:
    """The JSON object sent, or None when it is not one (too large, not JSON, not an object)."""
    raw = await request.body()
    if len(raw) > MAX_JSON:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _malformed() -> JSONResponse:
    return _json({"error": gettext("The passkey request could not be read. Please reload the page and try "
                                   "again."), "field": "passkey"}, 400)


async def _signed_in_answer(request: Request, user, target: str) -> JSONResponse:
    """Sign in (the one way every sign-in ends, sns/web/signing_in.py) and tell the page where to go."""
    done = await finish_sign_in(request, user, "passkey", target)
    answer = _json({"ok": True, "redirect": done.headers["location"]})
    answer.raw_headers.extend((k, v) for k, v in done.raw_headers if k == b"set-cookie")
    return answer


async def _site_name() -> str:
    return (await load_site()).name_for(current_locale())


# Settings (the list and the button are on Settings, Security: templates/_passkey_list.html)


async def add_options(request: Request):
    ctx = await load_ctx(request)
    session = current_session(request)
    if ctx.user is None or session is None:
        return _json({"error": gettext("Please sign in first.")}, 401)
    data = await _body(request)
    if data is None:
        return _malformed()
    try:
        options, ticket = await passkeys.registration_options(ctx, request.app.state.secret, session.id,
                                                              data.get("name"), await _site_name())
    except ServiceError as exc:
        return _error(exc)
    return _json(passkeys.options_document(options, ticket))


async def add(request: Request):
    ctx = await load_ctx(request)
    session = current_session(request)
    if ctx.user is None or session is None:
        return _json({"error": gettext("Please sign in first.")}, 401)
    data = await _body(request)
    if data is None:
        return _malformed()
    try:
        await passkeys.add_passkey(ctx, request.app.state.secret, session.id, data.get("ticket"),
                                   data.get("name"), data.get("credential"))
    except ServiceError as exc:
        return _error(exc)
    if not await recovery_codes.left(ctx.user.id):  # the first factor: on to making the recovery codes
        return flash(_json({"ok": True, "redirect": "/settings/security/recovery"}), FIRST_PASSKEY)
    target = safe_next(data.get("next") if isinstance(data.get("next"), str) else "/settings/security")
    # the page goes there itself after this answer, and shows the confirmation there
    return flash(_json({"ok": True, "redirect": target}), N_("The passkey is added."))


@signed_in
async def remove(request: Request, ctx):
    form = form_of(request)
    try:
        await passkeys.remove_passkey(ctx, text(form, "factor_id"), text(form, "password"))
    except ServiceError as exc:
        return await security_page_with(request, ctx, status=exc.status, errors=errors_of(exc),
                                        removing=text(form, "factor_id"))
    return redirect(safe_next(text(form, "next") or "/settings/security"), N_("The passkey is removed."))


# Signing in: alone (the sign-in page), and as the second factor after the password


async def sign_in_options(request: Request):
    ctx = await load_ctx(request)
    try:
        options, ticket = await passkeys.sign_in_options(ctx, request.app.state.secret,
                                                         request.cookies.get(CSRF_COOKIE, ""))
    except ServiceError as exc:
        return _error(exc)
    return _json(passkeys.options_document(options, ticket))


async def sign_in(request: Request):
    ctx = await load_ctx(request)
    data = await _body(request)
    if data is None:
        return _malformed()
    try:
        user = await passkeys.check_passkey(ctx, request.app.state.secret, request.cookies.get(CSRF_COOKIE, ""),
                                            data.get("ticket"), data.get("credential"))
    except ServiceError as exc:
        return _error(exc)
    return await _signed_in_answer(request, user, data.get("next") if isinstance(data.get("next"), str) else "")


def _gone() -> JSONResponse:
    return _json({"error": gettext("Signing in took too long. Please sign in again."), "redirect": "/login"}, 401)


async def second_factor_options(request: Request):
    ctx = await load_ctx(request)
    pending = await pending_session(request)
    if pending is None:
        return _gone()
    try:
        options, ticket = await passkeys.sign_in_options(ctx, request.app.state.secret, pending.id, pending.user)
    except ServiceError as exc:
        return _error(exc)
    return _json(passkeys.options_document(options, ticket))


async def second_factor(request: Request):
    ctx = await load_ctx(request)
    pending = await pending_session(request)
    if pending is None:
        return _gone()
    data = await _body(request)
    if data is None:
        return _malformed()
    try:
        user = await passkeys.check_passkey(ctx, request.app.state.secret, pending.id, data.get("ticket"),
                                            data.get("credential"), pending.user)
    except ServiceError as exc:
        return _error(exc)
    return await _signed_in_answer(request, user, data.get("next") if isinstance(data.get("next"), str) else "")
