"""The departments' shared inbox, and what staff do to a thread: set its status, hand it to a colleague."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_
from sns.models import INQUIRY_STATUSES
from sns.services import answer_targets, inquiries, inquiry_lists
from sns.web.http import errors_of, form_of, redirect, render, signed_in, text
from sns.web.departments import name_of, render_inquiry


def _filter(request: Request) -> inquiry_lists.InboxFilter:
    q = request.query_params
    return inquiry_lists.InboxFilter(department=q.get("department", "")[:40], status=q.get("status", "")[:20],
                                     who=q.get("who", "")[:20], overdue=q.get("overdue", "") == "1")


@signed_in
async def inbox_page(request: Request, ctx):
    f = _filter(request)
    raw = request.query_params.get("page", "1")
    page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else 1
    try:
        rows, more, departments = await inquiry_lists.inbox(ctx, f, page)
    except ServiceError as exc:
        if exc.status != 400:
            raise
        rows, more = [], False
        departments = await inquiry_lists.inbox_departments(ctx)
        return await render(request, "city_inbox.html", status=400, rows=rows, more=more, page=1,
                            departments=departments, f=f, statuses=INQUIRY_STATUSES, name_of=name_of,
                            targets={}, errors=errors_of(exc))
    targets = await answer_targets.for_inquiries(rows, ctx.settings.timezone)
    return await render(request, "city_inbox.html", rows=rows, more=more, page=page, departments=departments,
                        f=f, statuses=INQUIRY_STATUSES, name_of=name_of, targets=targets)


@signed_in
async def _staff_action(request: Request, ctx, action, done: str):
    inquiry_id = request.path_params["id"]
    form = form_of(request)
    try:
        await action(ctx, inquiry_id, form)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        inquiry = await inquiries.get_inquiry(ctx, inquiry_id)
        typed = {"status_note": text(form, "note"), "assignee": text(form, "assignee")}
        return await render_inquiry(request, ctx, inquiry, status=exc.status, errors=errors_of(exc), form=typed)
    return redirect(inquiries.inquiry_url(inquiry_id), done)


async def set_status(request: Request):
    return await _staff_action(
        request, lambda ctx, i, form: inquiries.set_status(ctx, i, text(form, "status"), text(form, "note")),
        N_("The status is changed. The resident is told."))


async def assign(request: Request):
    return await _staff_action(
        request, lambda ctx, i, form: inquiries.assign(ctx, i, text(form, "assignee")),
        N_("The inquiry is handed over."))


ROUTES = [
    Route("/city/inbox", inbox_page, methods=["GET"]),
    Route("/city/{id}/status", set_status, methods=["POST"]),
    Route("/city/{id}/assign", assign, methods=["POST"]),
]
