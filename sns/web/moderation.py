"""The review queue, the audit log, an author's own waiting posts, reports and appeals."""

from __future__ import annotations

from starlette.requests import Request

from sns.errors import ServiceError
from sns.i18n import N_
from sns.policies import can_moderate, can_read_moderation_log
from sns.services import review
from sns.services.review_kinds import text_fields
from sns.services.moderate import current_filter
from sns.web.http import form_of, redirect, render, signed_in, text

MESSAGES = {
    "approve": N_("The post is published."),
    "remove": N_("The post is removed."),
    "mask": N_("The post is published with the words masked."),
    "warn": N_("The resident is sent a note. The post stays in the queue until you decide about it."),
    "suspend": N_("The account is suspended and signed out everywhere. The post stays in the queue."),
    "false_alarm": N_("Marked as a false alarm; the post is published."),
}


@signed_in
async def queue_page(request: Request, ctx):
    if not can_moderate(ctx.viewer):
        return await render(request, "error.html", status=403, message=None)
    items = await review.queue(ctx)
    filt = await current_filter()
    marked = {}
    for item in items:
        t = item.target
        marked[item.flag.id] = [review.highlight_spans(getattr(t, n), filt)
                                for n in text_fields(ctx.site.review_kinds, item.flag.kind, t)]
    suggestions = await review.allow_suggestions(ctx)
    return await render(request, "moderation.html", items=items, marked=marked, suggestions=suggestions)


@signed_in
async def queue_action(request: Request, ctx):
    if not can_moderate(ctx.viewer):
        return await render(request, "error.html", status=403, message=None)
    form = form_of(request)
    action = text(form, "action")
    try:
        await review.act(ctx, request.path_params["id"], action, text(form, "note"))
    except ServiceError as exc:
        return redirect("/moderation", exc.message)
    return redirect("/moderation", MESSAGES[action])


@signed_in
async def log_page(request: Request, ctx):
    if not can_read_moderation_log(ctx.viewer):
        return await render(request, "error.html", status=403, message=None)
    return await render(request, "moderation_log.html", entries=await review.log_entries(ctx))


@signed_in
async def mine_page(request: Request, ctx):
    return await render(request, "moderation_mine.html", **await review.my_items(ctx))


@signed_in
async def appeal(request: Request, ctx):
    try:
        await review.appeal(ctx, request.path_params["id"], text(form_of(request), "appeal"))
    except ServiceError as exc:
        return redirect("/moderation/mine", exc.message)
    return redirect("/moderation/mine", N_("Your appeal is sent to the site team."))


@signed_in
async def report_and_return(request: Request, ctx, kind: str, back: str):
    """A resident's report of any kind of text the review queue knows (ctx.site.review_kinds); back to the
    page it was on. Called as `report_and_return(request, kind, back)` (`signed_in` gives the context)."""
    try:
        await review.report(ctx, kind, request.path_params["id"], text(form_of(request), "reason"))
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return redirect(back, exc.message)
    return redirect(back, N_("Thank you. The site team will look at it."))


async def report_diary(request: Request):
    return await report_and_return(request, "diary", f"/diaries/{request.path_params['id']}")


async def report_comment(request: Request):
    diary_id = text(form_of(request), "diary")
    back = f"/diaries/{diary_id}#comments" if diary_id.replace("-", "").isalnum() else "/home"
    return await report_and_return(request, "comment", back)
