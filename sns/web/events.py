"""Event pages: upcoming events, one event with its answers, posting, editing, cancelling, RSVP."""

from __future__ import annotations

from babel.dates import format_time
from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_, current_locale
from sns.models.base import utcnow
from sns.policies import (
    can_cancel_event, can_delete_event, can_edit_event, can_post_official_event, can_report, can_rsvp, can_see_attendees,
)
from sns.services import calendar as calendar_service
from sns.services.communities import my_communities
from sns.services import events as event_service
from sns.services import rsvps
from sns.web import calendar as calendar_pages
from sns.web.http import errors_of, files, form_of, load_ctx, redirect, render, signed_in, text
from sns.web.moderation import report_and_return

FIELDS = ("title", "description", "start_date", "start_time", "end_date", "end_time", "place", "lat", "lon",
          "capacity", "visibility", "community", "official")
ANSWER_MESSAGES = {
    "going": N_("You are going. It is on your calendar."),
    "waiting": N_("The event is full: you are on the waiting list. We will tell you if a place opens up."),
    "maybe": N_("You answered maybe."),
    "no": N_("You answered that you are not going."),
}


def time_helpers(ctx) -> dict:
    """For templates: whether an event ends on the local day it starts, and its end as a time only."""
    zone = event_service.zone_of(ctx)

    def same_day(e) -> bool:
        return e.starts_at.astimezone(zone).date() == e.ends_at.astimezone(zone).date()

    def end_time(e) -> str:
        return format_time(e.ends_at, "short", tzinfo=zone, locale=current_locale())

    return {"same_day": same_day, "end_time": end_time}


def event_url(event_id: str) -> str:
    return f"/events/{event_id}"


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 5 and int(raw) > 0 else 1


async def event_list(request: Request):
    ctx = await load_ctx(request)
    page = _page_number(request)
    items, more = await calendar_service.upcoming(ctx, page)
    return await render(request, "event_list.html", events=items, page=page, more=more, **time_helpers(ctx))


async def _render_event(request: Request, ctx, event, status: int = 200, **extra):
    v = ctx.viewer
    mine = await rsvps.my_answer(ctx, event.id)
    photos = (await event_service.event_photos([event.id]))[event.id]
    answers = await rsvps.attendees(ctx, event) if can_see_attendees(v, event) else None
    return await render(
        request, "event.html", status=status, event=event, community=event.community_row, photos=photos,
        mine=mine, counts=await rsvps.counts(event.id), answers=answers,
        may_edit=can_edit_event(v, event), may_cancel=can_cancel_event(v, event),
        may_delete=can_delete_event(v, event), may_report=can_report(v, event.organizer_id),
        may_rsvp=can_rsvp(v, event, event.community_row, event.membership, now=utcnow()),
        over=event.ends_at < utcnow(), **time_helpers(ctx), **extra)


async def event_page(request: Request):
    ctx = await load_ctx(request)
    event = await event_service.get_event(ctx, request.path_params["id"])
    return await _render_event(request, ctx, event)


def _typed(form) -> dict:
    return {name: text(form, name) for name in (*FIELDS, "blur")}


def _times(ctx, typed: dict):
    """The typed local dates and times as UTC; an empty end means the start's day (and time)."""
    starts_at = event_service.parse_local(ctx, typed["start_date"], typed["start_time"], field="start")
    ends_at = event_service.parse_local(ctx, typed["end_date"] or typed["start_date"],
                                        typed["end_time"] or typed["start_time"], field="end")
    return starts_at, ends_at


def _local(ctx, moment) -> tuple[str, str]:
    local = moment.astimezone(event_service.zone_of(ctx))
    return local.date().isoformat(), local.strftime("%H:%M")


async def _form_page(request, ctx, status=200, event=None, **values):
    return await render(request, "event_form.html", status=status, event=event,
                        communities=await my_communities(ctx.viewer), may_official=can_post_official_event(ctx.viewer),
                        **values)


