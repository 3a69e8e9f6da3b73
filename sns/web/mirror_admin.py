"""/admin/mirror: administrators see this instance's identity (to read to a neighbour's administrator) and
its backup key, each mirroring peer's health, add a neighbour (address and confirmed fingerprint), pause,
resume or remove it (after a second step), sync it now and say whether it may act for us; the mirror log
shows the refusals in words. The disaster desk reads the page without its forms."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_, gettext
from sns.mirror import peers as service
from sns.mirror import status
from sns.mirror.sync_now import sync_now
from sns.policies import can_manage_peers, can_read_peers
from sns.web.http import errors_of, form_of, redirect, render, signed_in_with, text

PAGE = "/admin/mirror"
FIELDS = ("url", "fingerprint", "acts_for_us")


def problem_label(code: str) -> str:
    return gettext(status.problem_word(code))


def health_label(health: str) -> str:
    return gettext(status.HEALTH_WORDS.get(health, status.OTHER_PROBLEM))


async def _guard(request: Request, *, manage: bool = True):
    return await signed_in_with(request, can_manage_peers if manage else can_read_peers)


async def _render(request: Request, ctx, status_code: int = 200, **extra):
    return await render(request, "admin_mirror.html", status=status_code,
                        me_instance=status.this_instance(ctx.settings),
                        rows=await status.peer_statuses(ctx.settings),
                        log_entries=await status.recent_problems(50),
                        problem_label=problem_label, health_label=health_label, split_problem=status.split_problem,
                        may_manage=can_manage_peers(ctx.viewer), **extra)


def _anchor(peer) -> str:
    return f"{PAGE}#peer-{peer.id}"


async def peers_page(request: Request):
    """The instance, the peers with their health, and the mirror log (POST adds a neighbour)."""
    ctx, refused = await _guard(request, manage=request.method != "GET")
    if refused:
        return refused
    if request.method == "GET":
        return await _render(request, ctx)
    form = form_of(request)
    typed = {n: text(form, n) for n in FIELDS}
    try:
        peer = await service.add_peer(ctx, typed["url"], typed["fingerprint"], acts_for_us=typed["acts_for_us"] == "1")
    except ServiceError as exc:
        return await _render(request, ctx, status_code=exc.status, errors=errors_of(exc), form=typed)
    return redirect(_anchor(peer), N_("The neighbour is added and pulled from now on. It can pull from us once "
                                      "its administrator has added us too."))


async def peer_state(request: Request):
    ctx, refused = await _guard(request)
    if refused:
        return refused
    paused = text(form_of(request), "state") == "paused"
    peer = await service.set_state(ctx, request.path_params["origin"], "paused" if paused else "active")
    return redirect(_anchor(peer), N_("The neighbour is paused: it is not pulled and may not pull from us.")
                    if paused else N_("The neighbour is resumed; it catches up from its cursor."))


async def peer_acting(request: Request):
    ctx, refused = await _guard(request)
    if refused:
        return refused
    allowed = text(form_of(request), "acts_for_us") == "1"
    peer = await service.set_acting(ctx, request.path_params["origin"], allowed)
    return redirect(_anchor(peer), N_("This neighbour may now act on our behalf while we are down.") if allowed
                    else N_("This neighbour may no longer act on our behalf."))


async def peer_remove(request: Request):
    """GET asks to confirm (a page of its own: no script needed); POST removes."""
    ctx, refused = await _guard(request)
    if refused:
        return refused
    origin = request.path_params["origin"]
    if request.method == "GET":
        return await render(request, "admin_mirror_remove.html", peer=await service.peer_of(ctx, origin))
    await service.set_state(ctx, origin, "removed")
    return redirect(PAGE, N_("The neighbour is removed: it can pull nothing more and is pulled no more. "
                             "Its copy stays on this server's disk."))


async def peer_sync(request: Request):
    ctx, refused = await _guard(request)
    if refused:
        return refused
    origin = request.path_params["origin"]
    finished = await sync_now(ctx, origin, wait_seconds=ctx.settings.mirror_timeout_seconds + 2)
    peer = await service.peer_of(ctx, origin)
    return redirect(_anchor(peer), N_("The neighbour was pulled: its health below shows the result.") if finished
                    else N_("The neighbour is being pulled right now; look again soon."))


ROUTES = [
    Route(PAGE, peers_page, methods=["GET", "POST"]),
    Route(PAGE + "/{origin}/state", peer_state, methods=["POST"]),
    Route(PAGE + "/{origin}/acting", peer_acting, methods=["POST"]),
    Route(PAGE + "/{origin}/remove", peer_remove, methods=["GET", "POST"]),
    Route(PAGE + "/{origin}/sync", peer_sync, methods=["POST"]),
]
