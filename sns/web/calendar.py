"""The month calendar page and the iCalendar (.ics) files: the town's, a resident's secret feed, one event."""

from __future__ import annotations

from babel.dates import format_date
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_, current_locale, gettext
from sns.models.base import utcnow
from sns.services import calendar as calendar_service
from sns.services import events as event_service
from sns.services.ics import calendar_ics
from sns.web.http import errors_of, form_of, load_ctx, redirect, render, signed_in, text
from sns.services.site import load_site

ICS_TYPE = "text/calendar; charset=utf-8"


def _ics(body: bytes, filename: str, private: bool) -> Response:
    return Response(body, media_type=ICS_TYPE, headers={
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": "private, no-store" if private else "public, max-age=300",
        "X-Robots-Tag": "noindex",
    })


async def calendar_page(request: Request):
    ctx = await load_ctx(request)
    try:
        month = calendar_service.month_of(ctx, request.query_params.get("month"))
    except ServiceError as exc:
        month = calendar_service.month_of(ctx, None)
        return await _render(request, ctx, month, status=exc.status, errors=errors_of(exc))
    return await _render(request, ctx, month)


async def _render(request: Request, ctx, month, status: int = 200, **extra):
    days = await calendar_service.month_events(ctx, month)
    today = utcnow().astimezone(event_service.zone_of(ctx)).date()
    return await render(request, "calendar.html", status=status, month=month, days=days, today=today,
                        day_label=lambda d: format_date(d, "full", locale=current_locale()),
                        busy=[d for d, items in days.items() if items], feeds=await calendar_service.my_feeds(ctx),
                        new_feed=extra.pop("new_feed", None), **extra)


@signed_in
async def feed_create(request: Request, ctx):
    month = calendar_service.month_of(ctx, None)
    try:
        _, secret = await calendar_service.create_feed(ctx)
    except ServiceError as exc:
        return await _render(request, ctx, month, status=exc.status, errors=errors_of(exc))
    url = f"{ctx.settings.base_url}/calendar/feed/{secret}.ics"
    return await _render(request, ctx, month, new_feed=url)


@signed_in
async def feed_revoke(request: Request, ctx):
    await calendar_service.revoke_feed(ctx, text(form_of(request), "feed_id"))
    return redirect("/calendar#feeds", N_("That calendar address no longer works."))


async def town_ics(request: Request):
    ctx = await load_ctx(request)

    site = await load_site()
    name = gettext("%(town)s: events", town=site.name_for(ctx.settings.default_locale))
    return _ics(calendar_ics(await calendar_service.town_events(), name=name, base_url=ctx.settings.base_url),
                "town.ics", private=False)


async def personal_ics(request: Request):
    ctx = await load_ctx(request)
    found = await calendar_service.feed_events(request.path_params["secret"])
    if found is None:
        return Response("Not found\n", status_code=404, media_type="text/plain")
    user, items = found
    name = gettext("%(name)s's calendar", name=user.display_name)
    return _ics(calendar_ics(items, name=name, base_url=ctx.settings.base_url), "calendar.ics", private=True)


async def event_ics(request: Request):
    ctx = await load_ctx(request)
    event = await event_service.get_event(ctx, request.path_params["id"])
    public = event.community_id is None and event.visibility == "public"
    return _ics(calendar_ics([event], name=event.title, base_url=ctx.settings.base_url), "event.ics",
                private=not public)


ROUTES: list[Route] = [
    Route("/calendar", calendar_page, methods=["GET"], name="calendar"),
    Route("/calendar/town.ics", town_ics, methods=["GET"]),
    Route("/calendar/feed/{secret}.ics", personal_ics, methods=["GET"]),
    Route("/calendar/feeds", feed_create, methods=["POST"]),
    Route("/calendar/feeds/revoke", feed_revoke, methods=["POST"]),
]
