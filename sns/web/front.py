"""The front page for visitors and My page for residents."""

from __future__ import annotations

from starlette.requests import Request

from sns.services import disaster, mirror_pages, safety, timelines
from sns.web.http import load_ctx, login_redirect, redirect, render
from sns.web.reader_pages import keep_at_most, keep_for_reader


async def front_page(request: Request):
    ctx = await load_ctx(request)
    event = await disaster.active_event(ctx)
    # A neighbouring city that does not answer: its residents are pointed to its mirror (shared, no query warm)
    fallen = await mirror_pages.fallen_cities(ctx.settings)
    if event is not None:  # disaster mode: the light, text-first page, for everyone
        from sns.web.disaster import light_front

        return await light_front(request, ctx, event, fallen=fallen)
    if ctx.user is not None:
        return redirect("/home")
    diaries = await timelines.town_diaries(ctx, 10)
    notices = await timelines.newest_notices(ctx, 5)
    return await render(request, "front.html", diaries=diaries, notices=notices, fallen=fallen)


async def my_page(request: Request):
    # kept until I, my friends' doings, the town's public entries or the site change
    keep_for_reader(request, base=("u", "f", "town", "site"))
    ctx = await load_ctx(request)
    if ctx.user is None:
        return login_redirect(request)
    page = await timelines.my_page(ctx)
    # "new since my last visit" counts from the visit remembered; a later visit must be remembered again
    keep_at_most(request, timelines.seconds_until_seen_again(ctx.user))
    event = await disaster.active_event(ctx)  # shared: no query on a warm cache, two more while it is on
    return await render(request, "home.html", page=page, my_checkin=await safety.my_checkin(ctx, event),
                        friends_checkins=await safety.friends_checkins(ctx, event), checkin_label=safety.status_label)
