"""Staff log a phone call or a visit to a counter as an inquiry of the resident (/city/inbox/log): the
resident then follows it in My requests like one they wrote (sns/services/inquiries.py `log_inquiry`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_
from sns.policies import can_use_city_inbox
from sns.policies.requests import LOGGED_CHANNELS
from sns.services import inquiries, inquiry_lists
from sns.web.departments import name_of
from sns.web.http import errors_of, form_of, redirect, render, signed_in_with, text

FIELDS = ("resident", "department", "channel", "subject", "body")


async def log_page(request: Request):
    ctx, refused = await signed_in_with(request, can_use_city_inbox)
    if refused:
        return refused
    departments = await inquiry_lists.inbox_departments(ctx)
    if request.method == "GET":
        first = departments[0].id if len(departments) == 1 else ""
        return await render(request, "city_log.html", departments=departments, channels=LOGGED_CHANNELS,
                            name_of=name_of, form={"department": first, "channel": "phone"})
    form = form_of(request)
    typed = {name: text(form, name) for name in FIELDS}
    try:
        inquiry = await inquiries.log_inquiry(ctx, typed["resident"], typed["department"], typed["subject"],
                                              typed["body"], typed["channel"],
                                              client_token=text(form, "client_token") or None)
    except ServiceError as exc:
        errors = errors_of(exc)
        if exc.status in (403, 404):  # a department that is not (or no longer) one of mine: said at the choice
            errors = {"department": exc.text()}
        return await render(request, "city_log.html", status=400, errors=errors, form=typed,
                            departments=departments, channels=LOGGED_CHANNELS, name_of=name_of)
    return redirect(inquiries.inquiry_url(inquiry.id), N_("The request is logged. The resident can follow it now."))


ROUTES = [
    Route("/city/inbox/log", log_page, methods=["GET", "POST"]),
]
