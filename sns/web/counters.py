"""The city's counters for residents: /counters (which counter, and my coming appointments), a counter's
free times per day with a "next days" pager (/counters/{id}), and booking one (choose a time -> a confirm
form with a note -> booked). Plain links and forms: it works without JavaScript at 320 px."""

from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_date
from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_, current_locale
from sns.models import Department
from sns.services import appointments, slots
from sns.services.counters import active_counters, counter_name, get_counter, hours_text
from sns.web.http import errors_of, form_of, load_ctx, redirect, render, signed_in, text

PAGE_DAYS = 7
NO_STORE = "private, no-store"


def helpers(settings) -> dict:
    """What the counter and appointment templates use to say times in the site's time zone."""
    zone = slots.zone_of(settings)
    lang = current_locale()
    return {
        "clock": lambda moment: moment.astimezone(zone).strftime("%H:%M"),
        "day_label": lambda day: format_date(day, format="full", locale=lang),
        "local_day": lambda moment: moment.astimezone(zone).date(),
        "counter_name": lambda counter: counter_name(counter, lang),
        "hours_text": hours_text,
    }


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw and len(raw) == 10 else None
    except ValueError:
        return None


async def counters_page(request: Request):
    ctx = await load_ctx(request)
    counters = await active_counters()
    departments = {d.id: d for d in await Department.filter(id__in=[c.department_id for c in counters])}
    mine = await appointments.my_appointments(ctx)
    response = await render(request, "counters.html", counters=counters, departments=departments, mine=mine,
                            **helpers(ctx.settings))
    if ctx.user:
        response.headers["Cache-Control"] = NO_STORE
    return response


async def _days_page(request: Request, ctx, counter, *, status: int = 200, **extra):
    today = slots.local_today(ctx.settings)
    last = slots.last_bookable_day(ctx.settings, counter)
    first = _day(request.query_params.get("from", "")) or today
    first = min(max(first, today), last)
    days = await slots.days(ctx.settings, counter, first, PAGE_DAYS)
    moving = request.query_params.get("move", "")[:40]
    pager = {"prev": (first - timedelta(days=PAGE_DAYS)).isoformat() if first > today else None,
             "next": (first + timedelta(days=PAGE_DAYS)).isoformat() if first + timedelta(days=PAGE_DAYS) <= last
             else None}
    response = await render(request, "counters_free.html", status=status, counter=counter, days=days, pager=pager,
                            moving=moving, **helpers(ctx.settings), **extra)
    response.headers["Cache-Control"] = NO_STORE if ctx.user else "no-cache"
    return response


async def counter_page(request: Request):
    """The free times, a week of days per page; each time is a link to its confirm form."""
    ctx = await load_ctx(request)
    counter = await get_counter(request.path_params["id"])
    return await _days_page(request, ctx, counter)


async def _confirm(request: Request, ctx, counter, start, *, status: int = 200, errors=None, form=None):
    """The confirm form; after a refusal, with the day's other free times to choose from and the note kept."""
    day = start.astimezone(slots.zone_of(ctx.settings)).date() if start else slots.local_today(ctx.settings)
    [that_day] = await slots.days(ctx.settings, counter, day, 1)
    response = await render(request, "counters_book.html", status=status, counter=counter, start=start,
                            day=that_day, errors=errors or {}, form=form or {}, **helpers(ctx.settings))
    response.headers["Cache-Control"] = NO_STORE
    return response


@signed_in
async def book_page(request: Request, ctx):
    counter = await get_counter(request.path_params["id"])
    if request.method == "GET":
        try:
            start = appointments.parse_start(request.query_params.get("start", ""))
        except ServiceError as exc:
            return await _confirm(request, ctx, counter, None, status=400, errors=errors_of(exc))
        return await _confirm(request, ctx, counter, start)
    form = form_of(request)
    typed = {"note": text(form, "note"), "start": text(form, "start"), "remind_email": bool(form.get("remind_email")),
             "remind_push": bool(form.get("remind_push"))}
    try:
        row = await appointments.book(ctx, counter.id, typed["start"], note=typed["note"],
                                      client_token=text(form, "client_token"), remind_email=typed["remind_email"],
                                      remind_push=typed["remind_push"])
    except ServiceError as exc:
        if exc.status == 404:
            raise
        try:
            start = appointments.parse_start(typed["start"])
        except ServiceError:
            start = None
        return await _confirm(request, ctx, counter, start, status=exc.status, errors=errors_of(exc), form=typed)
    return redirect(appointments.appointment_url(row.id), N_("Your appointment is booked."))


ROUTES = [
    Route("/counters", counters_page, methods=["GET"]),
    Route("/counters/{id}", counter_page, methods=["GET"]),
    Route("/counters/{id}/book", book_page, methods=["GET", "POST"]),
]
