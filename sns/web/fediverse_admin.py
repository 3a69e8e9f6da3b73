"""/admin/fediverse: administrators see which servers follow the city and residents (and since when), the
blocked servers, the inbox posts refused lately and the delivery queue per server; they remove a server's
followers (optionally blocking it, with a reason), block a server by name, and unblock one. Every change is
in the staff action log; the rules are sns/policies/fediverse_admin.py."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_
from sns.policies.fediverse_admin import can_manage_fediverse
from sns.services import fediverse_admin as service
from sns.web.http import errors_of, form_of, redirect, render, signed_in_with, text

PAGE = "/admin/fediverse"
REASONS = {  # InboxRefusal.reason -> what an administrator reads
    "too_large": N_("Too large"),
    "content_type": N_("Not ActivityPub JSON"),
    "malformed": N_("Not a readable activity"),
    "unsigned": N_("Not signed"),
    "malformed_signature": N_("Signature unreadable"),
    "unsupported_algorithm": N_("Signature unreadable"),
    "unsigned_headers": N_("Signature leaves out required headers"),
    "missing_header": N_("Signature leaves out required headers"),
    "missing_digest": N_("Signature leaves out required headers"),
    "malformed_date": N_("Signed at a wrong time"),
    "stale_date": N_("Signed at a wrong time"),
    "bad_digest": N_("Body changed after signing"),
    "key_unavailable": N_("The sender's key could not be fetched"),
    "bad_key": N_("The sender's key could not be fetched"),
    "bad_signature": N_("Bad signature"),
    "actor_mismatch": N_("Signed by someone else than its author"),
    "replay": N_("Sent again (a replay)"),
    "blocked": N_("From a blocked server"),
}


async def _page(request: Request, ctx, status: int = 200, **extra):
    response = await render(request, "admin_fediverse.html", status=status, view=await service.overview(ctx),
                            reasons=REASONS, **extra)
    response.headers["Cache-Control"] = "private, no-store"  # names people elsewhere and what they sent
    return response


async def fediverse_page(request: Request):
    """The overview."""
    ctx, refused = await signed_in_with(request, can_manage_fediverse)
    if refused:
        return refused
    return await _page(request, ctx)


async def block(request: Request):
    """Block a server by name, with a reason."""
    ctx, refused = await signed_in_with(request, can_manage_fediverse)
    if refused:
        return refused
    form = form_of(request)
    typed = {"host": text(form, "host"), "reason": text(form, "reason")}
    try:
        await service.block_server(ctx, typed["host"], typed["reason"])
    except ServiceError as exc:
        return await _page(request, ctx, status=exc.status, errors=errors_of(exc), form=typed)
    return redirect(f"{PAGE}#blocked", N_("The server is blocked: its followers are removed and its posts refused."))


async def remove(request: Request):
    """Remove one server's followers; with "block" ticked, block it too."""
    ctx, refused = await signed_in_with(request, can_manage_fediverse)
    if refused:
        return refused
    form = form_of(request)
    try:
        await service.remove_server(ctx, text(form, "host"), block=text(form, "block") == "1",
                                    reason=text(form, "reason"))
    except ServiceError as exc:
        return await _page(request, ctx, status=exc.status, errors=errors_of(exc))
    return redirect(PAGE, N_("The server's followers are removed."))


async def unblock(request: Request):
    ctx, refused = await signed_in_with(request, can_manage_fediverse)
    if refused:
        return refused
    try:
        await service.unblock_server(ctx, text(form_of(request), "host"))
    except ServiceError as exc:
        return await _page(request, ctx, status=exc.status, errors=errors_of(exc))
    return redirect(f"{PAGE}#blocked", N_("The server is no longer blocked."))


ROUTES = [
    Route(PAGE, fediverse_page, methods=["GET"]),
    Route(PAGE + "/block", block, methods=["POST"]),
    Route(PAGE + "/remove", remove, methods=["POST"]),
    Route(PAGE + "/unblock", unblock, methods=["POST"]),
]
