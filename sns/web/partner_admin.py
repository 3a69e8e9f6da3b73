"""Administrators issue Open311 keys to the city's partners, see them listed and revoke one: /admin/partners
(docs/open311.md). A new key is shown once, on the page that answers the form, and kept nowhere in clear."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_
from sns.policies.partners import can_manage_partner_keys
from sns.services import partner_keys
from sns.web.http import errors_of, form_of, redirect, render, signed_in_with, text

NO_STORE = "private, no-store"


async def _page(request: Request, ctx, status: int = 200, **values):
    response = await render(request, "admin_partners.html", status=status, keys=await partner_keys.list_keys(ctx),
                            endpoint=f"{ctx.settings.base_url}/open311/v2", **values)
    response.headers["Cache-Control"] = NO_STORE  # a new key is on this page: never kept by a cache
    return response


async def partners_page(request: Request):
    """The keys; POST issues one to the partner named and shows it once."""
    ctx, refused = await signed_in_with(request, can_manage_partner_keys)
    if refused is not None:
        return refused
    if request.method == "GET":
        return await _page(request, ctx, form={})
    name = text(form_of(request), "name")
    try:
        issued = await partner_keys.issue_key(ctx, name)
    except ServiceError as exc:
        return await _page(request, ctx, status=exc.status, errors=errors_of(exc), form={"name": name})
    return await _page(request, ctx, issued=issued, form={})


async def revoke(request: Request):
    ctx, refused = await signed_in_with(request, can_manage_partner_keys)
    if refused is not None:
        return refused
    try:
        await partner_keys.revoke_key(ctx, request.path_params["id"])
    except ServiceError as exc:
        return redirect("/admin/partners", exc.message)
    return redirect("/admin/partners", N_("The key is revoked: it files no more reports."))


ROUTES = (
    Route("/admin/partners", partners_page, methods=["GET", "POST"]),
    Route("/admin/partners/{id}/revoke", revoke, methods=["POST"]),
)
