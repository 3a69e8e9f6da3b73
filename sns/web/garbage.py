"""The garbage calendar: /garbage (every district's coming collection days) and /garbage/{district}, for
everyone, without JavaScript; /admin/garbage, where administrators upload the city's CSV and add or remove
single days."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import NotFound, ServiceError
from sns.i18n import N_
from sns.policies.reminders import can_manage_garbage_calendar
from sns.services import garbage
from sns.services.reminders import full_date
from sns.services.shelter_csv import ImportRefused
from sns.services.site import districts
from sns.web.http import errors_of, files, form_of, load_ctx, redirect, render, signed_in_with, text

ADMIN = "/admin/garbage"


async def calendar_page(request: Request):
    ctx = await load_ctx(request)
    district_id = request.path_params.get("district")
    try:
        listed = await garbage.coming_days(ctx.settings, district_id[:40] if district_id else None)
    except NotFound:
        return await render(request, "error.html", status=404, message=None)
    return await render(request, "garbage.html", listed=listed, one=district_id is not None, what_of=garbage.what_of,
                        full_date=full_date)


async def _admin(request: Request, ctx, status: int = 200, **extra):
    return await render(request, "garbage_admin.html", status=status, districts=await districts(),
                        listed=await garbage.coming_days(ctx.settings), what_of=garbage.what_of,
                        full_date=full_date, **extra)


async def admin_page(request: Request):
    ctx, refused = await signed_in_with(request, can_manage_garbage_calendar)
    if refused:
        return refused
    raw = request.query_params.get("stored", "")
    return await _admin(request, ctx, stored=int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else None)


async def upload(request: Request):
    ctx, refused = await signed_in_with(request, can_manage_garbage_calendar)
    if refused:
        return refused
    uploads = await files(form_of(request), "file")
    try:
        if not uploads:
            raise ImportRefused([(N_("Choose the CSV file of the garbage calendar."), {})])
        count = await garbage.import_calendar(ctx, uploads[0])
    except ImportRefused as exc:
        return await _admin(request, ctx, status=exc.status, problems=exc.lines())
    except ServiceError as exc:
        return await _admin(request, ctx, status=exc.status, problems=[exc.text()])
    return redirect(f"{ADMIN}?stored={count}#result", N_("The garbage calendar is stored."))


async def add_day(request: Request):
    ctx, refused = await signed_in_with(request, can_manage_garbage_calendar)
    if refused:
        return refused
    form = form_of(request)
    typed = {name: text(form, name)[:400] for name in ("district_id", "day", "what", "what_ja")}
    try:
        await garbage.add_day(ctx, **typed)
    except ServiceError as exc:
        return await _admin(request, ctx, status=exc.status, form=typed, errors=errors_of(exc))
    return redirect(ADMIN, N_("The collection day is saved."))


async def remove_day(request: Request):
    ctx, refused = await signed_in_with(request, can_manage_garbage_calendar)
    if refused:
        return refused
    try:
        await garbage.remove_day(ctx, request.path_params["id"])
    except NotFound:
        return await render(request, "error.html", status=404, message=None)
    return redirect(ADMIN, N_("The collection day is removed."))


ROUTES: list[Route] = [
    Route("/garbage", calendar_page, methods=["GET"]),
    Route("/garbage/{district}", calendar_page, methods=["GET"]),
    Route(ADMIN, admin_page, methods=["GET"]),
    Route(ADMIN + "/upload", upload, methods=["POST"]),
    Route(ADMIN + "/days", add_day, methods=["POST"]),
    Route(ADMIN + "/days/{id}/remove", remove_day, methods=["POST"]),
]
