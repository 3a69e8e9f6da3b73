"""Settings, Security (/settings/security): my authenticator apps (and passkeys, whose list and ceremony are
the partials `_passkey_list.html` and sns/web/passkeys.py), adding an app through its QR code, removing a
factor, and my recovery codes. An account that must have a second factor and has none is held here
(`sns.web.http.HeldForSecondFactor`) until it adds one.

Adding an app never stores its secret before the app has shown a right code: the secret travels in the
form, signed with the instance's secret and for `SETUP_SECONDS` (itsdangerous), so a wrong code loses
nothing and the same QR code stays. Every page here is personal and some show secrets: `private, no-store`."""

from __future__ import annotations

import segno
from itsdangerous import BadData, URLSafeTimedSerializer
from starlette.requests import Request

from sns.policies.second_factors import held_for_second_factor, may_remove_factor, must_have_second_factor
from sns.errors import Invalid, ServiceError
from sns.i18n import N_
from sns.services import recovery_codes, second_factor
from sns.services.site import DEFAULT_TOWN_NAME, load_site
from sns.web.http import app_state, errors_of, form_of, redirect, render, signed_in, text

SETUP_SECONDS = 30 * 60  # time to scan the QR code and type the app's first code


def _no_store(response):
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _setup_signer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app_state(request).secret, salt="totp-setup")


def _setup_secret(request: Request, ctx, token: str) -> str:
    """The secret of the app being added, from the signed form field (this account's, in time)."""
    try:
        data = _setup_signer(request).loads(token, max_age=SETUP_SECONDS)
    except BadData:
        data = None
    if not isinstance(data, dict) or data.get("u") != ctx.user.id or not isinstance(data.get("s"), str):
        raise Invalid(N_("The time to add the app ran out. Please scan the new QR code and type its code."),
                      field="code")
    return data["s"]


async def _issuer(ctx) -> str:
    """Who the phone's app says the code is for: the town's name once chosen, else the instance's host name."""
    site = await load_site()
    return site.town_name if site.town_name and site.town_name != DEFAULT_TOWN_NAME else ctx.settings.origin


async def _qr(ctx, secret: str) -> tuple[str, str]:
    """The QR code (inline SVG, no script or style) and the otpauth:// address it holds."""
    uri = second_factor.provisioning_uri(secret, ctx.user.username, await _issuer(ctx))
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=4, light="#fff", omitsize=True,
                                                  svgclass="qr-code")
    return svg, uri


async def security_page_with(request: Request, ctx, status: int = 200, **values):
    """Settings, Security, with `values` (a form's errors) for its partials too (the passkeys' list)."""
    factors = await second_factor.factors_of(ctx.user.id)
    has_factor = bool(factors)
    values.setdefault("errors", {})
    return _no_store(await render(
        request, "settings_security.html", status=status,
        apps=[f for f in factors if f.kind == "totp"], passkeys=[f for f in factors if f.kind == "passkey"],
        has_factor=has_factor, codes_left=await recovery_codes.left(ctx.user.id),
        held=held_for_second_factor(ctx.user, has_factor, ctx.settings),
        must=must_have_second_factor(ctx.user, ctx.settings),
        last_one_stays=len(factors) == 1 and not may_remove_factor(ctx.user, 0, ctx.settings),
        **values))


@signed_in
async def security_page(request: Request, ctx):
    return await security_page_with(request, ctx)


async def _totp_page(request: Request, ctx, secret: str, status: int = 200, **values):
    svg, uri = await _qr(ctx, secret)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    token = _setup_signer(request).dumps({"u": ctx.user.id, "s": secret})
    return _no_store(await render(request, "settings_security_totp.html", status=status, qr=svg, uri=uri,
                                  secret=grouped, setup=token, **values))


@signed_in
async def totp_new(request: Request, ctx):
    if request.method == "GET":
        return await _totp_page(request, ctx, second_factor.new_totp_secret())
    form = form_of(request)
    typed = {"name": text(form, "name")[:200], "code": text(form, "code")[:64]}
    try:
        secret = _setup_secret(request, ctx, text(form, "setup"))
    except ServiceError as exc:  # ran out or tampered with: a new secret, and what was typed kept
        return await _totp_page(request, ctx, second_factor.new_totp_secret(), status=exc.status,
                                errors=errors_of(exc), form={"name": typed["name"]})
    try:
        _, codes = await second_factor.add_totp(ctx, ctx.user, typed["name"], secret, typed["code"])
    except ServiceError as exc:
        return await _totp_page(request, ctx, secret, status=exc.status, errors=errors_of(exc), form=typed)
    if codes:
        return await show_recovery_codes(request, codes, first=True)
    return redirect("/settings/security", N_("The authenticator app is added."))


async def show_recovery_codes(request: Request, codes: list[str], first: bool = False):
    """The page that shows a new set of recovery codes, once (also after the first passkey is added)."""
    return _no_store(await render(request, "settings_recovery_codes.html", codes=codes, first=first))


@signed_in
async def factor_remove(request: Request, ctx):
    """Remove an authenticator app or a passkey: the password again, and never the last one of a role that
    must have one."""
    factor_id = request.path_params["id"]
    try:
        factor = await second_factor.removable(ctx, ctx.user, factor_id)
    except ServiceError as exc:
        return await security_page_with(request, ctx, status=exc.status, errors=errors_of(exc))
    if request.method == "GET":
        return _no_store(await render(request, "settings_security_remove.html", factor=factor))
    try:
        await second_factor.remove_factor(ctx, ctx.user, factor_id, text(form_of(request), "password"))
    except ServiceError as exc:
        return _no_store(await render(request, "settings_security_remove.html", status=exc.status, factor=factor,
                                      errors=errors_of(exc)))
    return redirect("/settings/security", N_("The second factor is removed."))


@signed_in
async def recovery_page(request: Request, ctx):
    """How many recovery codes are left, and a new set on request (the password again)."""
    has_factor = await second_factor.has_second_factor(ctx.user.id)
    values = {"left": await recovery_codes.left(ctx.user.id), "has_factor": has_factor}
    if request.method == "GET":
        return _no_store(await render(request, "settings_recovery.html", **values))
    try:
        await second_factor.check_password_again(ctx, ctx.user, text(form_of(request), "password"))
        codes = await recovery_codes.remake(ctx, ctx.user, has_factor)
    except ServiceError as exc:
        return _no_store(await render(request, "settings_recovery.html", status=exc.status, errors=errors_of(exc),
                                      **values))
    return await show_recovery_codes(request, codes)
