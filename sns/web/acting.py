"""Pages on this site for the staff of a fallen neighbour acting for their city (docs/mirroring.md,
"Acting on behalf"): sign in with a standby code at /mirror/<city>/staff, then post alerts and notices
for the city and change its alerts' status. Every page reads the acting session's own cookie, scoped to
these pages; this site's own session plays no part here (and the acting one none elsewhere)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from itsdangerous import BadSignature, Signer

from sns.errors import ServiceError
from sns.geo import parse_outline
from sns.i18n import N_
from sns.mirror import behalf
from sns.models import District, Peer
from sns.policies import may_post_alert_acting, may_post_notice_acting
from sns.web.alerts import FIELDS, _helpers
from sns.web.http import app_state, errors_of, form_of, load_ctx, redirect, render, text


def _token(request: Request) -> str | None:
    raw = request.cookies.get(behalf.COOKIE)
    if not raw:
        return None
    try:
        return Signer(app_state(request).secret, salt="acting").unsign(raw).decode()
    except BadSignature:
        return None


async def _city_name(origin: str) -> str:
    peer = await Peer.get_or_none(origin=origin)
    return (peer.name if peer else "") or origin


async def _page(request: Request, template: str, acting=None, status: int = 200, **values):
    origin = request.path_params["origin"]
    response = await render(request, template, status=status, origin=origin, city=await _city_name(origin),
                            acting=acting, base=behalf.cookie_path(origin), **values)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _acting(request: Request):
    """The acting session, or the page to answer instead (the sign-in form, with why)."""
    origin = request.path_params["origin"]
    ctx = await load_ctx(request)
    acting, why = await behalf.current(ctx.settings, origin, _token(request))
    if acting is not None:
        return ctx, acting, None
    errors = {}
    if why:
        try:
            behalf._refuse(why, origin, await Peer.get_or_none(origin=origin))
        except ServiceError as exc:
            errors = errors_of(exc)
    return ctx, None, await _page(request, "acting_signin.html", status=403 if request.method == "POST" else 200,
                                  errors=errors)


async def staff_home(request: Request):
    origin = request.path_params["origin"]
    ctx = await load_ctx(request)
    if request.method == "GET":
        acting, why = await behalf.current(ctx.settings, origin, _token(request))
        if acting is not None:
            return await _page(request, "acting_home.html", acting, alerts=await behalf.city_alerts(acting),
                               may_alert=may_post_alert_acting(acting.user),
                               may_notice=may_post_notice_acting(acting.user), **_helpers())
        errors = {}
        try:
            await behalf.may_sign_in(ctx.settings, origin)
        except ServiceError as exc:
            errors = errors_of(exc)
        return await _page(request, "acting_signin.html", errors=errors, closed=bool(errors))
    form = form_of(request)
    typed = {"username": text(form, "username")}
    try:
        _, token = await behalf.sign_in(ctx, origin, typed["username"], text(form, "code"))
    except ServiceError as exc:
        return await _page(request, "acting_signin.html", status=exc.status, errors=errors_of(exc), form=typed)
    response = redirect(behalf.cookie_path(origin), N_("You are signed in to act for your city."))
    response.set_cookie(behalf.COOKIE, Signer(app_state(request).secret, salt="acting").sign(token).decode(),
                        path=behalf.cookie_path(origin), max_age=ctx.settings.mirror_acting_minutes * 60,
                        httponly=True, samesite="strict", secure=ctx.settings.secure_cookies)
    return response


async def staff_sign_out(request: Request):
    origin = request.path_params["origin"]
    ctx = await load_ctx(request)
    await behalf.sign_out(ctx.settings, origin, _token(request))
    response = redirect(behalf.cookie_path(origin), N_("You are signed out."))
    response.delete_cookie(behalf.COOKIE, path=behalf.cookie_path(origin))
    return response


async def _districts(acting) -> list:
    return await District.filter(deleted_at=None).using_db(acting.replica).order_by("position", "name")


async def staff_alert_new(request: Request):
    ctx, acting, answer = await _acting(request)
    if answer is not None:
        return answer
    base = behalf.cookie_path(acting.origin)
    shown = dict(all_districts=await _districts(acting), form_action=f"{base}/alerts/new", **_helpers())
    if not may_post_alert_acting(acting.user):
        return await _page(request, "error.html", acting, status=403, message=None)
    if request.method == "GET":
        return await _page(request, "alert_form.html", acting, form={"kind": "fire", "severity": "Severe",
                                                                     "districts": []}, **shown)
    form = form_of(request)
    typed = {name: text(form, name) for name in FIELDS}
    typed["exercise"] = text(form, "exercise") == "1"
    typed["districts"] = [v for v in form.getlist("districts") if isinstance(v, str)][:500]
    try:
        await behalf.post_alert(ctx, acting, **{**typed, "polygon": parse_outline(typed["polygon"])},
                                client_token=text(form, "client_token") or None)
    except ServiceError as exc:
        return await _page(request, "alert_form.html", acting, status=exc.status, errors=errors_of(exc),
                           form=typed, **shown)
    return redirect(base, N_("The alert is posted for your city; your city's site takes it when it is back."))


async def staff_alert_status(request: Request):
    ctx, acting, answer = await _acting(request)
    if answer is not None:
        return answer
    form = form_of(request)
    try:
        await behalf.change_status(ctx, acting, request.path_params["id"], text(form, "status"), text(form, "note"))
    except ServiceError as exc:
        return redirect(behalf.cookie_path(acting.origin), exc.message)
    return redirect(behalf.cookie_path(acting.origin), N_("The alert's status is changed."))


async def staff_notice_new(request: Request):
    ctx, acting, answer = await _acting(request)
    if answer is not None:
        return answer
    base = behalf.cookie_path(acting.origin)
    if not may_post_notice_acting(acting.user):
        return await _page(request, "error.html", acting, status=403, message=None)
    if request.method == "GET":
        return await _page(request, "notice_form.html", acting, form_action=f"{base}/notices/new")
    form = form_of(request)
    typed = {"title": text(form, "title"), "body": text(form, "body")}
    try:
        await behalf.post_notice(ctx, acting, **typed)
    except ServiceError as exc:
        return await _page(request, "notice_form.html", acting, status=exc.status, errors=errors_of(exc),
                           form=typed, form_action=f"{base}/notices/new")
    return redirect(base, N_("The notice is published for your city."))


ROUTES: list[Route] = [
    Route("/mirror/{origin}/staff", staff_home, methods=["GET", "POST"]),
    Route("/mirror/{origin}/staff/signout", staff_sign_out, methods=["POST"]),
    Route("/mirror/{origin}/staff/alerts/new", staff_alert_new, methods=["GET", "POST"]),
    Route("/mirror/{origin}/staff/alerts/{id}/status", staff_alert_status, methods=["POST"]),
    Route("/mirror/{origin}/staff/notices/new", staff_notice_new, methods=["GET", "POST"]),
]
