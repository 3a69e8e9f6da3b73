"""The administrators' audit log (/admin/audit) and second-factor resets: asking for one from the residents'
page, and the waiting ones a second administrator confirms or cancels (/admin/factor-resets)."""

from __future__ import annotations

from starlette.requests import Request

from sns.errors import ServiceError
from sns.i18n import N_
from sns.models import User
from sns.policies.audit import can_read_audit_log
from sns.services import audit, factor_resets
from sns.web.http import errors_of, form_of, redirect, render, signed_in_with, text

NO_STORE = "private, no-store"


async def _page(request: Request, template: str, status: int = 200, **values):
    response = await render(request, template, status=status, **values)
    response.headers["Cache-Control"] = NO_STORE
    return response


def _page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) < 6 else 1


async def audit_page(request: Request):
    ctx, refused = await signed_in_with(request, can_read_audit_log)
    if refused is not None:
        return refused
    params = request.query_params
    kind, person, page = params.get("kind", ""), params.get("person", "")[:64], _page_number(params.get("page", ""))
    kind = kind if kind in audit.KINDS else ""
    entries, more = await audit.entries(ctx, kind=kind, person=person, page=page)
    return await _page(request, "admin_audit.html", entries=entries, more=more, page=page, kind=kind,
                       person=person, kinds=audit.KINDS, waiting=len(await factor_resets.waiting(ctx)))


async def resets_page(request: Request):
    ctx, refused = await signed_in_with(request, can_read_audit_log)
    if refused is not None:
        return refused
    return await _page(request, "admin_factor_resets.html", resets=await factor_resets.waiting(ctx))


async def reset_decide(request: Request):
    """Confirm or cancel a waiting reset (`action`)."""
    ctx, refused = await signed_in_with(request, can_read_audit_log)
    if refused is not None:
        return refused
    reset_id, action = request.path_params["id"], text(form_of(request), "action")
    try:
        if action == "confirm":
            await factor_resets.confirm(ctx, reset_id)
            message = N_("The second factors are removed and the account is signed out everywhere.")
        elif action == "cancel":
            await factor_resets.cancel(ctx, reset_id)
            message = N_("The reset is cancelled.")
        else:
            return await render(request, "error.html", status=400, message=None)
    except ServiceError as exc:
        return redirect("/admin/factor-resets", exc.message)
    return redirect("/admin/factor-resets", message)


async def reset_ask(request: Request):
    """Ask for a reset of one person's second factors, with a reason (a form of its own)."""
    ctx, refused = await signed_in_with(request, can_read_audit_log)
    if refused is not None:
        return refused
    user = await User.get_or_none(username=request.path_params["username"][:64], deleted_at=None)
    if user is None:
        return await render(request, "error.html", status=404, message=None)
    if request.method == "GET":
        return await _page(request, "admin_factor_reset_ask.html", person=user)
    reason = text(form_of(request), "reason")
    try:
        await factor_resets.ask(ctx, user.id, reason)
    except ServiceError as exc:
        return await _page(request, "admin_factor_reset_ask.html", status=exc.status, person=user,
                           errors=errors_of(exc), form={"reason": reason})
    return redirect("/admin/factor-resets", N_("The reset waits for a second administrator's confirmation."))
