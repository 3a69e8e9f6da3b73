"""What the mail pages list: my inbox (newest activity first, unread marked), what I sent, unread counts.

Each list runs a fixed number of queries whatever the size of the mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sns.context import Ctx
from sns.errors import Forbidden
from sns.i18n import N_
from sns.models import Conversation, Message, Participant

PAGE = 30


@dataclass
class Row:
    conversation: Conversation
    unread: bool
    archived: bool
    others: list = field(default_factory=list)  # the other participants (User rows)


def is_unread(conversation: Conversation, participant: Participant) -> bool:
    if conversation.last_message_at is None:
        return False
    return participant.last_read_at is None or participant.last_read_at < conversation.last_message_at


async def _others(conversation_ids: list[str], me: str) -> dict[str, list]:
    out: dict[str, list] = {cid: [] for cid in conversation_ids}
    if conversation_ids:
        for p in await Participant.filter(conversation_id__in=conversation_ids, left=False).exclude(
                user_id=me).select_related("user").order_by("id"):
            out[p.conversation_id].append(p.user)
    return out


async def inbox(ctx: Ctx, *, archived: bool = False, page: int = 1) -> tuple[list[Row], bool]:
    """My conversations, newest activity first; (rows, whether there is a next page)."""
    if ctx.user is None:
        raise Forbidden(N_("Please sign in."))
    page = max(1, min(page, 1000))
    mine = await Participant.filter(user_id=ctx.user.id, left=False, archived=archived, deleted_at=None,
                                    conversation__last_message_at__isnull=False).select_related(
        "conversation").order_by("-conversation__last_message_at").offset((page - 1) * PAGE).limit(PAGE + 1)
    more = len(mine) > PAGE
    mine = mine[:PAGE]
    others = await _others([p.conversation_id for p in mine], ctx.user.id)
    rows = [Row(p.conversation, is_unread(p.conversation, p), p.archived, others[p.conversation_id]) for p in mine]
    return rows, more


async def sent(ctx: Ctx, *, before: str | None = None) -> tuple[list[Message], str | None]:
    """The messages I wrote, newest first (keyset: `before` a message id)."""
    if ctx.user is None:
        raise Forbidden(N_("Please sign in."))
    q = Message.filter(author_id=ctx.user.id, deleted_at=None)
    if before:
        q = q.filter(id__lt=before)
    items = await q.order_by("-id").limit(PAGE + 1).select_related("conversation")
    return items[:PAGE], (items[PAGE - 1].id if len(items) > PAGE else None)


async def unread_total(user_id: str) -> int:
    """How many of my conversations have something I have not read (the inbox's count)."""
    rows = await Participant.filter(user_id=user_id, left=False, archived=False,
                                    conversation__last_message_at__isnull=False).select_related(
        "conversation")
    return sum(1 for p in rows if is_unread(p.conversation, p))
