"""Street reports for the city: the departments' queue, the administrators' list of categories, and the
public Atom feeds (all reports, or one category's). Mounted through `sns.web.reports.ROUTES`."""

from __future__ import annotations

from feedgen.feed import FeedGenerator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sns import i18n
from sns.errors import ServiceError
from sns.i18n import N_
from sns.models import REPORT_STATUSES
from sns.services import report_lists
from sns.services.departments import active_departments
from sns.services.reports import report_url, status_label
from sns.services.site import load_site
from sns.web.http import errors_of, form_of, load_ctx, redirect, render, signed_in, text

ATOM = "application/atom+xml; charset=utf-8"
CATEGORY_FIELDS = ("name", "name_ja", "department", "position", "active")


@signed_in
async def queue_page(request: Request, ctx):
    status = request.query_params.get("status", "")[:20]
    raw = request.query_params.get("page", "1")
    page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else 1
    departments = await report_lists.queue_departments(ctx)
    try:
        rows, more = await report_lists.queue(ctx, status, page)
    except ServiceError as exc:
        if exc.status != 400:
            raise
        return await render(request, "report_queue.html", status=400, rows=[], more=False, page=1,
                            departments=departments, current=status, statuses=REPORT_STATUSES,
                            category_name=report_lists.category_name, errors=errors_of(exc))
    return await render(request, "report_queue.html", rows=rows, more=more, page=page, departments=departments,
                        current=status, statuses=REPORT_STATUSES, category_name=report_lists.category_name)


async def _categories_page(request: Request, ctx, status: int = 200, **values):
    return await render(request, "report_categories.html", status=status,
                        categories=await report_lists.all_categories(ctx), departments=await active_departments(),
                        category_name=report_lists.category_name, **values)


def _typed(form) -> dict:
    return {name: text(form, name) for name in CATEGORY_FIELDS}


@signed_in
async def categories_page(request: Request, ctx):
    """GET: the list with a form per category; POST: add one."""
    if request.method == "GET":
        return await _categories_page(request, ctx, form={"active": "1"})
    typed = _typed(form_of(request))
    try:
        await report_lists.save_category(ctx, None, **{**typed, "position": typed["position"] or None,
                                                       "active": bool(typed["active"])})
    except ServiceError as exc:
        if exc.status == 403:
            raise
        return await _categories_page(request, ctx, status=exc.status, errors=errors_of(exc), form=typed)
    return redirect("/admin/report-categories", N_("The category is added."))


@signed_in
async def category_edit(request: Request, ctx):
    category_id = request.path_params["id"]
    typed = _typed(form_of(request))
    try:
        await report_lists.save_category(ctx, category_id, **{**typed, "active": bool(typed["active"])})
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        return await _categories_page(request, ctx, status=exc.status, edit_errors={category_id: errors_of(exc)},
                                      edit_form={category_id: typed}, form={"active": "1"})
    return redirect(f"/admin/report-categories#c-{category_id}", N_("The category is saved."))


@signed_in
async def category_move(request: Request, ctx):
    category_id = request.path_params["id"]
    await report_lists.move_category(ctx, category_id, text(form_of(request), "direction"))
    return redirect(f"/admin/report-categories#c-{category_id}", N_("The order is saved."))


# --- Atom feeds --------------------------------------------------------------------------------

def _feed(base: str, path: str, title: str, town: str, reports) -> bytes:
    fg = FeedGenerator()
    fg.id(f"{base}{path}")
    fg.title(title)
    fg.link(href=f"{base}{path}", rel="self")
    fg.link(href=f"{base}/reports", rel="alternate")
    fg.language(i18n.current_locale())
    fg.author(name=town)  # reporters are not named in public
    for r in reversed(reports):
        fe = fg.add_entry()
        fe.id(f"{base}{report_url(r.id)}")
        fe.title(f"{r.title} ({status_label(r.status)})")
        fe.link(href=f"{base}{report_url(r.id)}")
        fe.category(term=r.category_id, label=report_lists.category_name(r.category))
        fe.published(r.created_at)
        fe.updated(r.last_activity_at or r.updated_at)
        place = f"{r.place} " if r.place else ""
        fe.content(f"{r.body}\n\n{place}({r.lat:.5f}, {r.lon:.5f})", type="text")
    if reports:
        fg.updated(max(r.last_activity_at or r.updated_at for r in reports))
    return fg.atom_str(pretty=True)


async def feed_all(request: Request):
    ctx = await load_ctx(request)
    site = await load_site()
    town = site.name_for(i18n.current_locale())
    body = _feed(ctx.settings.base_url, "/feeds/reports.atom", i18n.gettext("%(town)s: street reports", town=town),
                 town, await report_lists.public_reports())
    return Response(body, media_type=ATOM, headers={"Cache-Control": "public, max-age=60"})


async def feed_category(request: Request):
    ctx = await load_ctx(request)
    try:
        category = await report_lists.get_category(request.path_params["id"])
    except ServiceError:
        return Response("Not found\n", status_code=404, media_type="text/plain")
    site = await load_site()
    town = site.name_for(i18n.current_locale())
    title = i18n.gettext("%(town)s: street reports: %(category)s", town=town,
                         category=report_lists.category_name(category))
    body = _feed(ctx.settings.base_url, f"/feeds/reports/{category.id}.atom", title, town,
                 await report_lists.public_reports(category.id))
    return Response(body, media_type=ATOM, headers={"Cache-Control": "public, max-age=60"})


ROUTES: list[Route] = [
    Route("/reports/queue", queue_page, methods=["GET"]),
    Route("/admin/report-categories", categories_page, methods=["GET", "POST"]),
    Route("/admin/report-categories/{id}", category_edit, methods=["POST"]),
    Route("/admin/report-categories/{id}/move", category_move, methods=["POST"]),
    Route("/feeds/reports.atom", feed_all, methods=["GET"]),
    Route("/feeds/reports/{id}.atom", feed_category, methods=["GET"]),
]
