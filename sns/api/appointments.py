"""The API for the city's counters and appointments (see sns/api/v1.py): the same services and policies as
the pages. Everyone reads the counters and their free times; a resident books (409 when the time was
just taken), reads, downloads as iCalendar and cancels their own appointments."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from pydantic import Field
from starlette.responses import Response

from sns.api.declare import WRITE, Input, Media, Operations, Output, Query, Reply
from sns.api.fields import ClientToken, Id, Time, Url, text
from sns.api.http import absolute
from sns.api.shapes import when
from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_, current_locale
from sns.services import appointment_mail, appointments, slots
from sns.services.counters import active_counters, counter_name, get_counter, hours_text

API = Operations("appointments")
Count = Annotated[int, Field(ge=0)]
Note = text(500, lines=True, description="For the counter (optional).")


class Counter(Output):
    id: Id
    name: str
    name_ja: str
    label: str = Field(description="The name in the caller's language.")
    department_id: Id
    place: str
    what_to_bring: str
    hours: dict[str, str] = Field(description="Opening periods per weekday (mon..sun) in the site's time zone, "
                                              "\"08:30-12:00, 13:00-17:00\"; a weekday not named is closed.")
    slot_minutes: int
    capacity: int = Field(description="Residents served at once in one slot.")
    book_days_ahead: int
    timezone: str = Field(description="The site's time zone, in which the hours are.")
    url: Url


class CounterList(Output):
    items: list[Counter]


class SlotsQuery(Query):
    from_: date | None = Field(None, alias="from", description="The first day (site time zone); today if left out.")
    to: date | None = Field(None, description="The last day (at most 31 days after `from`); a week if left out.")


class Slot(Output):
    start: Time
    end: Time
    free: Count = Field(description="Places left (0: full).")


class SlotDay(Output):
    date: str = Field(description="The day, YYYY-MM-DD (site time zone).")
    closed: str | None = Field(description="The holiday's name when the counter is closed that day, else null.")
    slots: list[Slot]


class SlotList(Output):
    counter_id: Id
    days: list[SlotDay]


class AppointmentNew(Input):
    counter_id: Id
    start: Time = Field(description="A slot's `start` as the slot list gives it.")
    note: Note = ""
    remind_email: bool = Field(True, description="Remind me by e-mail the evening before.")
    remind_push: bool = Field(False, description="Remind me by Web Push the evening before.")
    client_token: ClientToken = None


class Appointment(Output):
    id: Id
    counter_id: Id
    counter: str = Field(description="The counter's name in the caller's language.")
    start: Time
    end: Time
    state: str = Field(description="booked, cancelled, arrived or no_show.")
    note: str
    cancel_reason: str
    visit_id: str | None = Field(description="Shared by the appointments of one visit (several services).")
    url: Url
    ics: Url = Field(description="The appointment as an iCalendar file (with an alarm the day before).")


class CancelQuery(Query):
    reason: Annotated[str, Field(max_length=500, description="Why (optional).")] = ""


def counter_json(ctx: Ctx, c) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "name_ja": c.name_ja, "label": counter_name(c, current_locale()),
            "department_id": c.department_id, "place": c.place, "what_to_bring": c.what_to_bring,
            "hours": {day: hours_text(periods) for day, periods in (c.hours or {}).items()},
            "slot_minutes": c.slot_minutes, "capacity": c.capacity, "book_days_ahead": c.book_days_ahead,
            "timezone": ctx.settings.timezone, "url": absolute(ctx, f"/counters/{c.id}")}


def appointment_json(ctx: Ctx, a, counter) -> dict[str, Any]:
    return {"id": a.id, "counter_id": a.counter_id, "counter": counter_name(counter, current_locale()),
            "start": when(a.start), "end": when(a.end), "state": a.state, "note": a.note,
            "cancel_reason": a.cancel_reason, "visit_id": a.visit_id,
            "url": absolute(ctx, appointments.appointment_url(a.id)),
            "ics": absolute(ctx, f"/api/v1/appointments/{a.id}.ics")}


@API.get("/api/v1/counters", answer=CounterList)
async def list_counters(ctx: Ctx):
    """The counters residents can book, in the city's order."""
    return {"items": [counter_json(ctx, c) for c in await active_counters()]}


@API.get("/api/v1/counters/{id}/slots", answer=SlotList, query=SlotsQuery, errors=(400, 404), refuses=("to",))
async def counter_slots(ctx: Ctx, id: str, query: SlotsQuery):
    """A counter's slots per day, from `from` to `to`: times not yet past, within how far ahead one may
    book, with the places left (`free`: 0 when full); a closed day has no slots and says why."""
    counter = await get_counter(id)
    first = query.from_ or slots.local_today(ctx.settings)
    last = query.to or first + timedelta(days=6)
    if last < first or (last - first).days >= slots.MAX_DAYS:
        raise Invalid(N_("Ask for at most %(max)d days, `to` not before `from`."), field="to", max=slots.MAX_DAYS)
    days = await slots.days(ctx.settings, counter, first, (last - first).days + 1, full=True)
    return {"counter_id": counter.id, "days": [
        {"date": d.day.isoformat(), "closed": d.closed,
         "slots": [{"start": when(s.start), "end": when(s.end), "free": s.free} for s in d.slots]} for d in days]}


@API.post("/api/v1/appointments", answer=Appointment, status=201, body=AppointmentNew, auth=True,
          errors=(*WRITE, 404, 409, 429), refuses=("start",))
async def book_appointment(ctx: Ctx, body: AppointmentNew):
    """Book a place at a counter. 409 when the time was just taken (choose another) or when the caller
    holds 10 coming appointments; a `start` that is not one of the counter's bookable slots is a 400 on
    `start`; the same `client_token` again answers the appointment it booked."""
    row = await appointments.book(ctx, body.counter_id, body.start, note=body.note, client_token=body.client_token,
                                  remind_email=body.remind_email, remind_push=body.remind_push)
    _, counter = await appointments.get_appointment(ctx, row.id)
    return Reply(appointment_json(ctx, row, counter), {"Location": absolute(ctx, f"/api/v1/appointments/{row.id}")})


@API.get("/api/v1/appointments/{id}.ics", answer=Media("text/calendar"), auth=True, errors=(401, 404))
async def appointment_calendar(ctx: Ctx, id: str):
    """The appointment as an iCalendar file: one VEVENT with a VALARM the day before."""
    row, counter = await appointments.get_appointment(ctx, id)
    return Response(appointment_mail.appointment_ics(ctx.settings, row, counter, current_locale()),
                    media_type="text/calendar; charset=utf-8", headers={"Cache-Control": "private, no-store"})


@API.get("/api/v1/appointments/{id}", answer=Appointment, auth=True, errors=(401, 404))
async def get_appointment(ctx: Ctx, id: str):
    """One of my appointments (or, for a counter's staff, one at their counter)."""
    row, counter = await appointments.get_appointment(ctx, id)
    return appointment_json(ctx, row, counter)


@API.delete("/api/v1/appointments/{id}", query=CancelQuery, auth=True, errors=(400, 401, 403, 404, 409))
async def cancel_appointment(ctx: Ctx, id: str, query: CancelQuery):
    """Cancel an appointment (its place is freed for others); `reason` optional. Cancelling again is fine;
    one already marked arrived or no-show answers 409."""
    await appointments.cancel(ctx, id, query.reason)
