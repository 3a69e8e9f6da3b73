"""Contact the city: the departments, my inquiries, writing to a department, one thread.

The staff's shared inbox and their actions are in `sns.web.city_staff`, the administrators'
list of departments in `sns.web.city_admin`; their routes are listed here too.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns import i18n
from sns.errors import ServiceError
from sns.i18n import N_
from sns.ids import is_id
from sns.models import INQUIRY_STATUSES
from sns.policies import can_reply_inquiry, can_use_city_inbox, can_work_inquiry
from sns.services import answer_targets, inquiries, inquiry_lists
from sns.web.moderation import report_and_return
from sns.services.departments import active_departments, department_name, staff_of
from sns.web.diaries import held_message
from sns.web.http import errors_of, files, form_of, redirect, render, signed_in, text

GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]


def name_of(department) -> str:
    return department_name(department, i18n.current_locale())


@signed_in
async def city_page(request: Request, ctx):
    return await render(request, "city.html", departments=await active_departments(),
                        mine=await inquiry_lists.mine(ctx), name_of=name_of,
                        is_new=inquiry_lists.is_new_for_resident, staff=can_use_city_inbox(ctx.viewer))


@signed_in
async def new_page(request: Request, ctx):
    departments = await active_departments()
    if request.method == "GET":
        chosen = request.query_params.get("department", "")
        return await render(request, "city_new.html", departments=departments, name_of=name_of,
                            form={"department": chosen if is_id(chosen) else ""})
    form = form_of(request)
    typed = {name: text(form, name) for name in ("department", "subject", "body")}
    photos = await files(form, "photos")
    try:
        inquiry = await inquiries.create_inquiry(
            ctx, department_id=typed["department"], subject=typed["subject"], body=typed["body"], photos=photos,
            client_token=text(form, "client_token") or None)
    except ServiceError as exc:
        errors = errors_of(exc)
        if exc.status == 404:  # no such department (or no longer open): said next to the choice
            errors = {"department": exc.text()}
        return await render(request, "city_new.html", status=400 if exc.status == 404 else exc.status,
                            errors=errors, form=typed, departments=departments, name_of=name_of,
                            photos_chosen=len(photos))
    message = N_("Your message is sent to the department.") if not getattr(inquiry, "held_reason", None) \
        else held_message(inquiry)
    return redirect(inquiries.inquiry_url(inquiry.id), message)


async def render_inquiry(request: Request, ctx, inquiry, status: int = 200, **extra):
    entries = await inquiries.entries_of(ctx, inquiry)
    worker = can_work_inquiry(ctx.viewer, inquiry)
    colleagues = (await staff_of([inquiry.department_id]))[inquiry.department_id] if worker else []
    return await render(request, "city_inquiry.html", status=status, inquiry=inquiry, entries=entries,
                        photos=await inquiries.photos_of(inquiry.id), worker=worker, colleagues=colleagues,
                        may_reply=can_reply_inquiry(ctx.viewer, inquiry), statuses=INQUIRY_STATUSES,
                        department=name_of(inquiry.department),
                        target=(await answer_targets.for_inquiries([inquiry], ctx.settings.timezone))[inquiry.id],
                        **extra)


@signed_in
async def inquiry_page(request: Request, ctx):
    inquiry = await inquiries.get_inquiry(ctx, request.path_params["id"])
    await inquiries.mark_read(ctx, inquiry)
    return await render_inquiry(request, ctx, inquiry)


@signed_in
async def reply(request: Request, ctx):
    inquiry_id = request.path_params["id"]
    form = form_of(request)
    typed = {"body": text(form, "body"), "status": text(form, "status")}
    try:
        entry = await inquiries.reply(ctx, inquiry_id, typed["body"], status=typed["status"] or None,
                                      client_token=text(form, "client_token") or None)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        inquiry = await inquiries.get_inquiry(ctx, inquiry_id)
        return await render_inquiry(request, ctx, inquiry, status=exc.status, errors=errors_of(exc), form=typed)
    message = N_("Your message is sent.") if entry.state == "published" else held_message(entry)
    return redirect(inquiries.inquiry_url(inquiry_id) + f"#e-{entry.id}", message)


async def report_entry(request: Request):
    back = text(form_of(request), "inquiry")
    back = inquiries.inquiry_url(back) if is_id(back) else "/city"
    return await report_and_return(request, "inquiry_entry", back)


# The residents' pages; the manifest (sns/areas.py) puts the staff's (city_staff.py: /city/inbox before
# /city/{id}) before them and the administrators' (city_admin.py) after.
ROUTES: list[Route] = [
    Route("/city", city_page, methods=GET),
    Route("/city/new", new_page, methods=BOTH),
    Route("/city/entries/{id}/report", report_entry, methods=POST),
    Route("/city/{id}", inquiry_page, methods=GET),
    Route("/city/{id}/reply", reply, methods=POST),
]
