"""Settings › Being told of alerts (/settings/alerts): for my district and/or within a distance of home,
by e-mail and/or Web Push on this browser, drills or not. The form works without JavaScript; Web Push
needs it (static/push.js subscribes this browser and posts its subscription here)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_, gettext
from sns.keys import vapid_public_key
from sns.services import alert_subscriptions as subs
from sns.services.site import district_of
from sns.web.http import errors_of, form_of, load_ctx, redirect, render, signed_in, text

CHECKS = ("by_district", "near_home", "email", "push", "drills", "notice_email", "notice_push")


def _form_of(subscription) -> dict:
    if subscription is None:
        return {"by_district": False, "near_home": False, "email": True, "push": True, "drills": True,
                "radius_km": "2", "lat": "", "lon": "", "notice_email": False, "notice_push": False}
    home = subscription.home_lat is not None
    return {"by_district": subscription.by_district, "near_home": home and bool(subscription.radius_km),
            "email": subscription.email, "push": subscription.push, "drills": subscription.drills,
            "radius_km": f"{subscription.radius_km:g}" if subscription.radius_km else "2",
            "lat": f"{subscription.home_lat}" if home else "", "lon": f"{subscription.home_lon}" if home else "",
            "notice_email": subscription.notice_email, "notice_push": subscription.notice_push}


async def _page(request: Request, ctx, form: dict, subscription, status: int = 200, **extra):
    district = await district_of(ctx.user)
    return await render(request, "settings_alerts.html", status=status, form=form, subscription=subscription,
                        district=district, push_count=await subs.my_push_count(ctx),
                        vapid_key=vapid_public_key(ctx.settings.keys_dir), **extra)


@signed_in
async def alerts_settings(request: Request, ctx):
    subscription = await subs.my_subscription(ctx)
    if request.method == "GET":
        return await _page(request, ctx, _form_of(subscription), subscription)
    form = form_of(request)
    typed = {name: text(form, name) for name in ("lat", "lon", "radius_km")}
    typed.update({name: text(form, name) == "1" for name in CHECKS})
    try:
        await subs.save_subscription(ctx, **typed)
    except ServiceError as exc:
        return await _page(request, ctx, typed, subscription, status=exc.status, errors=errors_of(exc))
    return redirect("/settings/alerts", N_("Saved: you will be told of alerts as you chose."))


@signed_in
async def alerts_stop(request: Request, ctx):
    await subs.stop_subscription(ctx)
    return redirect("/settings/alerts", N_("You will not be told of alerts any more; your home point is deleted."))


async def push_subscribe(request: Request):
    """From static/push.js: this browser's subscription (endpoint, p256dh, auth), as a form with the CSRF
    token. Answers JSON with a message in the reader's language."""
    ctx = await load_ctx(request)
    if ctx.user is None:
        return JSONResponse({"error": gettext("Please sign in first.")}, 401)
    form = form_of(request)
    try:
        if text(form, "action") == "remove":
            await subs.remove_push(ctx, endpoint=text(form, "endpoint"))
            return JSONResponse({"ok": True, "message": gettext("Web Push is off on this browser.")})
        await subs.add_push(ctx, endpoint=text(form, "endpoint"), p256dh=text(form, "p256dh"),
                            auth=text(form, "auth"))
    except ServiceError as exc:
        return JSONResponse({"error": exc.text(), "field": exc.field}, exc.status)
    return JSONResponse({"ok": True, "message": gettext("Web Push is on for this browser.")})


ROUTES: list[Route] = [
    Route("/settings/alerts", alerts_settings, methods=["GET", "POST"]),
    Route("/settings/alerts/stop", alerts_stop, methods=["POST"]),
    Route("/settings/alerts/push", push_subscribe, methods=["POST"]),
]