@signed_in
async def event_new(request: Request, ctx):
    if request.method == "GET":
        chosen = request.query_params.get("community", "")
        return await _form_page(request, ctx, form={"visibility": "public", "community": chosen[:36],
                                                    "start_time": "10:00", "end_time": "12:00"})
    form = form_of(request)
    typed = _typed(form)
    photos = await files(form, "photos")
    try:
        starts_at, ends_at = _times(ctx, typed)
        event = await event_service.post_event(
            ctx, title=typed["title"], description=typed["description"], starts_at=starts_at, ends_at=ends_at,
            place=typed["place"], lat=typed["lat"], lon=typed["lon"], blur=typed["blur"],
            capacity=typed["capacity"],
            visibility=typed["visibility"], community_id=typed["community"] or None, official=bool(typed["official"]),
            photos=photos, client_token=text(form, "client_token") or None)
    except ServiceError as exc:
        return await _form_page(request, ctx, exc.status, errors=errors_of(exc), form=typed,
                                photos_chosen=len(photos))
    return redirect(event_url(event.id), N_("Your event is posted.") if event.state == "published"
                    else N_("Your event waits for a quick check by the site team; only you can see it until then."))


@signed_in
async def event_edit(request: Request, ctx):
    event = await event_service.get_event(ctx, request.path_params["id"])
    if not can_edit_event(ctx.viewer, event):
        return await render(request, "error.html", status=403, message=None)
    photos = (await event_service.event_photos([event.id]))[event.id]
    if request.method == "GET":
        (sd, st), (ed, et) = _local(ctx, event.starts_at), _local(ctx, event.ends_at)
        typed = {"title": event.title, "description": event.description, "place": event.place,
                 "start_date": sd, "start_time": st, "end_date": ed, "end_time": et,
                 "lat": "" if event.lat is None else str(event.lat), "lon": "" if event.lon is None else str(event.lon),
                 "capacity": "" if event.capacity is None else str(event.capacity), "visibility": event.visibility,
                 "community": event.community_id or "", "official": "1" if event.official else ""}
        return await _form_page(request, ctx, event=event, photos=photos, form=typed)
    form = form_of(request)
    typed = _typed(form)
    try:
        starts_at, ends_at = _times(ctx, typed)
        event = await event_service.edit_event(
            ctx, event.id, title=typed["title"], description=typed["description"], starts_at=starts_at,
            ends_at=ends_at, place=typed["place"], lat=typed["lat"], lon=typed["lon"], blur=typed["blur"],
            capacity=typed["capacity"],
            visibility=typed["visibility"], official=bool(typed["official"]), photos=await files(form, "photos"),
            remove_photos=[p for p in form.getlist("remove_photo") if isinstance(p, str)])
    except ServiceError as exc:
        return await _form_page(request, ctx, exc.status, event=event, photos=photos, errors=errors_of(exc),
                                form=typed)
    return redirect(event_url(event.id), N_("Your changes are saved."))


@signed_in
async def event_cancel(request: Request, ctx):
    event = await event_service.cancel_event(ctx, request.path_params["id"])
    return redirect(event_url(event.id), N_("The event is cancelled. Those who answered are told."))


@signed_in
async def event_delete(request: Request, ctx):
    await event_service.delete_event(ctx, request.path_params["id"])
    return redirect("/events", N_("The event is deleted."))


@signed_in
async def event_rsvp(request: Request, ctx):
    event_id = request.path_params["id"]
    answer = text(form_of(request), "answer")
    try:
        rsvp = await rsvps.answer_event(ctx, event_id, answer)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        event = await event_service.get_event(ctx, event_id)
        return await _render_event(request, ctx, event, status=exc.status, errors=errors_of(exc))
    key = "waiting" if rsvp.answer == "going" and rsvp.waitlisted else rsvp.answer
    return redirect(event_url(event_id), ANSWER_MESSAGES[key])


async def event_report(request: Request):
    return await report_and_return(request, "event", event_url(request.path_params["id"]))


GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]
ROUTES: list[Route] = [
    Route("/events", event_list, methods=GET, name="events"),
    Route("/events/new", event_new, methods=BOTH),
    Route("/events/{id}.ics", calendar_pages.event_ics, methods=GET),
    Route("/events/{id}", event_page, methods=GET),
    Route("/events/{id}/edit", event_edit, methods=BOTH),
    Route("/events/{id}/cancel", event_cancel, methods=POST),
    Route("/events/{id}/delete", event_delete, methods=POST),
    Route("/events/{id}/rsvp", event_rsvp, methods=POST),
    Route("/events/{id}/report", event_report, methods=POST),
    *calendar_pages.ROUTES,
]
