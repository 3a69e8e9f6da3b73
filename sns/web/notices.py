"""Official notices: the list, one notice, and posting (staff)."""

from __future__ import annotations

from starlette.requests import Request

from sns.errors import ServiceError
from sns.i18n import N_
from sns.policies import can_post_notice
from sns.services import notices as notice_service
from sns.policies.notices import can_filter_near_home
from sns.services import notice_areas, notice_reach, site, timelines
from sns.services.timelines import Page
from sns.web.http import errors_of, form_of, load_ctx, redirect, render, text

AREA_FIELDS = ("scope", "lat", "lon", "radius_m", "category")


async def notice_list(request: Request):
    """Every notice, each with its area; `?near=1` (signed in): those that concern me, as on My page."""
    ctx = await load_ctx(request)
    before = request.query_params.get("before")
    near = request.query_params.get("near") == "1" and can_filter_near_home(ctx.viewer)
    if near:
        found = await notice_reach.near_me(ctx.user, ctx.settings.page_size + 1, before)
        more = len(found) > ctx.settings.page_size
        found = found[:ctx.settings.page_size]
        page = Page(found, found[-1].id if more else None)
        labels = {n.id: notice_areas.my_area_label(n.scope, n.radius_m, n.my_district) for n in found}
    else:
        page = await timelines.notices(ctx.settings.page_size, before)
        labels = await notice_areas.labels_for(page.items)
    response = await render(request, "notices.html", page=page, may_post=can_post_notice(ctx.viewer), near=near,
                            may_filter=can_filter_near_home(ctx.viewer), labels=labels,
                            categories=notice_areas.CATEGORIES)
    if near:
        response.headers["Cache-Control"] = "private, no-store"
    return response


async def notice_page(request: Request):
    ctx = await load_ctx(request)
    notice = await notice_service.get_notice(request.path_params["id"])
    labels = await notice_areas.labels_for([notice])
    return await render(request, "notice.html", notice=notice, may_delete=can_post_notice(ctx.viewer),
                        area=labels[notice.id], category=notice_areas.category_label(notice.category))


async def _form_page(request: Request, status: int = 200, **extra):
    return await render(request, "notice_form.html", status=status, area_choices=True,
                        districts=await site.districts(), categories=notice_areas.CATEGORIES,
                        scopes=notice_areas.SCOPE_LABELS, min_radius=notice_areas.MIN_RADIUS_M,
                        max_radius=notice_areas.MAX_RADIUS_M, **extra)


async def notice_new(request: Request):
    ctx = await load_ctx(request)
    if not can_post_notice(ctx.viewer):
        return await render(request, "error.html", status=403, message=None)
    if request.method == "GET":
        return await _form_page(request, form={"scope": "town", "radius_m": "500"})
    form = form_of(request)
    typed = {name: text(form, name) for name in ("title", "body", *AREA_FIELDS)}
    typed["district_ids"] = [v for v in form.getlist("district_ids") if isinstance(v, str)][:200]
    try:
        notice = await notice_service.post_notice(ctx, **typed)
    except ServiceError as exc:
        return await _form_page(request, status=exc.status, errors=errors_of(exc), form=typed)
    return redirect(f"/notices/{notice.id}", N_("The notice is published."))


async def notice_delete(request: Request):
    ctx = await load_ctx(request)
    await notice_service.delete_notice(ctx, request.path_params["id"])
    return redirect("/notices", N_("The notice is deleted."))
