"""A counter's staff: the day's list (/city/counters/{id}/day?date=), marking arrived or no-show, and
booking for a resident who phoned. The staff of the counter's department and administrators only."""

from __future__ import annotations

from datetime import date, timedelta

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_
from sns.policies.appointments import is_counter_staff
from sns.services import appointment_staff, appointments
from sns.services.counters import all_counters
from sns.services.slots import local_today, zone_of
from sns.web.counters import NO_STORE, helpers
from sns.web.http import errors_of, form_of, redirect, render, signed_in_with, text

PHONE_FIELDS = ("start", "username", "name", "phone", "note")


def _date(raw: str, fallback: date) -> date:
    try:
        return date.fromisoformat(raw) if raw and len(raw) == 10 else fallback
    except ValueError:
        return fallback


def local_day(settings, moment) -> date:
    return moment.astimezone(zone_of(settings)).date()


def _day_url(counter_id: str, day: date) -> str:
    return f"/city/counters/{counter_id}/day?date={day.isoformat()}"


async def counters_page(request: Request):
    ctx, refused = await signed_in_with(request, is_counter_staff)
    if refused:
        return refused
    today = local_today(ctx.settings)
    return await render(request, "counters_staff.html", counters=await all_counters(ctx), today=today,
                        **helpers(ctx.settings))


async def _render_day(request: Request, ctx, counter_id: str, day: date, *, status: int = 200, **extra):
    listing = await appointment_staff.day_list(ctx, counter_id, day)
    response = await render(request, "counters_day.html", status=status, d=listing,
                            prev_day=day - timedelta(days=1), next_day=day + timedelta(days=1), **helpers(ctx.settings),
                            **extra)
    response.headers["Cache-Control"] = NO_STORE
    return response


async def day_page(request: Request):
    ctx, refused = await signed_in_with(request, is_counter_staff)
    if refused:
        return refused
    day = _date(request.query_params.get("date", ""), local_today(ctx.settings))
    return await _render_day(request, ctx, request.path_params["id"], day)


async def phone_booking(request: Request):
    ctx, refused = await signed_in_with(request, is_counter_staff)
    if refused:
        return refused
    form = form_of(request)
    typed = {name: text(form, name) for name in PHONE_FIELDS}
    counter_id = request.path_params["id"]
    day = _date(text(form, "date"), local_today(ctx.settings))
    try:
        row = await appointment_staff.book_for_caller(ctx, counter_id, typed["start"], username=typed["username"],
                                                      name=typed["name"], phone=typed["phone"], note=typed["note"],
                                                      client_token=text(form, "client_token"))
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        return await _render_day(request, ctx, counter_id, day, status=exc.status, errors=errors_of(exc), form=typed)
    return redirect(_day_url(counter_id, day) + f"#a-{row.id}", N_("The appointment is booked."))


async def mark(request: Request):
    ctx, refused = await signed_in_with(request, is_counter_staff)
    if refused:
        return refused
    form = form_of(request)
    try:
        row = await appointment_staff.mark(ctx, request.path_params["id"], text(form, "state"))
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        row, _ = await appointments.get_appointment(ctx, request.path_params["id"])
        return await _render_day(request, ctx, row.counter_id, local_day(ctx.settings, row.start),
                                 status=exc.status, errors=errors_of(exc))
    return redirect(_day_url(row.counter_id, local_day(ctx.settings, row.start)) + f"#a-{row.id}", N_("Marked."))


ROUTES = [
    Route("/city/counters", counters_page, methods=["GET"]),
    Route("/city/counters/{id}/day", day_page, methods=["GET"]),
    Route("/city/counters/{id}/book", phone_booking, methods=["POST"]),
    Route("/city/appointments/{id}/mark", mark, methods=["POST"]),
]
