"""Internal mail over JSON (see sns/api/v1.py): the same services and rules as the mail pages.

Only participants ever get a conversation; anyone else gets 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from sns.api.declare import WRITE, Input, Operations, Output, Query
from sns.api.fields import ClientToken, Id, MaybeTime, Next, Page, TextState, Time, Url
from sns.api.http import absolute
from sns.api.refusals import Reported
from sns.api.shapes import Person, person_brief, when
from sns.context import Ctx
from sns.policies import can_reply_conversation
from sns.services import mailbox, mailbox_lists

API = Operations("mail")
USE_CONVERSATION = {
    "GetConversation": {"operationId": "get_conversation", "parameters": {"id": "$response.body#/id"}},
    "ReplyConversation": {"operationId": "reply_conversation", "parameters": {"id": "$response.body#/id"}},
    "MarkConversationRead": {"operationId": "mark_conversation_read", "parameters": {"id": "$response.body#/id"}},
}
# Subjects and bodies are cleaned by the service (control characters dropped, spaces trimmed), so they
# are not refused for what cleaning removes.
Subject = Annotated[str, Field(min_length=1, max_length=200)]
MailBody = Annotated[str, Field(min_length=1, max_length=mailbox.MAX_BODY, description=(
    "Plain text; at most `max_body_chars` characters (and never more than %d)." % mailbox.MAX_BODY))]


class MailMessage(Output):
    """A held message is seen only by its author until a moderator approves it."""

    id: Id
    author: Person
    body: str = Field(description="Plain text.")
    state: TextState
    created_at: Time


class ConversationBrief(Output):
    id: Id
    subject: str
    url: Url
    api_url: Url
    unread: bool
    archived: bool
    others: list[Person]
    last_message_at: MaybeTime


class ConversationPage(Output):
    items: list[ConversationBrief]
    next: Next
    unread: int = Field(description="Conversations with unread mail.")


class Conversation(Output):
    id: Id
    subject: str
    url: Url
    participants: list[Person]
    unread: bool
    may_reply: bool
    messages: list[MailMessage]
    last_message_at: MaybeTime


class UnreadCount(Output):
    unread: int


class ConversationNew(Input):
    to: Annotated[Annotated[list[str], Field(min_length=1)] | Annotated[str, Field(min_length=1)], Field(
        description="Usernames (a list, or one text separated by spaces or commas); at most "
                    "`max_mail_recipients` people who have not blocked the writer."), Reported("to")]
    subject: Subject
    body: MailBody
    client_token: ClientToken = None


class MailReply(Input):
    body: MailBody
    client_token: ClientToken = None


class ConversationQuery(Query):
    archived: Literal["true", "false"] = Field("false", description="true: the archived conversations instead "
                                                                    "of the inbox.")
    page: Page = Field(1, description=f"Page number ({mailbox_lists.PAGE} conversations a page): follow `next`.")


def message_json(ctx: Ctx, message) -> dict[str, Any]:
    return {"id": message.id, "author": person_brief(ctx, message.author), "body": message.body,
            "state": message.state, "created_at": when(message.created_at)}


def conversation_brief(ctx: Ctx, row: mailbox_lists.Row) -> dict[str, Any]:
    c = row.conversation
    return {"id": c.id, "subject": c.subject, "url": absolute(ctx, mailbox.conversation_url(c.id)),
            "api_url": absolute(ctx, f"/api/v1/conversations/{c.id}"), "unread": row.unread,
            "archived": row.archived, "others": [person_brief(ctx, u) for u in row.others],
            "last_message_at": when(c.last_message_at)}


async def _detail(ctx: Ctx, conversation_id: str) -> dict[str, Any]:
    conversation, parts = await mailbox.get_conversation(ctx, conversation_id)
    messages = await mailbox.messages_in(ctx, conversation, parts)
    me = next(p for p in parts if p.user_id == ctx.user.id)
    ids = [p.user_id for p in parts]
    return {
        "id": conversation.id, "subject": conversation.subject,
        "url": absolute(ctx, mailbox.conversation_url(conversation.id)),
        "participants": [person_brief(ctx, p.user) for p in parts],
        "unread": mailbox_lists.is_unread(conversation, me),
        "may_reply": can_reply_conversation(ctx.viewer, ids) and len(ids) > 1,
        "messages": [message_json(ctx, m) for m in messages],
        "last_message_at": when(conversation.last_message_at),
    }


@API.get("/api/v1/conversations", answer=ConversationPage, query=ConversationQuery, auth=True, errors=(400, 401))
async def list_conversations(ctx: Ctx, query: ConversationQuery):
    """My conversations, newest activity first, with unread marks (archived ones with ?archived=true)."""
    archived, page = query.archived == "true", query.page
    rows, more = await mailbox_lists.inbox(ctx, archived=archived, page=page)
    next_url = absolute(ctx, "/api/v1/conversations", page=page + 1,
                        archived="true" if archived else None) if more else None
    return {"items": [conversation_brief(ctx, r) for r in rows], "next": next_url,
            "unread": await mailbox_lists.unread_total(ctx.user.id)}


@API.post("/api/v1/conversations", answer=Conversation, status=201, body=ConversationNew, auth=True,
          errors=(*WRITE, 429), links=USE_CONVERSATION, refuses=("to",))
async def create_conversation(ctx: Ctx, body: ConversationNew):
    """Write to one or more residents: a new conversation with its first message."""
    message = await mailbox.start_conversation(ctx, to=body.to, subject=body.subject, body=body.body,
                                               client_token=body.client_token)
    return await _detail(ctx, message.conversation_id)


@API.get("/api/v1/conversations/{id}", answer=Conversation, auth=True, errors=(401, 404))
async def get_conversation(ctx: Ctx, id: str):
    """One conversation with its messages, oldest first (does not mark it read)."""
    return await _detail(ctx, id)


@API.post("/api/v1/conversations/{id}/messages", answer=MailMessage, status=201, body=MailReply, auth=True,
          errors=(*WRITE, 404, 429))
async def reply_conversation(ctx: Ctx, id: str, body: MailReply):
    """Reply in a conversation."""
    message = await mailbox.reply(ctx, id, body.body, client_token=body.client_token)
    await message.fetch_related("author")
    return message_json(ctx, message)


@API.put("/api/v1/conversations/{id}/read", answer=UnreadCount, auth=True, errors=(401, 404))
async def mark_conversation_read(ctx: Ctx, id: str):
    """Mark a conversation read (no body needed)."""
    await mailbox.mark_read(ctx, id)
    return {"unread": await mailbox_lists.unread_total(ctx.user.id)}
