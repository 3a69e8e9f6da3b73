"""My requests over JSON (see sns/api/v1.py): the same list as /my/requests, the caller's own only."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from sns.api.declare import Operations, Output, Query
from sns.api.fields import Id, MaybeTime, Next, Page, Time, Url
from sns.api.http import absolute
from sns.api.shapes import when
from sns.context import Ctx
from sns.services import my_requests
from sns.services.departments import department_name
from sns import i18n

API = Operations("my_requests")


class MyRequest(Output):
    kind: Literal["inquiry", "report", "appointment"]
    id: Id
    subject: str = Field(description="The inquiry's subject, the report's title, or the counter's name.")
    status: str = Field(description="inquiry: received, in_progress, answered, closed; report: received, "
                                    "in_progress, resolved, closed; appointment: booked, cancelled, arrived, no_show.")
    department: str | None = Field(description="Its department's name in the caller's language.")
    channel: Literal["web", "mail", "phone", "counter"] = Field(
        description="How it reached the city (a phone call or a visit is logged by staff for the resident).")
    created_at: Time
    last_activity_at: Time
    starts_at: MaybeTime = Field(description="An appointment's time; null for the others.")
    first_answer_due: MaybeTime = Field(description="When the department promises a first answer; null: no promise.")
    close_due: MaybeTime = Field(description="When the department promises to close it; null: no promise.")
    overdue: bool = Field(description="A promised time passed without the first answer or without closing.")
    url: Url


class MyRequestList(Output):
    items: list[MyRequest]
    next: Next


class MyRequestsQuery(Query):
    page: Page = Field(1, description=f"Page number ({my_requests.PAGE} a page, newest activity first): "
                                      "follow `next`.")


def request_json(ctx: Ctx, r: my_requests.Request) -> dict[str, Any]:
    name = department_name(r.department, i18n.current_locale()) if r.department is not None else None
    return {"kind": r.kind, "id": r.id, "subject": r.subject, "status": r.status, "department": name,
            "channel": r.channel, "created_at": when(r.created_at), "last_activity_at": when(r.last_activity_at),
            "starts_at": when(r.starts_at) if r.starts_at else None,
            "first_answer_due": when(r.target.first_answer_due) if r.target.first_answer_due else None,
            "close_due": when(r.target.close_due) if r.target.close_due else None,
            "overdue": r.overdue, "url": absolute(ctx, r.url)}


@API.get("/api/v1/me/requests", answer=MyRequestList, query=MyRequestsQuery, auth=True)
async def list_my_requests(ctx: Ctx, query: MyRequestsQuery):
    """My inquiries, street reports and appointments, newest activity first, with the answer times their
    departments promise and whether one is overdue."""
    rows, more = await my_requests.my_requests(ctx, query.page)
    next_url = absolute(ctx, "/api/v1/me/requests", page=query.page + 1) if more else None
    return {"items": [request_json(ctx, r) for r in rows], "next": next_url}
