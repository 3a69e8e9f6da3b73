"""Internal mail over JSON (see sns/api/v1.py): the same services and rules as the mail pages.

Only participants ever get a conversation; anyone else gets 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from sns.api.auth import require_user
from sns.api.http import absolute, answer, endpoint
from sns.api.inputs import read_json, short_text
from sns.api.openapi import WRITE, op
from sns.api.schemas import CLIENT_TOKEN, ID, NEXT, TEXT, TEXT_STATE, TIME, URL, obj, ref
from sns.api.shapes import person_brief, when
from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_
from sns.policies import can_reply_conversation
from sns.services import mailbox, mailbox_lists

NEW_FIELDS = ("to", "subject", "body", "client_token")
REPLY_FIELDS = ("body", "client_token")


def message_json(ctx: Ctx, message) -> dict[str, Any]:
    return {"id": message.id, "author": person_brief(ctx, message.author), "body": message.body,
            "state": message.state, "created_at": when(message.created_at)}


def conversation_brief(ctx: Ctx, row: mailbox_lists.Row) -> dict[str, Any]:
    c = row.conversation
    return {"id": c.id, "subject": c.subject, "url": absolute(ctx, mailbox.conversation_url(c.id)),
            "api_url": absolute(ctx, f"/api/v1/conversations/{c.id}"), "unread": row.unread,
            "archived": row.archived, "others": [person_brief(ctx, u) for u in row.others],
            "last_message_at": when(c.last_message_at)}


async def _detail(ctx: Ctx, conversation_id: str, status: int = 200):
    conversation, parts = await mailbox.get_conversation(ctx, conversation_id)
    messages = await mailbox.messages_in(ctx, conversation, parts)
    me = next(p for p in parts if p.user_id == ctx.user.id)
    ids = [p.user_id for p in parts]
    return answer({
        "id": conversation.id, "subject": conversation.subject,
        "url": absolute(ctx, mailbox.conversation_url(conversation.id)),
        "participants": [person_brief(ctx, p.user) for p in parts],
        "unread": mailbox_lists.is_unread(conversation, me),
        "may_reply": can_reply_conversation(ctx.viewer, ids) and len(ids) > 1,
        "messages": [message_json(ctx, m) for m in messages],
        "last_message_at": when(conversation.last_message_at),
    }, status)


def _page(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not (raw.isascii() and raw.isdigit() and 1 <= len(raw) <= 4 and int(raw) >= 1):
        raise Invalid(N_("Give a whole number from 1 to %(max)d."), field="page", max=9999)
    return int(raw)


@endpoint
async def list_conversations(request: Request, ctx: Ctx):
    """My conversations, newest activity first, with unread marks (archived ones with ?archived=true)."""
    require_user(ctx)
    archived = request.query_params.get("archived", "false")
    if archived not in ("true", "false"):
        raise Invalid(N_("This must be true or false."), field="archived")
    page = _page(request)
    rows, more = await mailbox_lists.inbox(ctx, archived=archived == "true", page=page)
    next_url = absolute(ctx, "/api/v1/conversations", page=page + 1,
                        archived="true" if archived == "true" else None) if more else None
    return answer({"items": [conversation_brief(ctx, r) for r in rows], "next": next_url,
                   "unread": await mailbox_lists.unread_total(ctx.user.id)})


@endpoint
async def create_conversation(request: Request, ctx: Ctx):
    """Write to one or more residents: a new conversation with its first message."""
    require_user(ctx)
    data = await read_json(request, ctx, NEW_FIELDS)
    message = await mailbox.start_conversation(ctx, to=data.get("to"), subject=data.get("subject"),
                                               body=data.get("body"),
                                               client_token=short_text(data, "client_token"))
    return await _detail(ctx, message.conversation_id, 201)


@endpoint
async def get_conversation(request: Request, ctx: Ctx):
    """One conversation with its messages, oldest first (does not mark it read)."""
    require_user(ctx)
    return await _detail(ctx, request.path_params["id"])


@endpoint
async def reply_conversation(request: Request, ctx: Ctx):
    """Reply in a conversation."""
    require_user(ctx)
    data = await read_json(request, ctx, REPLY_FIELDS)
    message = await mailbox.reply(ctx, request.path_params["id"], data.get("body"),
                                  client_token=short_text(data, "client_token"))
    await message.fetch_related("author")
    return answer(message_json(ctx, message), 201)


@endpoint
async def mark_conversation_read(request: Request, ctx: Ctx):
    """Mark a conversation read (no body needed)."""
    require_user(ctx)
    await mailbox.mark_read(ctx, request.path_params["id"])
    return answer({"unread": await mailbox_lists.unread_total(ctx.user.id)})


ENDPOINTS: list[Route] = [
    Route("/api/v1/conversations", list_conversations, methods=["GET"]),
    Route("/api/v1/conversations", create_conversation, methods=["POST"]),
    Route("/api/v1/conversations/{id}", get_conversation, methods=["GET"]),
    Route("/api/v1/conversations/{id}/messages", reply_conversation, methods=["POST"]),
    Route("/api/v1/conversations/{id}/read", mark_conversation_read, methods=["PUT"]),
]
ARCHIVED = {"name": "archived", "in": "query", "required": False, "schema": {"type": "string", "enum": ["true", "false"]},
            "description": "true: the archived conversations instead of the inbox."}
PAGE = {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1},
        "description": "Page number (30 conversations a page): follow `next`."}
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/v1/conversations"): op("mail", (200, "ConversationPage"), auth=True, query=(ARCHIVED, PAGE),
                                         errors=(400, 401)),
    ("POST", "/api/v1/conversations"): op("mail", (201, "Conversation"), auth=True, body="ConversationNew",
                                          errors=(*WRITE, 429)),
    ("GET", "/api/v1/conversations/{id}"): op("mail", (200, "Conversation"), auth=True, errors=(401, 404)),
    ("POST", "/api/v1/conversations/{id}/messages"): op("mail", (201, "MailMessage"), auth=True, body="MailReply",
                                                        errors=(*WRITE, 404, 429)),
    ("PUT", "/api/v1/conversations/{id}/read"): op("mail", (200, "UnreadCount"), auth=True, errors=(401, 404)),
}
PERSON_LIST = {"type": "array", "items": ref("Person")}
SCHEMAS: dict[str, Any] = {
    "MailMessage": obj({"id": ID, "author": ref("Person"), "body": {"type": "string", "description": "Plain text."},
                        "state": TEXT_STATE, "created_at": TIME},
                       description="A held message is seen only by its author until a moderator approves it."),
    "ConversationBrief": obj({"id": ID, "subject": TEXT, "url": URL, "api_url": URL, "unread": {"type": "boolean"},
                              "archived": {"type": "boolean"}, "others": PERSON_LIST, "last_message_at": TIME}),
    "ConversationPage": obj({"items": {"type": "array", "items": ref("ConversationBrief")}, "next": NEXT,
                             "unread": {"type": "integer", "description": "Conversations with unread mail."}}),
    "Conversation": obj({"id": ID, "subject": TEXT, "url": URL, "participants": PERSON_LIST,
                         "unread": {"type": "boolean"}, "may_reply": {"type": "boolean"},
                         "messages": {"type": "array", "items": ref("MailMessage")},
                         "last_message_at": {"type": ["string", "null"], "format": "date-time"}}),
    "ConversationNew": obj({
        "to": {"oneOf": [{"type": "array", "items": {"type": "string"}, "minItems": 1},
                         {"type": "string", "minLength": 1}],
               "description": "Usernames (a list, or one text separated by spaces or commas); at most "
                              "`max_mail_recipients` people who have not blocked the writer."},
        "subject": {"type": "string", "minLength": 1, "maxLength": 200},
        "body": {"type": "string", "minLength": 1}, "client_token": CLIENT_TOKEN,
    }, required=("to", "subject", "body"), closed=True),
    "MailReply": obj({"body": {"type": "string", "minLength": 1}, "client_token": CLIENT_TOKEN},
                     required=("body",), closed=True),
    "UnreadCount": obj({"unread": {"type": "integer"}}),
}
PATH_PARAMS: dict[str, Any] = {}
