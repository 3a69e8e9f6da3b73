"""Internal mail pages: inbox, archive, sent, writing, one conversation, reply, archive, leave, report."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_
from sns.ids import is_id
from sns.policies import can_reply_conversation
from sns.services import mailbox, mailbox_lists
from sns.web.moderation import report_and_return
from sns.web import account
from sns.web.diaries import held_message
from sns.web.http import errors_of, form_of, redirect, render, signed_in, text

GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]


def _page(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else 1


@signed_in
async def inbox_page(request: Request, ctx):
    archived = request.query_params.get("archived") == "1"
    page = _page(request)
    rows, more = await mailbox_lists.inbox(ctx, archived=archived, page=page)
    unread = sum(1 for r in rows if r.unread) if archived else await mailbox_lists.unread_total(ctx.user.id)
    return await render(request, "mail_inbox.html", rows=rows, more=more, page=page, archived=archived,
                        unread=unread, tab="archive" if archived else "inbox")


@signed_in
async def sent_page(request: Request, ctx):
    before = request.query_params.get("before")
    items, next_before = await mailbox_lists.sent(ctx, before=before if before and is_id(before) else None)
    return await render(request, "mail_sent.html", items=items, next_before=next_before, tab="sent")


@signed_in
async def new_page(request: Request, ctx):
    if request.method == "GET":
        return await render(request, "mail_new.html", form={"to": request.query_params.get("to", "")[:400]})
    form = form_of(request)
    typed = {name: text(form, name) for name in ("to", "subject", "body")}
    try:
        message = await mailbox.start_conversation(ctx, **typed, client_token=text(form, "client_token") or None)
    except ServiceError as exc:
        return await render(request, "mail_new.html", status=exc.status, errors=errors_of(exc), form=typed)
    flash = N_("Your message is sent.") if message.state == "published" else held_message(message)
    return redirect(mailbox.conversation_url(message.conversation_id), flash)


async def _render_conversation(request: Request, ctx, conversation, parts, status: int = 200, **extra):
    messages = await mailbox.messages_in(ctx, conversation, parts)
    ids = [p.user_id for p in parts]
    return await render(request, "mail_conversation.html", status=status, conversation=conversation,
                        participants=[p.user for p in parts], messages=messages,
                        may_reply=can_reply_conversation(ctx.viewer, ids) and len(ids) > 1,
                        is_group=len(ids) > 2, **extra)


@signed_in
async def conversation_page(request: Request, ctx):
    conversation, parts = await mailbox.get_conversation(ctx, request.path_params["id"])
    await mailbox.mark_read(ctx, conversation.id)
    return await _render_conversation(request, ctx, conversation, parts)


@signed_in
async def reply(request: Request, ctx):
    conversation_id = request.path_params["id"]
    form = form_of(request)
    body = text(form, "body")
    try:
        message = await mailbox.reply(ctx, conversation_id, body, client_token=text(form, "client_token") or None)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        conversation, parts = await mailbox.get_conversation(ctx, conversation_id)
        return await _render_conversation(request, ctx, conversation, parts, status=exc.status,
                                          errors=errors_of(exc), form={"body": body})
    flash = N_("Your message is sent.") if message.state == "published" else held_message(message)
    return redirect(mailbox.conversation_url(conversation_id) + f"#m-{message.id}", flash)


@signed_in
async def archive(request: Request, ctx):
    await mailbox.archive(ctx, request.path_params["id"])
    return redirect("/mail", N_("The conversation is archived. It comes back when someone writes again."))


@signed_in
async def leave(request: Request, ctx):
    try:
        await mailbox.leave(ctx, request.path_params["id"])
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return redirect(mailbox.conversation_url(request.path_params["id"]), exc.message)
    return redirect("/mail", N_("You left the conversation."))


async def report_message(request: Request):
    back = text(form_of(request), "conversation")
    back = mailbox.conversation_url(back) if is_id(back) else "/mail"
    return await report_and_return(request, "message", back)


ROUTES: list[Route] = [
    Route("/mail", inbox_page, methods=GET),
    Route("/mail/sent", sent_page, methods=GET),
    Route("/mail/new", new_page, methods=BOTH),
    Route("/mail/messages/{id}/report", report_message, methods=POST),
    Route("/mail/{id}", conversation_page, methods=GET),
    Route("/mail/{id}/reply", reply, methods=POST),
    Route("/mail/{id}/archive", archive, methods=POST),
    Route("/mail/{id}/leave", leave, methods=POST),
    Route("/settings/mail", account.mail_notice, methods=POST),  # the settings page's "e-mail me" checkbox
]
