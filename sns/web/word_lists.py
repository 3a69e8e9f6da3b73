"""Administration of the instance's word list: add, remove, allow, import (paste or file) and export."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from sns.errors import ServiceError
from sns.i18n import N_
from sns.policies import can_administer
from sns.services import review, word_lists
from sns.web.http import errors_of, files, form_of, load_ctx, redirect, render, signed_in, text

MESSAGES = {"add": N_("The word is added."), "allow": N_("The phrase is allowed."),
            "remove": N_("The word is removed."), "save": N_("The word list is saved.")}


@signed_in
async def words_page(request: Request, ctx):
    if not can_administer(ctx.viewer):
        return await render(request, "error.html", status=403, message=None)
    if request.method == "GET":
        return await render(request, "admin_words.html", form={"words": await word_lists.current_text(ctx)},
                            suggestions=await review.allow_suggestions(ctx))
    form = form_of(request)
    action = text(form, "action")
    typed = {n: text(form, n) for n in ("words", "term", "severity", "phrase")}
    try:
        if action == "add":
            await word_lists.add_word(ctx, typed["term"], typed["severity"])
        elif action == "allow":
            await word_lists.allow_phrase(ctx, typed["phrase"])
        elif action == "remove":
            await word_lists.remove_word(ctx, typed["term"])
        elif action == "save":
            uploaded = await files(form, "file")
            if uploaded:
                typed["words"] = uploaded[0].decode("utf-8", "replace")
            await word_lists.save_list(ctx, typed["words"])
        else:
            return await render(request, "error.html", status=400, message=None)
    except ServiceError as exc:
        if action != "save":
            typed["words"] = await word_lists.current_text(ctx)
        return await render(request, "admin_words.html", status=exc.status, errors=errors_of(exc), form=typed,
                            suggestions=await review.allow_suggestions(ctx))
    return redirect("/admin/words", MESSAGES[action])


async def words_export(request: Request):
    ctx = await load_ctx(request)
    if not can_administer(ctx.viewer):
        return await render(request, "error.html", status=403, message=None)
    body = await word_lists.current_text(ctx)
    return Response(body, media_type="text/plain; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="word-list.txt"'})
