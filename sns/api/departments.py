"""Contact the city over JSON (see sns/api/v1.py): departments, my inquiries, threads, and the staff's
inbox and actions. The same services and rules as the /city pages: a thread is answered only to its
resident and that department's staff; anyone else gets 404.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from sns import i18n
from sns.api.declare import WRITE, Input, Operations, Output, Query
from sns.api.fields import ClientToken, Id, MaybeTime, Next, Page, TextState, Time, Title, Url, text
from sns.api.http import absolute
from sns.api.shapes import Person, person_brief, when
from sns.context import Ctx
from sns.models import INQUIRY_STATUSES
from sns.policies import can_reply_inquiry, can_work_inquiry
from sns.services import inquiries, inquiry_lists
from sns.services.departments import active_departments, department_name

API = Operations("city")
USE_INQUIRY = {name: {"operationId": op, "parameters": {"id": "$response.body#/id"}} for name, op in (
    ("GetInquiry", "get_inquiry"), ("ReplyInquiry", "reply_inquiry"), ("SetInquiryStatus", "set_inquiry_status"),
    ("AssignInquiry", "assign_inquiry"))}
Status = Annotated[Literal[INQUIRY_STATUSES], Field(  # type: ignore[valid-type]
    description="received, in_progress, answered or closed.")]
InquiryBody = text(inquiries.MAX_BODY, 1, "At most `max_body_chars` characters (and never more than %d)."
                   % inquiries.MAX_BODY, lines=True)
Note = text(2000, description="Shown in the thread with the change.", lines=True)
Colleague = text(description="A colleague's username.")


class Department(Output):
    id: Id
    name: str
    name_ja: str
    display_name: str = Field(description="The name in the caller's language.")
    description: str


class DepartmentList(Output):
    items: list[Department]


class InquiryBrief(Output):
    id: Id
    subject: str
    status: Status
    department: Department
    url: Url
    api_url: Url
    created_at: Time
    last_activity_at: MaybeTime


class InquiryList(Output):
    items: list[InquiryBrief]


class InquiryEntry(Output):
    id: Id
    kind: Literal["message", "status", "assign"]
    author: Person
    from_staff: bool
    body: str
    status: Status | None
    assignee: Person | None
    state: TextState
    created_at: Time


class InquiryPermissions(Output):
    reply: bool
    work: bool


class Inquiry(InquiryBrief):
    """assignee is shown to staff only."""

    resident: Person
    assignee: Person | None
    entries: list[InquiryEntry]
    permissions: InquiryPermissions


class CityInboxItem(InquiryBrief):
    resident: Person
    assignee: Person | None


class CityInbox(Output):
    items: list[CityInboxItem]
    next: Next


class InquiryNew(Input):
    department_id: Id
    subject: Title
    body: InquiryBody
    client_token: ClientToken = None


class InquiryReply(Input):
    """status: staff only, the status after the answer (answered by default)."""

    body: InquiryBody
    status: Status | None = None
    client_token: ClientToken = None


class InquiryStatus(Input):
    status: Status
    note: Note = ""


class InquiryAssign(Input):
    assignee: Colleague


class InboxQuery(Query):
    department: Id | None = Field(None, description="Only this department (one of mine).")
    status: Status | None = Field(None, description="Only this status.")
    who: Literal["unassigned", "mine"] | None = Field(
        None, description="unassigned: nobody has it yet; mine: assigned to me.")
    overdue: bool = Field(False, description="true: only those past their department's answer time "
                                             "(docs/my_city.md), the longest overdue first.")
    page: Page = Field(1, description=f"Page number ({inquiry_lists.PAGE} inquiries a page): follow `next`.")


def department_json(department) -> dict[str, Any]:
    return {"id": department.id, "name": department.name, "name_ja": department.name_ja,
            "display_name": department_name(department, i18n.current_locale()),
            "description": department.description}


def inquiry_brief(ctx: Ctx, inquiry) -> dict[str, Any]:
    return {"id": inquiry.id, "subject": inquiry.subject, "status": inquiry.status,
            "department": department_json(inquiry.department),
            "url": absolute(ctx, inquiries.inquiry_url(inquiry.id)),
            "api_url": absolute(ctx, f"/api/v1/inquiries/{inquiry.id}"),
            "created_at": when(inquiry.created_at), "last_activity_at": when(inquiry.last_activity_at)}


def entry_json(ctx: Ctx, entry) -> dict[str, Any]:
    return {"id": entry.id, "kind": entry.kind, "author": person_brief(ctx, entry.author),
            "from_staff": entry.from_staff, "body": entry.body, "status": entry.status,
            "assignee": person_brief(ctx, entry.assignee) if entry.assignee else None,
            "state": entry.state, "created_at": when(entry.created_at)}


async def _detail(ctx: Ctx, inquiry_id: str) -> dict[str, Any]:
    inquiry = await inquiries.get_inquiry(ctx, inquiry_id)
    entries = await inquiries.entries_of(ctx, inquiry)
    worker = can_work_inquiry(ctx.viewer, inquiry)
    return {
        **inquiry_brief(ctx, inquiry),
        "resident": person_brief(ctx, inquiry.resident),
        "assignee": person_brief(ctx, inquiry.assignee) if worker and inquiry.assignee else None,
        "entries": [entry_json(ctx, e) for e in entries],
        "permissions": {"reply": can_reply_inquiry(ctx.viewer, inquiry), "work": worker},
    }


@API.get("/api/v1/departments", answer=DepartmentList, errors=(401,))
async def list_departments(ctx: Ctx):
    """The departments residents can write to, in the city's order."""
    return {"items": [department_json(d) for d in await active_departments()]}


