"""A resident's appointment: /appointments/{id} (with the other services of the same visit, the .ics
download, moving, cancelling with a reason, and adding another service right after it)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_, current_locale
from sns.policies.appointments import can_staff_counter
from sns.models.base import utcnow
from sns.services import appointment_mail, appointments
from sns.services.counters import active_counters
from sns.web.counters import NO_STORE, helpers
from sns.web.http import errors_of, form_of, redirect, render, signed_in, text


async def _render(request: Request, ctx, row, counter, *, status: int = 200, **extra):
    visit = await appointments.visit_of(row)
    others = [c for c in await active_counters() if c.id != row.counter_id]
    response = await render(request, "appointment.html", status=status, a=row, counter=counter, visit=visit,
                            others=others, staff=can_staff_counter(ctx.viewer, counter),
                            coming=row.state == "booked" and row.start > utcnow(), **helpers(ctx.settings),
                            **extra)
    response.headers["Cache-Control"] = NO_STORE
    return response


@signed_in
async def appointment_page(request: Request, ctx):
    row, counter = await appointments.get_appointment(ctx, request.path_params["id"])
    return await _render(request, ctx, row, counter)


@signed_in
async def appointment_ics(request: Request, ctx):
    row, counter = await appointments.get_appointment(ctx, request.path_params["id"])
    body = appointment_mail.appointment_ics(ctx.settings, row, counter, current_locale())
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": NO_STORE,
                             "Content-Disposition": 'attachment; filename="appointment.ics"'})


@signed_in
async def move_page(request: Request, ctx):
    """GET: confirm the new time chosen on the counter's page; POST: move."""
    row, counter = await appointments.get_appointment(ctx, request.path_params["id"])
    raw = request.query_params.get("start", "") if request.method == "GET" else text(form_of(request), "start")
    try:
        start = appointments.parse_start(raw)
        if request.method == "POST":
            await appointments.move(ctx, row.id, start)
            return redirect(appointments.appointment_url(row.id), N_("Your appointment is moved."))
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return await _render(request, ctx, row, counter, status=exc.status, errors=errors_of(exc))
    return await _render(request, ctx, row, counter, new_start=start)


@signed_in
async def cancel(request: Request, ctx):
    form = form_of(request)
    reason = text(form, "reason")
    try:
        row = await appointments.cancel(ctx, request.path_params["id"], reason)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        row, counter = await appointments.get_appointment(ctx, request.path_params["id"])
        return await _render(request, ctx, row, counter, status=exc.status, errors=errors_of(exc),
                             form={"reason": reason})
    return redirect(appointments.appointment_url(row.id), N_("Your appointment is cancelled."))


@signed_in
async def add_after(request: Request, ctx):
    form = form_of(request)
    appointment_id = request.path_params["id"]
    try:
        row = await appointments.book_after(ctx, appointment_id, text(form, "counter_id"),
                                            client_token=text(form, "client_token"))
    except ServiceError as exc:
        if exc.status == 404:
            raise
        first, counter = await appointments.get_appointment(ctx, appointment_id)
        return await _render(request, ctx, first, counter, status=exc.status, after_errors=errors_of(exc))
    return redirect(appointments.appointment_url(row.id), N_("The next service is booked right after."))


ROUTES = [
    Route("/appointments/{id}.ics", appointment_ics, methods=["GET"]),
    Route("/appointments/{id}", appointment_page, methods=["GET"]),
    Route("/appointments/{id}/move", move_page, methods=["GET", "POST"]),
    Route("/appointments/{id}/cancel", cancel, methods=["POST"]),
    Route("/appointments/{id}/after", add_after, methods=["POST"]),
]
