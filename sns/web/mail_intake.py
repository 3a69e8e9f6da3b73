"""Administrators read what became of mail to the city (/admin/mail-intake: received, accepted, quarantined,
refused, with reasons) and release a quarantined message into an inquiry or delete it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_
from sns.policies.mail_intake import can_manage_mail_intake
from sns.services import mail_intake
from sns.web.http import form_of, redirect, render, signed_in_with, text

NO_STORE = "private, no-store"
STATES = {"accepted": N_("Accepted"), "quarantined": N_("Quarantined"), "refused": N_("Refused")}


async def log_page(request: Request):
    ctx, refused = await signed_in_with(request, can_manage_mail_intake)
    if refused is not None:
        return refused
    state = request.query_params.get("state", "")
    state = state if state in STATES else ""
    rows = await mail_intake.intake_log(ctx, state)
    response = await render(request, "admin_mail_intake.html", rows=rows, state=state, states=STATES,
                            address=ctx.settings.intake_address)
    response.headers["Cache-Control"] = NO_STORE
    return response


async def decide(request: Request):
    """Release (`action=release`) or delete (`action=delete`) a quarantined message."""
    ctx, refused = await signed_in_with(request, can_manage_mail_intake)
    if refused is not None:
        return refused
    incoming_id, action = request.path_params["id"], text(form_of(request), "action")
    try:
        if action == "release":
            outcome = await mail_intake.release(ctx, incoming_id)
            back, message = f"/city/{outcome.inquiry_id}", N_("The message is now an inquiry.")
        elif action == "delete":
            await mail_intake.delete(ctx, incoming_id)
            back, message = "/admin/mail-intake?state=quarantined", N_("The message is deleted.")
        else:
            return await render(request, "error.html", status=400, message=None)
    except ServiceError as exc:
        return redirect("/admin/mail-intake?state=quarantined", exc.message)
    return redirect(back, message)


ROUTES = (
    Route("/admin/mail-intake", log_page, methods=["GET"]),
    Route("/admin/mail-intake/{id}", decide, methods=["POST"]),
)
