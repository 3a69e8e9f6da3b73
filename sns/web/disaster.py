"""Disaster mode pages (issue 6): the switch (disaster desk and administrators), the check-in form with
the resident's own status, the disaster board and each post, the staff's counts per district with those
who need help, and the archive of ended events. The light front page (`/` while the mode is on) is
`light_front`, called by sns/web/front.py; the banner on every page is filled by `render()`.
Everything works without JavaScript."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import Forbidden, ServiceError
from sns.i18n import N_
from sns.models import ALERT_KINDS, CHECKIN_STATUSES
from sns.policies import (
    can_check_in, can_post_on_board, can_report, can_see_archive_counts, can_see_safety_counts,
    can_switch_disaster,
)
from sns.policies.pfif import can_exchange_pfif
from sns.services import alerts as alert_service
from sns.services import disaster as disaster_service
from sns.services import disaster_board, pfif_notes, safety, shelters
from sns.services.pfif_format import SAFE_STATUSES, status_label as pfif_status_label
from sns.web.diaries import held_message
from sns.web.visitors import same_for_every_resident
from sns.web.http import errors_of, files, form_of, load_ctx, login_redirect, redirect, render, signed_in, text
from sns.web.moderation import report_and_return

POST = ["POST"]
PAGE = 50  # board posts per page, newest first
POST_FIELDS = ("body", "place", "lat", "lon")
CHECKIN_FIELDS = ("status", "message", "place", "lat", "lon")


def _helpers() -> dict:
    return {"kinds": ALERT_KINDS, "kind_label": alert_service.kind_label, "checkin_statuses": CHECKIN_STATUSES,
            "checkin_label": safety.status_label, **PFIF_HELPERS}


# what templates need to show a partner's note (disaster_parts.html's `pfif_note`)
PFIF_HELPERS = {"pfif_safe_statuses": SAFE_STATUSES, "pfif_status_label": pfif_status_label}


async def light_front(request: Request, ctx, event, fallen=()):
    """`/` while disaster mode is on: text first, no map, no images, no script; what is shared is cached.
    It names nobody, so signed-in residents share one copy too (sns/web/visitors.py)."""
    same_for_every_resident(request)
    posts = await disaster_board.newest_public(ctx, event)
    open_shelters = await disaster_service.open_shelters(ctx)
    return await render(request, "disaster_front.html", event=event, posts=posts, shelters=open_shelters,
                        shelter_label=shelters.status_label, fallen=fallen, **_helpers())


async def disaster_page(request: Request, status: int = 200, **extra):
    ctx = await load_ctx(request)
    event = await disaster_service.active_event(ctx)
    mine = await safety.my_checkin(ctx, event)
    may_switch = can_switch_disaster(ctx.viewer)
    log = await disaster_service.switch_log(10) if may_switch else []
    return await render(request, "disaster.html", status=status, event=event, mine=mine, may_switch=may_switch,
                        may_count=can_see_safety_counts(ctx.viewer), may_pfif=can_exchange_pfif(ctx.viewer, event),
                        log=log, **_helpers(), **extra)


@signed_in
async def disaster_start(request: Request, ctx):
    form = form_of(request)
    typed = {"name": text(form, "name"), "kind": text(form, "kind") or "other", "drill": text(form, "drill") == "1"}
    try:
        event = await disaster_service.start_event(ctx, **typed)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        return await disaster_page(request, status=exc.status, errors=errors_of(exc), form=typed)
    return redirect("/disaster", N_("The drill has started: every page shows it now.") if event.drill
                    else N_("Disaster mode is on: every page shows it now."))


@signed_in
async def disaster_end(request: Request, ctx):
    try:
        event = await disaster_service.end_event(ctx)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        return await disaster_page(request, status=exc.status, errors=errors_of(exc))
    return redirect(f"/disaster/archive/{event.id}", N_("Disaster mode is over. The event is in the archive."))


async def _checkin_form(request: Request, ctx, event, status: int = 200, **extra):
    mine = await safety.my_checkin(ctx, event)
    about_me = (await pfif_notes.latest_about(ctx, [ctx.user.id])).get(ctx.user.id) if event else None
    return await render(request, "disaster_checkin.html", status=status, event=event, mine=mine,
                        my_pfif_note=about_me, may_check_in=can_check_in(ctx.viewer, event), **_helpers(), **extra)


@signed_in
async def checkin(request: Request, ctx):
    event = await disaster_service.active_event(ctx)
    if request.method == "GET":
        return await _checkin_form(request, ctx, event, form={"status": request.query_params.get("status", "")[:10]})
    form = form_of(request)
    typed = {name: text(form, name) for name in CHECKIN_FIELDS}
    share_pfif = text(form, "share_pfif") == "1"  # the consent to PFIF exports (docs/pfif.md): off unless ticked
    try:
        done = await safety.check_in(ctx, **typed, share_pfif=share_pfif,
                                     client_token=text(form, "client_token") or None)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        event = await disaster_service.current_event(ctx)
        return await _checkin_form(request, ctx, event, status=exc.status, errors=errors_of(exc),
                                   form={**typed, "share_pfif": share_pfif})
    return redirect("/disaster/checkin", N_("Thank you. Your friends and the staff can see that you are safe.")
                    if done.status == "safe" else N_("Your call for help is sent: the staff can see it now."))


async def _board(request: Request, ctx, status: int = 200, **extra):
    event = await disaster_service.active_event(ctx)
    before = request.query_params.get("before", "")[:40] or None
    posts = await disaster_board.board(ctx, event, limit=PAGE + 1, before=before) if event else []
    older = posts[PAGE - 1].id if len(posts) > PAGE else None
    posts = posts[:PAGE]
    photos = await disaster_board.photos_of([p.id for p in posts])
    return await render(request, "disaster_board.html", status=status, event=event, posts=posts, photos=photos,
                        older=older, may_post=can_post_on_board(ctx.viewer, event), **_helpers(), **extra)


async def board(request: Request):
    ctx = await load_ctx(request)
    if request.method == "GET":
        return await _board(request, ctx)
    if ctx.user is None:
        return login_redirect(request)
    form = form_of(request)
    typed = {name: text(form, name) for name in POST_FIELDS}
    photos = await files(form, "photos")
    try:
        post = await disaster_board.write_post(ctx, **typed, photos=photos,
                                               client_token=text(form, "client_token") or None)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        return await _board(request, ctx, status=exc.status, errors=errors_of(exc), form=typed,
                            photos_chosen=len(photos))
    message = N_("Thank you. Your report is on the board.") if post.state == "published" else held_message(post)
    return redirect(disaster_board.post_url(post.id), message)


async def board_post(request: Request):
    ctx = await load_ctx(request)
    post = await disaster_board.get_post(ctx, request.path_params["id"])
    photos = (await disaster_board.photos_of([post.id]))[post.id]
    return await render(request, "disaster_post.html", post=post, photos=photos, event=post.event,
                        may_report=ctx.user is not None and can_report(ctx.viewer, post.author_id), **_helpers())


async def board_post_report(request: Request):
    return await report_and_return(request, "disaster_post", disaster_board.post_url(request.path_params["id"]))


@signed_in
async def staff_page(request: Request, ctx):
    if not can_see_safety_counts(ctx.viewer):
        raise Forbidden(N_("Only the staff see the counts and who needs help."))
    event = await disaster_service.active_event(ctx)
    found = await safety.counts(ctx, event) if event else None
    notes = await pfif_notes.latest_about(ctx, [c.user_id for c in found.need_help]) if found else {}
    return await render(request, "disaster_staff.html", event=event, counts=found, pfif_notes=notes,
                        may_pfif=can_exchange_pfif(ctx.viewer, event), **_helpers())


async def archive(request: Request):
    await load_ctx(request)
    events = await disaster_service.archived_events()
    return await render(request, "disaster_archive.html", events=events, **_helpers())


async def archived_event(request: Request):
    ctx = await load_ctx(request)
    event = await disaster_service.get_event(ctx, request.path_params["id"])
    posts = await disaster_board.board(ctx, event, limit=500)
    photos = await disaster_board.photos_of([p.id for p in posts])
    found = await safety.counts(ctx, event, with_list=False) if can_see_archive_counts(ctx.viewer) else None
    return await render(request, "disaster_event.html", event=event, posts=posts, photos=photos, counts=found,
                        **_helpers())


ROUTES: list[Route] = [
    Route("/disaster", disaster_page, methods=["GET"]),
    Route("/disaster/start", disaster_start, methods=POST),
    Route("/disaster/end", disaster_end, methods=POST),
    Route("/disaster/checkin", checkin, methods=["GET", "POST"]),
    Route("/disaster/board", board, methods=["GET", "POST"]),
    Route("/disaster/board/{id}", board_post, methods=["GET"]),
    Route("/disaster/board/{id}/report", board_post_report, methods=POST),
    Route("/disaster/staff", staff_page, methods=["GET"]),
    Route("/disaster/archive", archive, methods=["GET"]),
    Route("/disaster/archive/{id}", archived_event, methods=["GET"]),
]
