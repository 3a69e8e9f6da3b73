"""Official notices: the list, one notice, and posting (staff)."""

from __future__ import annotations

from starlette.requests import Request

from sns.errors import ServiceError
from sns.i18n import N_
from sns.policies import can_post_notice
from sns.services import notices as notice_service
from sns.services import timelines
from sns.web.http import errors_of, form_of, load_ctx, redirect, render, text


async def notice_list(request: Request):
    ctx = await load_ctx(request)
    page = await timelines.notices(ctx.settings.page_size, request.query_params.get("before"))
    return await render(request, "notices.html", page=page, may_post=can_post_notice(ctx.viewer))


async def notice_page(request: Request):
    ctx = await load_ctx(request)
    notice = await notice_service.get_notice(request.path_params["id"])
    return await render(request, "notice.html", notice=notice, may_delete=can_post_notice(ctx.viewer))


async def notice_new(request: Request):
    ctx = await load_ctx(request)
    if not can_post_notice(ctx.viewer):
        return await render(request, "error.html", status=403, message=None)
    if request.method == "GET":
        return await render(request, "notice_form.html")
    form = form_of(request)
    typed = {"title": text(form, "title"), "body": text(form, "body")}
    try:
        notice = await notice_service.post_notice(ctx, **typed)
    except ServiceError as exc:
        return await render(request, "notice_form.html", status=exc.status, errors=errors_of(exc), form=typed)
    return redirect(f"/notices/{notice.id}", N_("The notice is published."))


async def notice_delete(request: Request):
    ctx = await load_ctx(request)
    await notice_service.delete_notice(ctx, request.path_params["id"])
    return redirect("/notices", N_("The notice is deleted."))