@API.get("/api/v1/inquiries", answer=InquiryList, auth=True)
async def list_my_inquiries(ctx: Ctx):
    """My inquiries to the city, newest first, with their status."""
    return {"items": [inquiry_brief(ctx, i) for i in await inquiry_lists.mine(ctx)]}


@API.post("/api/v1/inquiries", answer=Inquiry, status=201, body=InquiryNew, auth=True,
          errors=(*WRITE, 404, 429), links=USE_INQUIRY)
async def create_inquiry(ctx: Ctx, body: InquiryNew):
    """Write to a department (photos can be added on the page only)."""
    inquiry = await inquiries.create_inquiry(ctx, department_id=body.department_id, subject=body.subject,
                                             body=body.body, client_token=body.client_token)
    return await _detail(ctx, inquiry.id)


@API.get("/api/v1/inquiries/{id}", answer=Inquiry, auth=True, errors=(401, 404))
async def get_inquiry(ctx: Ctx, id: str):
    """One thread with its messages, status changes and hand-overs, oldest first."""
    return await _detail(ctx, id)


@API.post("/api/v1/inquiries/{id}/entries", answer=Inquiry, status=201, body=InquiryReply, auth=True,
          errors=(*WRITE, 404, 429))
async def reply_inquiry(ctx: Ctx, id: str, body: InquiryReply):
    """Add to a thread: the resident (not when closed), or staff (with the status after it, default answered)."""
    await inquiries.reply(ctx, id, body.body, status=body.status, client_token=body.client_token)
    return await _detail(ctx, id)


@API.post("/api/v1/inquiries/{id}/status", answer=Inquiry, body=InquiryStatus, auth=True, errors=(*WRITE, 404))
async def set_inquiry_status(ctx: Ctx, id: str, body: InquiryStatus):
    """Staff: set the status (the resident sees the change in the thread and is told)."""
    await inquiries.set_status(ctx, id, body.status, body.note)
    return await _detail(ctx, id)


@API.post("/api/v1/inquiries/{id}/assign", answer=Inquiry, body=InquiryAssign, auth=True, errors=(*WRITE, 404))
async def assign_inquiry(ctx: Ctx, id: str, body: InquiryAssign):
    """Staff: hand the thread to a colleague of the same department (a username)."""
    await inquiries.assign(ctx, id, body.assignee)
    return await _detail(ctx, id)


@API.get("/api/v1/city/inbox", answer=CityInbox, query=InboxQuery, auth=True, errors=(400, 401, 403))
async def city_inbox(ctx: Ctx, query: InboxQuery):
    """Staff: the shared inbox of my departments, newest activity first."""
    f = inquiry_lists.InboxFilter(department=query.department or "", status=query.status or "",
                                  who=query.who or "", overdue=query.overdue)
    rows, more, _ = await inquiry_lists.inbox(ctx, f, query.page)
    next_url = absolute(ctx, "/api/v1/city/inbox", department=f.department, status=f.status, who=f.who,
                        overdue="true" if f.overdue else None, page=query.page + 1) if more else None
    return {"items": [{**inquiry_brief(ctx, i), "resident": person_brief(ctx, i.resident),
                       "assignee": person_brief(ctx, i.assignee) if i.assignee else None} for i in rows],
            "next": next_url}
