"""The list of what a resident was told, and marking it read."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.services import notifications
from sns.web.http import redirect, render, signed_in


@signed_in
async def notification_list(request: Request, ctx):
    items = await notifications.recent(ctx)
    return await render(request, "notifications.html", items=items, describe=notifications.describe)


@signed_in
async def open_notification(request: Request, ctx):
    """Follow a notification's link, marking it read (only the owner's own notifications)."""
    url = await notifications.open_one(ctx, request.path_params["id"])
    return redirect(url or "/notifications")


@signed_in
async def mark_all_read(request: Request, ctx):
    await notifications.mark_read(ctx)
    return redirect("/notifications")


ROUTES = [
    Route("/notifications", notification_list, methods=["GET"]),
    Route("/notifications/read", mark_all_read, methods=["POST"]),
    Route("/notifications/{id}", open_notification, methods=["GET"]),
]
