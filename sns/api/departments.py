"""Contact the city over JSON (see sns/api/v1.py): departments, my inquiries, threads, and the staff's
inbox and actions. The same services and rules as the /city pages: a thread is answered only to its
resident and that department's staff; anyone else gets 404.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from sns import i18n
from sns.api.auth import require_user
from sns.api.http import absolute, answer, endpoint
from sns.api.inputs import read_json, short_text
from sns.api.openapi import WRITE, op
from sns.api.schemas import CLIENT_TOKEN, ID, NEXT, TEXT, TEXT_STATE, TIME, URL, obj, ref
from sns.api.shapes import person_brief, when
from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_
from sns.models import INQUIRY_STATUSES
from sns.policies import can_reply_inquiry, can_work_inquiry
from sns.services import inquiries, inquiry_lists
from sns.services.departments import active_departments, department_name

NEW_FIELDS = ("department_id", "subject", "body", "client_token")
REPLY_FIELDS = ("body", "status", "client_token")


def _text(data: dict, name: str):
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise Invalid(N_("This field must be text."), field=name)
    return value


PAGE = {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1},
        "description": "Page number (30 conversations a page): follow `next`."}


def _page(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not (raw.isascii() and raw.isdigit() and 1 <= len(raw) <= 4 and int(raw) >= 1):
        raise Invalid(N_("Give a whole number from 1 to %(max)d."), field="page", max=9999)
    return int(raw)


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


async def _detail(ctx: Ctx, inquiry_id: str, status: int = 200):
    inquiry = await inquiries.get_inquiry(ctx, inquiry_id)
    entries = await inquiries.entries_of(ctx, inquiry)
    worker = can_work_inquiry(ctx.viewer, inquiry)
    return answer({
        **inquiry_brief(ctx, inquiry),
        "resident": person_brief(ctx, inquiry.resident),
        "assignee": person_brief(ctx, inquiry.assignee) if worker and inquiry.assignee else None,
        "entries": [entry_json(ctx, e) for e in entries],
        "permissions": {"reply": can_reply_inquiry(ctx.viewer, inquiry), "work": worker},
    }, status)


@endpoint
async def list_departments(request: Request, ctx: Ctx):
    """The departments residents can write to, in the city's order."""
    return answer({"items": [department_json(d) for d in await active_departments()]})


@endpoint
async def list_my_inquiries(request: Request, ctx: Ctx):
    """My inquiries to the city, newest first, with their status."""
    require_user(ctx)
    return answer({"items": [inquiry_brief(ctx, i) for i in await inquiry_lists.mine(ctx)]})


@endpoint
async def create_inquiry(request: Request, ctx: Ctx):
    """Write to a department (photos can be added on the page only)."""
    require_user(ctx)
    data = await read_json(request, ctx, NEW_FIELDS)
    inquiry = await inquiries.create_inquiry(ctx, department_id=_text(data, "department_id"),
                                             subject=data.get("subject"), body=data.get("body"),
                                             client_token=short_text(data, "client_token"))
    return await _detail(ctx, inquiry.id, 201)


@endpoint
async def get_inquiry(request: Request, ctx: Ctx):
    """One thread with its messages, status changes and hand-overs, oldest first."""
    require_user(ctx)
    return await _detail(ctx, request.path_params["id"])


@endpoint
async def reply_inquiry(request: Request, ctx: Ctx):
    """Add to a thread: the resident (not when closed), or staff (with the status after it, default answered)."""
    require_user(ctx)
    data = await read_json(request, ctx, REPLY_FIELDS)
    await inquiries.reply(ctx, request.path_params["id"], data.get("body"), status=_text(data, "status"),
                          client_token=short_text(data, "client_token"))
    return await _detail(ctx, request.path_params["id"], 201)


@endpoint
async def set_inquiry_status(request: Request, ctx: Ctx):
    """Staff: set the status (the resident sees the change in the thread and is told)."""
    require_user(ctx)
    data = await read_json(request, ctx, ("status", "note"))
    await inquiries.set_status(ctx, request.path_params["id"], _text(data, "status"), _text(data, "note") or "")
    return await _detail(ctx, request.path_params["id"])


@endpoint
async def assign_inquiry(request: Request, ctx: Ctx):
    """Staff: hand the thread to a colleague of the same department (a username)."""
    require_user(ctx)
    data = await read_json(request, ctx, ("assignee",))
    await inquiries.assign(ctx, request.path_params["id"], _text(data, "assignee"))
    return await _detail(ctx, request.path_params["id"])


@endpoint
async def city_inbox(request: Request, ctx: Ctx):
    """Staff: the shared inbox of my departments, newest activity first."""
    require_user(ctx)
    q = request.query_params
    f = inquiry_lists.InboxFilter(department=q.get("department", ""), status=q.get("status", ""),
                                  who=q.get("who", ""))
    page = _page(request)
    rows, more, _ = await inquiry_lists.inbox(ctx, f, page)
    next_url = absolute(ctx, "/api/v1/city/inbox", department=f.department, status=f.status, who=f.who,
                        page=page + 1) if more else None
    return answer({"items": [{**inquiry_brief(ctx, i), "resident": person_brief(ctx, i.resident),
                              "assignee": person_brief(ctx, i.assignee) if i.assignee else None} for i in rows],
                   "next": next_url})


