"""The front page for visitors and My page for residents."""

from __future__ import annotations

from starlette.requests import Request

from sns.services import timelines
from sns.web.http import load_ctx, login_redirect, redirect, render


async def front_page(request: Request):
    ctx = await load_ctx(request)
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
    return await render(request, "home.html", page=page)
