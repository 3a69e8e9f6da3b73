"""Internal mail between residents: one-to-one and small groups, inbox and sent, unread counts.

Only the participants read a conversation (`policies.can_read_conversation`). A message passes
through the moderation hook like any resident text: a held message is seen by its author only and
reaches the others (inbox, unread mark, notification, e-mail notice) the moment a moderator approves
it (the review queue calls `_decided`).
The optional e-mail notice says that there is new mail and where, never what it says.
"""

from __future__ import annotations

import re

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from sns import events, mail
from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.i18n import N_, gettext, using_locale
from sns.models import Conversation, Message, Participant, User
from sns.models.base import utcnow
from sns.policies import (
    can_message, can_read_conversation, can_reply_conversation, can_view_message, can_write_mail,
)
from sns.services import review
from sns.services.accounts import USERNAME_RE
from sns.services.base import (
    clean_text, idempotency_key, rate_limit_post, require, save_change, save_new, transaction,
)
from sns.services.moderate import open_flag, screen, tell_moderators
from sns.services.notifications import mark_read as notifications_read, notify

SPLIT_RE = re.compile(r"[\s,、，;]+")
MAX_BODY = 20_000


def conversation_url(conversation_id: str) -> str:
    return f"/mail/{conversation_id}"


async def _message_visible(viewer, message) -> bool:
    ids = await active_participant_ids(message.conversation_id)
    return can_view_message(viewer, message, ids)


async def _decided(ctx: Ctx, message: Message, before: str, tx):
    """A held message that a moderator approves (or masks) reaches the others at once."""
    if before != "held" or message.state != "published" or message.deleted_at is not None:
        return None
    conversation = await Conversation.get(id=message.conversation_id).using_db(tx)
    author = await User.get(id=message.author_id).using_db(tx)
    others = await _deliver(ctx, conversation, message, tx)
    await _mail_notices(ctx, conversation, others, author, tx)
    return None


REVIEWABLE = review.Reviewable(  # the review queue's kind "message" (sns/areas.py)
    Message, N_("Mail message"), _message_visible,
                                             lambda m: conversation_url(m.conversation_id), fields=("body",),
                                             decided=_decided)


async def active_participant_ids(conversation_id: str, conn=None) -> list[str]:
    q = Participant.filter(conversation_id=conversation_id, left=False, deleted_at=None)
    return list(await (q.using_db(conn) if conn else q).values_list("user_id", flat=True))


def max_recipients(ctx: Ctx) -> int:
    return ctx.settings.max_mail_recipients


async def find_recipients(ctx: Ctx, to) -> list[User]:
    """The people named in `to` (usernames separated by spaces or commas, or a list of them)."""
    if isinstance(to, str):
        names = [n for n in SPLIT_RE.split(to.strip().lower().lstrip("@")) if n]
    elif isinstance(to, list) and all(isinstance(n, str) for n in to):
        names = [n.strip().lower().lstrip("@") for n in to if n.strip()]
    else:
        raise Invalid(N_("Give the usernames of the people to write to."), field="to")
    names = list(dict.fromkeys(n.lstrip("@") for n in names))
    if ctx.user is not None:
        names = [n for n in names if n != ctx.user.username]
    if not names:
        raise Invalid(N_("Give the usernames of the people to write to."), field="to")
    if len(names) > max_recipients(ctx):
        raise Invalid(N_("At most %(n)d people per conversation."), field="to", n=max_recipients(ctx))
    for name in names:  # a name no one could have is not looked up (PostgreSQL refuses NUL, for one)
        if not USERNAME_RE.match(name):
            raise Invalid(N_("There is no resident called %(name)s."), field="to",
                          name="".join(ch for ch in name[:32] if ch.isprintable()))
    found = {u.username: u for u in await User.filter(username__in=names)}
    for name in names:
        user = found.get(name)
        if user is None or user.deleted_at is not None:
            raise Invalid(N_("There is no resident called %(name)s."), field="to", name=name)
        if not can_message(ctx.viewer, user):
            raise Invalid(N_("%(name)s cannot receive your mail."), field="to", name=name)
    return [found[n] for n in names]


