"""Street report pages: the public list, filing a report, one report with its history, the author's
edit, the department's status form, following. The staff queue, the administrators' categories and
the Atom feeds are in `sns.web.report_staff` (mounted here)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import Forbidden, ServiceError
from sns.i18n import N_
from sns.models import REPORT_STATUSES, Department
from sns.policies import can_edit_report, can_file_report, can_follow_report, can_report, can_work_report, is_self
from sns.services import answer_targets, report_lists
from sns.services import reports as report_service
from sns.web.diaries import held_message
from sns.web.http import errors_of, files, form_of, load_ctx, login_redirect, redirect, render, signed_in, text
from sns.web.report_staff import ROUTES as STAFF_ROUTES
from sns.services.notifications import mark_read
from sns.web.departments import name_of
from sns.web.moderation import report_and_return

FIELDS = ("category", "title", "body", "place", "lat", "lon", "blur")
POST = ["POST"]


def _filter(request: Request) -> report_lists.ReportFilter:
    q = request.query_params
    return report_lists.ReportFilter(category=q.get("category", "")[:40], status=q.get("status", "")[:20],
                                     mine=q.get("mine", "") == "1")


async def report_list(request: Request):
    ctx = await load_ctx(request)
    f = _filter(request)
    if f.mine and ctx.user is None:
        return login_redirect(request)
    categories = await report_lists.categories()
    try:
        page = await report_lists.list_reports(ctx, f, before=request.query_params.get("before"))
    except ServiceError as exc:
        if exc.status != 400:
            raise
        return await render(request, "report_list.html", status=400, page=None, photos={}, f=f,
                            categories=categories, statuses=REPORT_STATUSES, errors=errors_of(exc))
    photos = await report_service.photos_of([r.id for r in page.items])
    return await render(request, "report_list.html", page=page, photos=photos, f=f, categories=categories,
                        statuses=REPORT_STATUSES, may_file=can_file_report(ctx.viewer))


def _typed(form) -> dict:
    return {name: text(form, name) for name in FIELDS}


async def _form(request: Request, status: int = 200, **values):
    return await render(request, "report_form.html", status=status, categories=await report_lists.categories(),
                        **values)


@signed_in
async def report_new(request: Request, ctx):
    if request.method == "GET":
        return await _form(request, form={"category": request.query_params.get("category", "")[:40]})
    form = form_of(request)
    typed = _typed(form)
    photos = await files(form, "photos")
    try:
        report = await report_service.write_report(ctx, **typed, photos=photos,
                                                   client_token=text(form, "client_token") or None)
    except ServiceError as exc:
        return await _form(request, status=exc.status, errors=errors_of(exc), form=typed, photos_chosen=len(photos))
    message = N_("Thank you. Your report is sent to the city; you will be told when its status changes.") \
        if report.state == "published" else held_message(report)
    return redirect(report_service.report_url(report.id), message)


async def render_report(request: Request, ctx, report, status: int = 200, **extra):
    v = ctx.viewer
    updates = await report_service.history(report.id)
    photos = (await report_service.photos_of([report.id]))[report.id]
    department, found = None, None
    if report.department_id:
        found = await Department.get_or_none(id=report.department_id)
        department = name_of(found) if found else None
    mine_or_work = is_self(v, report.author_id) or can_work_report(v, report)
    target = await answer_targets.for_report(report, found, ctx.settings.timezone) if mine_or_work else None
    await mark_read(ctx, url=report_service.report_url(report.id))
    return await render(
        request, "report.html", status=status, report=report, updates=updates, photos=photos,
        department=department, category=report_lists.category_name(report.category),
        may_work=can_work_report(v, report), may_edit=can_edit_report(v, report),
        may_follow=can_follow_report(v, report), following=await report_service.is_following(ctx, report.id),
        may_report=ctx.user is not None and can_report(v, report.author_id),
        show_author=mine_or_work, target=target, statuses=REPORT_STATUSES, **extra)


async def report_page(request: Request):
    ctx = await load_ctx(request)
    report = await report_service.get_report(ctx, request.path_params["id"])
    return await render_report(request, ctx, report)


@signed_in
async def report_edit(request: Request, ctx):
    report = await report_service.get_report(ctx, request.path_params["id"])
    if not can_edit_report(ctx.viewer, report):
        raise Forbidden(N_("A report can be changed only until the city starts on it."))
    photos = (await report_service.photos_of([report.id]))[report.id]
    if request.method == "GET":
        typed = {"category": report.category_id, "title": report.title, "body": report.body, "place": report.place,
                 "lat": str(report.lat), "lon": str(report.lon), "blur": ""}
        return await _form(request, report=report, photos=photos, form=typed)
    form = form_of(request)
    typed = _typed(form)
    new_photos = await files(form, "photos")
    try:
        report = await report_service.edit_report(
            ctx, report.id, **typed, photos=new_photos,
            remove_photos=[p for p in form.getlist("remove_photo") if isinstance(p, str)])
    except ServiceError as exc:
        return await _form(request, status=exc.status, report=report, photos=photos, errors=errors_of(exc),
                           form=typed, photos_chosen=len(new_photos))
    return redirect(report_service.report_url(report.id), N_("Your changes are saved.")
                    if report.state == "published" else held_message(report))


@signed_in
async def report_status(request: Request, ctx):
    report_id = request.path_params["id"]
    form = form_of(request)
    try:
        await report_service.set_status(ctx, report_id, text(form, "status"), text(form, "comment"))
    except ServiceError as exc:
        if exc.status == 404:
            raise
        report = await report_service.get_report(ctx, report_id)
        return await render_report(request, ctx, report, status=exc.status, errors=errors_of(exc),
                                   form={"status": text(form, "status"), "comment": text(form, "comment")})
    return redirect(report_service.report_url(report_id) + "#history",
                    N_("The status is changed. Everyone following the report is told."))


@signed_in
async def report_follow(request: Request, ctx):
    report = await report_service.follow(ctx, request.path_params["id"])
    return redirect(report_service.report_url(report.id), N_("You will be told when this report changes."))


@signed_in
async def report_unfollow(request: Request, ctx):
    report = await report_service.unfollow(ctx, request.path_params["id"])
    return redirect(report_service.report_url(report.id), N_("You no longer follow this report."))


async def report_report(request: Request):
    return await report_and_return(request, "street_report", report_service.report_url(request.path_params["id"]))


ROUTES: list[Route] = [
    Route("/reports", report_list, methods=["GET"]),
    Route("/reports/new", report_new, methods=["GET", "POST"]),
    *STAFF_ROUTES,
    Route("/reports/{id}", report_page, methods=["GET"]),
    Route("/reports/{id}/edit", report_edit, methods=["GET", "POST"]),
    Route("/reports/{id}/status", report_status, methods=POST),
    Route("/reports/{id}/follow", report_follow, methods=POST),
    Route("/reports/{id}/unfollow", report_unfollow, methods=POST),
    Route("/reports/{id}/report", report_report, methods=POST),
]
