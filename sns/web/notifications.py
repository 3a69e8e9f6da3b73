"""The list of what a resident was told, and marking it read."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.services import notifications
from sns.web.http import load_ctx, login_redirect, redirect, render


async def notification_list(request: Request):
    ctx = await load_ctx(request)
    if ctx.user is None:
        return login_redirect(request)
    items = await notifications.recent(ctx)
    return await render(request, "notifications.html", items=items, describe=notifications.describe)


async def open_notification(request: Request):
    """Follow a notification's link, marking it read (only the owner's own notifications)."""
    ctx = await load_ctx(request)
    if ctx.user is None:
        return login_redirect(request)
    url = await notifications.open_one(ctx, request.path_params["id"])
    return redirect(url or "/notifications")


async def mark_all_read(request: Request):
    ctx = await load_ctx(request)
    if ctx.user is None:
        return login_redirect(request)
    await notifications.mark_read(ctx)
    return redirect("/notifications")


ROUTES = [
    Route("/notifications", notification_list, methods=["GET"]),
    Route("/notifications/read", mark_all_read, methods=["POST"]),
    Route("/notifications/{id}", open_notification, methods=["GET"]),
]