async def get_conversation(ctx: Ctx, conversation_id: str) -> tuple[Conversation, list[Participant]]:
    """The conversation and its remaining participants, if the viewer is one of them."""
    conversation = await Conversation.get_or_none(id=conversation_id, deleted_at=None)
    parts = []
    if conversation is not None:
        parts = await Participant.filter(conversation_id=conversation.id, left=False,
                                         deleted_at=None).select_related("user").order_by("id")
    if conversation is None or not can_read_conversation(ctx.viewer, [p.user_id for p in parts]):
        raise NotFound(N_("This conversation does not exist or you are not in it."))
    return conversation, parts


async def messages_in(ctx: Ctx, conversation: Conversation, parts: list[Participant]) -> list[Message]:
    """What the viewer may read of a conversation, oldest first."""
    ids = [p.user_id for p in parts]
    rows = await Message.filter(conversation_id=conversation.id, deleted_at=None).order_by("id").select_related(
        "author")
    return [m for m in rows if can_view_message(ctx.viewer, m, ids)]


async def _change_places(query, conn, **changes) -> None:
    """Change participants (read up to, archived), journaled like every change of a replicated record:
    the neighbours' sealed copy, and so a restore from it, then has them as they are here."""
    for part in await query.using_db(conn):
        for name, value in changes.items():
            setattr(part, name, value)
        await save_change(part, conn)


async def _deliver(ctx: Ctx, conversation: Conversation, message: Message, tx) -> list[str]:
    """The message reaches the others: newest activity, back in archived inboxes, a notification.
    Returns whom to send an e-mail notice after commit."""
    now = utcnow()
    conversation.last_message_at = now
    await save_change(conversation, tx)
    others = [uid for uid in await active_participant_ids(conversation.id, tx) if uid != message.author_id]
    await _change_places(Participant.filter(conversation_id=conversation.id, user_id__in=others, archived=True), tx,
                         archived=False)
    await _change_places(Participant.filter(conversation_id=conversation.id, user_id=message.author_id), tx,
                         last_read_at=now, archived=False)
    await notify(others, "message", url=conversation_url(conversation.id), subject=conversation.subject,
                 actor_id=message.author_id, conn=tx)
    return others


async def _mail_notices(ctx: Ctx, conversation: Conversation, user_ids: list[str], sender: User | None,
                        tx) -> None:
    """E-mail "you have new mail" (never the message itself) to those who asked for it, queued in the
    transaction that delivers the message."""
    if not user_ids:
        return
    people = await User.filter(id__in=user_ids, email_on_mail=True, state="active", deleted_at=None).exclude(
        email="").using_db(tx)
    link = ctx.settings.base_url + conversation_url(conversation.id)
    name = sender.display_name if sender else ""
    for person in people:
        with using_locale(person.locale or ctx.settings.default_locale):
            subject = gettext("New mail from %(name)s", name=name)
            body = gettext("%(name)s sent you a message on the town's site, in “%(subject)s”.\n\n"
                           "Read it there (the message is not in this e-mail, to keep it private):\n%(link)s\n\n"
                           "You get this e-mail because you asked for it in your settings.",
                           name=name, subject=conversation.subject, link=link)
        await mail.queue(tx, ctx.settings, person.email, subject, body)


def _held(message: Message, screening) -> Message:
    message.held_reason = screening.reason if screening.state == "held" else None
    return message


async def start_conversation(ctx: Ctx, *, to, subject, body, client_token: str | None = None) -> Message:
    """Write to one or more residents: a new conversation with its first message."""
    client_token = idempotency_key(client_token)
    require(can_write_mail(ctx.viewer), N_("Please sign in."))
    if client_token:
        earlier = await Message.get_or_none(client_token=client_token, author_id=ctx.user.id)
        if earlier is not None:  # a double-submitted form posts once
            return earlier
    recipients = await find_recipients(ctx, to)
    subject = clean_text(subject, field="subject", max_chars=200, single_line=True)
    body = clean_text(body, field="body", max_chars=min(ctx.settings.max_body_chars, MAX_BODY))
    await rate_limit_post(ctx)
    screening = await screen(ctx, subject, body)
    subject, body = screening.texts
    others: list[str] = []
    try:
        async with transaction() as tx:
            conversation = await save_new(Conversation(subject=subject, started_by_id=ctx.user.id,
                                                       origin=ctx.origin), tx)
            for user_id in [ctx.user.id, *(r.id for r in recipients)]:
                await save_new(Participant(conversation_id=conversation.id, user_id=user_id, origin=ctx.origin), tx)
            message = await save_new(Message(conversation_id=conversation.id, author_id=ctx.user.id, body=body,
                                             state=screening.state, client_token=client_token, origin=ctx.origin), tx)
            flag = await open_flag(screening, "message", message.id, ctx.user.id, tx)
            if screening.state == "published":
                others = await _deliver(ctx, conversation, message, tx)
            await tell_moderators(ctx, flag, tx)
            await _mail_notices(ctx, conversation, others, ctx.user, tx)
    except IntegrityError:  # the same form, submitted twice at once: the first one won
        return await Message.get(client_token=client_token, author_id=ctx.user.id)
    await events.publish("mail.sent", {"conversation": conversation.id})
    return _held(message, screening)


