"""Administrators define the city's counters and the days they are closed: /admin/counters (the list and
a form to add one), /admin/counters/{id} (its form and its own closed days), /admin/holidays (the city's
holiday list: add, remove, import "YYYY-MM-DD name" lines). Department staff may look at their
department's counters here; only administrators change them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_
from sns.models.counters import WEEKDAYS
from sns.policies.appointments import can_manage_counters, is_counter_staff
from sns.services import counters as counter_service
from sns.services.departments import all_departments
from sns.services.slots import local_today
from sns.web.http import errors_of, form_of, redirect, render, signed_in_with, text

FIELDS = ("department_id", "name", "name_ja", "place", "what_to_bring", "slot_minutes", "capacity",
          "book_days_ahead", "position")
NEW = {"slot_minutes": "15", "capacity": "1", "book_days_ahead": "28", "position": "0",
       **{f"hours_{d}": "08:30-12:00, 13:00-17:00" for d in WEEKDAYS[:5]}}


def _typed(form) -> dict:
    typed = {name: text(form, name) for name in FIELDS}
    typed.update({f"hours_{d}": text(form, f"hours_{d}") for d in WEEKDAYS})
    typed["active"] = "1" if text(form, "active") == "1" else ""
    return typed


def _values(typed: dict) -> dict:
    values = {name: typed[name] for name in FIELDS}
    values["hours"] = {d: typed[f"hours_{d}"] for d in WEEKDAYS}
    return values


def _form_of(counter) -> dict:
    typed = {name: str(getattr(counter, name)) for name in FIELDS}
    typed.update({f"hours_{d}": counter_service.hours_text((counter.hours or {}).get(d, [])) for d in WEEKDAYS})
    typed["active"] = "1" if counter.active else ""
    return typed


async def _departments(ctx) -> list:
    return await all_departments(ctx) if can_manage_counters(ctx.viewer) else []


async def counters_page(request: Request):
    ctx, refused = await signed_in_with(request, is_counter_staff)
    if refused:
        return refused
    status, errors, form = 200, {}, dict(NEW)
    if request.method == "POST":
        form = _typed(form_of(request))
        try:
            counter = await counter_service.save_counter(ctx, **_values(form), active=True)
            return redirect(f"/admin/counters/{counter.id}", N_("The counter is added."))
        except ServiceError as exc:
            if exc.status == 403:
                raise
            status, errors = exc.status, errors_of(exc)
    return await render(request, "admin_counters.html", status=status, counters=await counter_service.all_counters(ctx),
                        departments=await _departments(ctx), weekdays=WEEKDAYS, errors=errors, form=form,
                        may_manage=can_manage_counters(ctx.viewer))


async def counter_page(request: Request):
    ctx, refused = await signed_in_with(request, can_manage_counters)
    if refused:
        return refused
    counter = await counter_service.get_counter(request.path_params["id"], active_only=False)
    status, errors, form, day_errors, day_form = 200, {}, _form_of(counter), {}, {}
    if request.method == "POST":
        form = _typed(form_of(request))
        try:
            await counter_service.save_counter(ctx, counter.id, **_values(form), active=form["active"] == "1")
            return redirect(f"/admin/counters/{counter.id}", N_("Your changes are saved."))
        except ServiceError as exc:
            status, errors = exc.status, errors_of(exc)
    return await _render_counter(request, ctx, counter, status=status, errors=errors, form=form,
                                 day_errors=day_errors, day_form=day_form)


async def _render_counter(request: Request, ctx, counter, **values):
    closed = await counter_service.closed_days_of(counter.id, since=local_today(ctx.settings))
    return await render(request, "admin_counters_edit.html", counter=counter, closed=closed, weekdays=WEEKDAYS,
                        departments=await _departments(ctx), **values)


async def counter_closed_add(request: Request):
    ctx, refused = await signed_in_with(request, can_manage_counters)
    if refused:
        return refused
    counter = await counter_service.get_counter(request.path_params["id"], active_only=False)
    form = form_of(request)
    typed = {"day": text(form, "day"), "name": text(form, "name")}
    try:
        await counter_service.add_closed_day(ctx, typed["day"], typed["name"], counter_id=counter.id)
    except ServiceError as exc:
        return await _render_counter(request, ctx, counter, status=exc.status, form=_form_of(counter), errors={},
                                     day_errors=errors_of(exc), day_form=typed)
    return redirect(f"/admin/counters/{counter.id}#closed", N_("The closed day is added."))


async def closed_remove(request: Request):
    ctx, refused = await signed_in_with(request, can_manage_counters)
    if refused:
        return refused
    back = "/admin/holidays"
    if (counter_id := text(form_of(request), "counter_id")):
        back = f"/admin/counters/{counter_id}#closed" if counter_id.isascii() and len(counter_id) <= 36 else back
    await counter_service.remove_closed_day(ctx, request.path_params["id"])
    return redirect(back, N_("The closed day is removed."))


async def holidays_page(request: Request):
    ctx, refused = await signed_in_with(request, can_manage_counters)
    if refused:
        return refused
    status, errors, form = 200, {}, {}
    if request.method == "POST":
        form = {"day": text(form_of(request), "day"), "name": text(form_of(request), "name")}
        try:
            await counter_service.add_closed_day(ctx, form["day"], form["name"])
            return redirect("/admin/holidays", N_("The holiday is added."))
        except ServiceError as exc:
            status, errors = exc.status, errors_of(exc)
    return await _render_holidays(request, ctx, status=status, errors=errors, form=form)


async def _render_holidays(request: Request, ctx, **values):
    days = await counter_service.closed_days_of(None)
    return await render(request, "admin_counters_holidays.html", holidays=days, **values)


async def holidays_import(request: Request):
    ctx, refused = await signed_in_with(request, can_manage_counters)
    if refused:
        return refused
    lines = text(form_of(request), "lines")
    try:
        added = await counter_service.import_holidays(ctx, lines)
    except ServiceError as exc:
        return await _render_holidays(request, ctx, status=exc.status, import_errors=errors_of(exc),
                                      import_form={"lines": lines})
    return redirect("/admin/holidays", N_("The list is imported.") if added else N_("Every day was on the list already."))


ROUTES = [
    Route("/admin/counters", counters_page, methods=["GET", "POST"]),
    Route("/admin/counters/{id}", counter_page, methods=["GET", "POST"]),
    Route("/admin/counters/{id}/closed", counter_closed_add, methods=["POST"]),
    Route("/admin/closed-days/{id}/remove", closed_remove, methods=["POST"]),
    Route("/admin/holidays", holidays_page, methods=["GET", "POST"]),
    Route("/admin/holidays/import", holidays_import, methods=["POST"]),
]
