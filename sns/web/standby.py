"""/admin/standby: the administrator prepares standby codes for the fire and disaster staff before a
disaster (docs/operating.md), revokes them, and reads what was posted on the city's behalf on
neighbours' sites while it was down (docs/mirroring.md, "Acting on behalf")."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_
from sns.models import StaffActionLog
from sns.policies import can_manage_standby_codes
from sns.services import standby_codes
from sns.web.http import errors_of, form_of, redirect, render, signed_in_with, text


async def _behalf_log() -> list[StaffActionLog]:
    return await StaffActionLog.filter(action__startswith="behalf.").order_by("-created_at").limit(100) \
        .select_related("actor")


async def _page(request: Request, ctx, status: int = 200, **values):
    response = await render(request, "admin_standby.html", status=status, holders=await standby_codes.holders(ctx),
                            behalf_log=await _behalf_log(), count=standby_codes.DEFAULT_COUNT, **values)
    response.headers["Cache-Control"] = "no-store"  # the codes are shown once: no copy in any cache
    return response


async def standby_page(request: Request):
    ctx, refusal = await signed_in_with(request, can_manage_standby_codes)
    if refusal:
        return refusal
    if request.method == "GET":
        return await _page(request, ctx)
    form = form_of(request)
    typed = {"username": text(form, "username").strip().lower()}
    try:
        if text(form, "action") == "revoke":
            await standby_codes.revoke_codes(ctx, typed["username"])
            return redirect("/admin/standby", N_("The unused standby codes are revoked."))
        count = text(form, "count").strip()
        user, codes = await standby_codes.make_codes(ctx, typed["username"], int(count) if count.isdigit() else 0)
    except ServiceError as exc:
        return await _page(request, ctx, status=exc.status, errors=errors_of(exc), form=typed)
    return await _page(request, ctx, made_for=user, codes=codes)


ROUTES: list[Route] = [Route("/admin/standby", standby_page, methods=["GET", "POST"])]