async def reply(ctx: Ctx, conversation_id: str, body, client_token: str | None = None) -> Message:
    client_token = idempotency_key(client_token)
    conversation, parts = await get_conversation(ctx, conversation_id)
    ids = [p.user_id for p in parts]
    if len(ids) < 2:
        raise Invalid(N_("Everyone else has left this conversation."), field="body")
    require(can_reply_conversation(ctx.viewer, ids),
            N_("Someone in this conversation cannot receive your mail."))
    if client_token:
        earlier = await Message.get_or_none(client_token=client_token, author_id=ctx.user.id)
        if earlier is not None:
            return earlier
    body = clean_text(body, field="body", max_chars=min(ctx.settings.max_body_chars, MAX_BODY))
    await rate_limit_post(ctx)
    screening = await screen(ctx, body)
    (body,) = screening.texts
    others: list[str] = []
    try:
        async with transaction() as tx:
            message = await save_new(Message(conversation_id=conversation.id, author_id=ctx.user.id, body=body,
                                             state=screening.state, client_token=client_token, origin=ctx.origin), tx)
            flag = await open_flag(screening, "message", message.id, ctx.user.id, tx)
            if screening.state == "published":
                others = await _deliver(ctx, conversation, message, tx)
            await tell_moderators(ctx, flag, tx)
            await _mail_notices(ctx, conversation, others, ctx.user, tx)
    except IntegrityError:
        return await Message.get(client_token=client_token, author_id=ctx.user.id)
    await events.publish("mail.sent", {"conversation": conversation.id})
    return _held(message, screening)


async def mark_read(ctx: Ctx, conversation_id: str) -> None:
    conversation, _ = await get_conversation(ctx, conversation_id)
    mine = Participant.filter(conversation_id=conversation.id, user_id=ctx.user.id)
    if conversation.last_message_at is not None:  # only when something is unread: reading again changes nothing
        mine = mine.filter(Q(last_read_at=None) | Q(last_read_at__lt=conversation.last_message_at))
    async with transaction() as tx:
        await _change_places(mine, tx, last_read_at=utcnow())

    await notifications_read(ctx, url=conversation_url(conversation.id))


async def set_email_on_mail(ctx: Ctx, on: bool) -> None:
    """Whether new internal mail is announced by e-mail (never with its text). Off by default."""
    require(can_write_mail(ctx.viewer), N_("Please sign in."))
    ctx.user.email_on_mail = bool(on)
    await User.filter(id=ctx.user.id).update(email_on_mail=bool(on))


async def archive(ctx: Ctx, conversation_id: str) -> None:
    """Hide from my inbox until a new message arrives."""
    conversation, _ = await get_conversation(ctx, conversation_id)
    async with transaction() as tx:
        await _change_places(Participant.filter(conversation_id=conversation.id, user_id=ctx.user.id, archived=False),
                             tx, archived=True)


async def leave(ctx: Ctx, conversation_id: str) -> None:
    """Leave a group conversation for good (one-to-one conversations are archived instead)."""
    conversation, parts = await get_conversation(ctx, conversation_id)
    if len(parts) <= 2:
        raise Invalid(N_("Only a group conversation can be left; archive this one instead."))
    async with transaction() as tx:
        me = next(p for p in parts if p.user_id == ctx.user.id)
        me.left = True
        await save_change(me, tx)
