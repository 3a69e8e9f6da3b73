"""Peers: the neighbouring cities this instance mirrors and is mirrored by (docs/mirroring.md, "Peering").

Peering is mutual and confirmed by people: each administrator adds the other by URL together with the
fingerprint the other read out (`sns mirror fingerprint`). We fetch the neighbour's hello and refuse it
unless its key has exactly that fingerprint, so a wrong URL or a machine in the middle is caught before
anything travels. Peers are local records (never journaled): each city decides its own.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import httpx

from sns import tasks
from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.i18n import N_
from sns.mirror import signing
from sns.models import MirrorLog, Peer
from sns.models.base import utcnow
from sns.policies import can_manage_peers, can_read_peers
from sns.services.base import require
from sns.services.cap_sources import check_url

HELLO_MAX_BYTES = 64 * 1024
LOG_KEEP = 1000


async def fetch_hello(url: str, timeout: float) -> dict[str, Any]:
    """The neighbour's hello, or Invalid with a message the administrator can act on."""
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            async with client.stream("GET", url.rstrip("/") + "/mirror/v1/hello") as answer:
                body = b""
                async for chunk in answer.aiter_bytes():
                    body += chunk
                    if len(body) > HELLO_MAX_BYTES:
                        raise Invalid(N_("That address does not answer like a local SNS instance."), field="url")
                status = answer.status_code
    except httpx.HTTPError:
        raise Invalid(N_("Could not reach that address. Check it, and that the neighbour is running."),
                      field="url") from None
    try:
        hello = json.loads(body) if status == 200 else None
    except ValueError:
        hello = None
    if not isinstance(hello, dict) or hello.get("protocol") != signing.PROTOCOL \
            or not all(isinstance(hello.get(k), str) and hello.get(k) for k in ("origin", "public_key")):
        raise Invalid(N_("That address does not answer like a local SNS instance."), field="url")
    try:
        public = signing.unb64(hello["public_key"])
    except ValueError:
        public = b""
    if len(public) != 32 or len(hello["origin"]) > 255:
        raise Invalid(N_("That address does not answer like a local SNS instance."), field="url")
    hello["fingerprint"] = signing.fingerprint_of(public)  # computed here, never taken from the answer
    return hello


def _allowed(ctx: Ctx, operator: bool) -> None:
    require(operator or can_manage_peers(ctx.viewer))


async def add_peer(ctx: Ctx, url: Any, fingerprint: Any, *, acts_for_us: bool = True,
                   operator: bool = False) -> Peer:
    """Add (or re-add) the neighbour at `url` if its key has the `fingerprint` its administrator gave."""
    _allowed(ctx, operator)
    url = check_url(url).rstrip("/")
    fingerprint = str(fingerprint or "").strip()
    if not fingerprint:
        raise Invalid(N_("Type the fingerprint the neighbour's administrator read to you."), field="fingerprint")
    hello = await fetch_hello(url, ctx.settings.mirror_timeout_seconds)
    if not signing.same_fingerprint(hello["fingerprint"], fingerprint):
        raise Invalid(N_("The instance at that address has another fingerprint (%(found)s). Do not add it "
                         "until its administrator confirms the fingerprint with you."),
                      field="fingerprint", found=hello["fingerprint"])
    if hello["origin"] == ctx.settings.origin:
        raise Invalid(N_("That address answers as %(origin)s, the same name as this instance: each city needs its "
                         "own origin (the `origin` setting, set by sns init --origin)."), field="url",
                      origin=hello["origin"])
    values = dict(url=url, name=str(hello.get("name") or "")[:200], fingerprint=hello["fingerprint"],
                  public_key=hello["public_key"], backup_key=str(hello.get("backup_key") or "")[:64],
                  state="active", changed_at=utcnow(), failures=0, last_error="", acts_for_us=bool(acts_for_us))
    peer = await Peer.get_or_none(origin=hello["origin"])
    if peer is None:
        peer = await Peer.create(origin=hello["origin"], **values)
    else:
        await Peer.filter(id=peer.id).update(**values)
        peer = await Peer.get(id=peer.id)
    tasks.nudge("mirror_pull")  # the running site starts pulling a new neighbour at once
    return peer


async def _peer(origin: str) -> Peer:
    peer = await Peer.get_or_none(origin=origin)
    if peer is None or peer.state == "removed":
        raise NotFound(N_("There is no such peer."))
    return peer


async def set_state(ctx: Ctx, origin: str, state: str, *, operator: bool = False) -> Peer:
    """Pause, resume or remove a peer. A removed peer can pull nothing and is pulled no more; its replica
    stays (the city may still need it) until `sns mirror drop-replica` deletes it."""
    _allowed(ctx, operator)
    if state not in ("active", "paused", "removed"):
        raise Invalid(N_("You are not allowed to do that."))
    peer = await _peer(origin)
    await Peer.filter(id=peer.id).update(state=state, changed_at=utcnow())
    if state == "active":
        tasks.nudge("mirror_pull")  # a resumed peer catches up from its cursor at once
    return await Peer.get(id=peer.id)


async def set_acting(ctx: Ctx, origin: str, allowed: bool, *, operator: bool = False) -> Peer:
    """Whether this neighbour's staff may post alerts and notices for us while we are down."""
    _allowed(ctx, operator)
    peer = await _peer(origin)
    await Peer.filter(id=peer.id).update(acts_for_us=bool(allowed), changed_at=utcnow())
    return await Peer.get(id=peer.id)


async def peer_to_pull(ctx: Ctx, origin: str) -> Peer:
    """An active peer this staff member may have pulled now (sns/mirror/sync_now.py pulls it)."""
    _allowed(ctx, False)
    peer = await _peer(origin)
    if peer.state != "active":
        raise Invalid(N_("A paused peer is not pulled. Resume it first."))
    return peer


async def peer_of(ctx: Ctx, origin: str) -> Peer:
    """A peer that is not removed, for someone who may read the peers."""
    require(can_read_peers(ctx.viewer))
    return await _peer(origin)


async def active_peer(origin: str) -> tuple[Peer | None, str]:
    """The peer that may talk to us now, or None and the word for why not."""
    if not origin:
        return None, "unknown_peer"
    peer = await Peer.get_or_none(origin=origin)
    if peer is None:
        return None, "unknown_peer"
    if peer.state != "active":
        return None, f"{peer.state}_peer"
    return peer, ""


async def log_refusal(peer: str, direction: str, what: str, detail: str = "") -> None:
    await MirrorLog.create(peer=(peer or "")[:255], direction=direction, what=what[:32], detail=detail[:500])
    newest = await MirrorLog.all().order_by("-id").offset(LOG_KEEP).first()
    if newest is not None:
        await MirrorLog.filter(id__lte=newest.id).delete()


def health(peer: Peer, down_after_seconds: int, now: datetime | None = None) -> str:
    """ok / behind / down / paused / never: what the status page and `sns mirror status` show."""
    if peer.state == "paused":
        return "paused"
    if peer.last_ok_at is None:
        return "never" if peer.failures == 0 else "down"
    now = now or utcnow()
    if now - peer.last_ok_at > timedelta(seconds=down_after_seconds):
        return "down"
    return "ok" if peer.failures == 0 else "behind"
