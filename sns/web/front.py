"""The front page for visitors and My page for residents."""

from __future__ import annotations

from starlette.requests import Request

from sns.services import disaster, safety, timelines
from sns.web.http import load_ctx, login_redirect, redirect, render


async def front_page(request: Request):
    ctx = await load_ctx(request)
    event = await disaster.active_event(ctx)
    if event is not None:  # disaster mode: the light, text-first page, for everyone
        from sns.web.disaster import light_front

        return await light_front(request, ctx, event)
    if ctx.user is not None:
        return redirect("/home")
    diaries = await timelines.town_diaries(ctx, 10)
    notices = await timelines.newest_notices(ctx, 5)
    return await render(request, "front.html", diaries=diaries, notices=notices)


async def my_page(request: Request):
    ctx = await load_ctx(request)
    if ctx.user is None:
        return login_redirect(request)
    page = await timelines.my_page(ctx)
    event = await disaster.active_event(ctx)  # shared: no query on a warm cache, two more while it is on
    return await render(request, "home.html", page=page, my_checkin=await safety.my_checkin(ctx, event),
                        friends_checkins=await safety.friends_checkins(ctx, event), checkin_label=safety.status_label)