ENDPOINTS: list[Route] = [
    Route("/api/v1/departments", list_departments, methods=["GET"]),
    Route("/api/v1/inquiries", list_my_inquiries, methods=["GET"]),
    Route("/api/v1/inquiries", create_inquiry, methods=["POST"]),
    Route("/api/v1/inquiries/{id}", get_inquiry, methods=["GET"]),
    Route("/api/v1/inquiries/{id}/entries", reply_inquiry, methods=["POST"]),
    Route("/api/v1/inquiries/{id}/status", set_inquiry_status, methods=["POST"]),
    Route("/api/v1/inquiries/{id}/assign", assign_inquiry, methods=["POST"]),
    Route("/api/v1/city/inbox", city_inbox, methods=["GET"]),
]
STATUS = {"type": "string", "enum": list(INQUIRY_STATUSES),
          "description": "received, in_progress, answered or closed."}
INBOX_QUERY = (
    {"name": "department", "in": "query", "required": False, "schema": ID,
     "description": "Only this department (one of mine)."},
    {"name": "status", "in": "query", "required": False, "schema": STATUS, "description": "Only this status."},
    {"name": "who", "in": "query", "required": False, "schema": {"type": "string", "enum": ["unassigned", "mine"]},
     "description": "unassigned: nobody has it yet; mine: assigned to me."},
    PAGE,
)
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/v1/departments"): op("city", (200, "DepartmentList"), errors=(401,)),
    ("GET", "/api/v1/inquiries"): op("city", (200, "InquiryList"), auth=True),
    ("POST", "/api/v1/inquiries"): op("city", (201, "Inquiry"), auth=True, body="InquiryNew",
                                      errors=(*WRITE, 404, 429)),
    ("GET", "/api/v1/inquiries/{id}"): op("city", (200, "Inquiry"), auth=True, errors=(401, 404)),
    ("POST", "/api/v1/inquiries/{id}/entries"): op("city", (201, "Inquiry"), auth=True, body="InquiryReply",
                                                   errors=(*WRITE, 404, 429)),
    ("POST", "/api/v1/inquiries/{id}/status"): op("city", (200, "Inquiry"), auth=True, body="InquiryStatus",
                                                  errors=(*WRITE, 404)),
    ("POST", "/api/v1/inquiries/{id}/assign"): op("city", (200, "Inquiry"), auth=True, body="InquiryAssign",
                                                  errors=(*WRITE, 404)),
    ("GET", "/api/v1/city/inbox"): op("city", (200, "CityInbox"), auth=True, query=INBOX_QUERY,
                                      errors=(400, 401, 403)),
}
DEPARTMENT = obj({"id": ID, "name": TEXT, "name_ja": TEXT, "description": TEXT,
                  "display_name": {"type": "string", "description": "The name in the caller's language."}})
BRIEF = {"id": ID, "subject": TEXT, "status": STATUS, "department": ref("Department"), "url": URL, "api_url": URL,
         "created_at": TIME, "last_activity_at": {"type": ["string", "null"], "format": "date-time"}}
MAYBE_PERSON = {"oneOf": [ref("Person"), {"type": "null"}]}
SCHEMAS: dict[str, Any] = {
    "Department": DEPARTMENT,
    "DepartmentList": obj({"items": {"type": "array", "items": ref("Department")}}),
    "InquiryBrief": obj(BRIEF),
    "InquiryList": obj({"items": {"type": "array", "items": ref("InquiryBrief")}}),
    "InquiryEntry": obj({
        "id": ID, "kind": {"type": "string", "enum": ["message", "status", "assign"]}, "author": ref("Person"),
        "from_staff": {"type": "boolean"}, "body": TEXT, "status": {"oneOf": [STATUS, {"type": "null"}]},
        "assignee": MAYBE_PERSON, "state": TEXT_STATE, "created_at": TIME}),
    "Inquiry": obj({**BRIEF, "resident": ref("Person"), "assignee": MAYBE_PERSON,
                    "entries": {"type": "array", "items": ref("InquiryEntry")},
                    "permissions": obj({"reply": {"type": "boolean"}, "work": {"type": "boolean"}})},
                   description="assignee is shown to staff only."),
    "InquiryNew": obj({"department_id": ID, "subject": {"type": "string", "minLength": 1, "maxLength": 200},
                       "body": {"type": "string", "minLength": 1}, "client_token": CLIENT_TOKEN},
                      required=("department_id", "subject", "body"), closed=True),
    "InquiryReply": obj({"body": {"type": "string", "minLength": 1}, "status": STATUS, "client_token": CLIENT_TOKEN},
                        required=("body",), closed=True,
                        description="status: staff only, the status after the answer (answered by default)."),
    "InquiryStatus": obj({"status": STATUS, "note": {"type": "string", "maxLength": 2000}},
                         required=("status",), closed=True),
    "InquiryAssign": obj({"assignee": {"type": "string", "description": "A colleague's username."}},
                         required=("assignee",), closed=True),
    "CityInbox": obj({"items": {"type": "array", "items": {"allOf": [ref("InquiryBrief"), obj(
        {"resident": ref("Person"), "assignee": MAYBE_PERSON})]}}, "next": NEXT}),
}
PATH_PARAMS: dict[str, Any] = {}
