"""My sessions (Settings, Sessions): the browsers and apps signed in to my account, and signing any one of them,
or all but this one, out.

A session is named on the page and in forms by an opaque handle (a hash of its id), never by its id: the id
is the cookie's secret. Where a session signed in from is shown only roughly (203.0.113.x, an IPv6 /48) and
its browser as the User-Agent's family and system (ua-parser). `seen` keeps `Session.last_seen_at` roughly
true from the signed-in read path at the cost of one conditional UPDATE every few minutes per session."""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from ua_parser import parse as parse_user_agent

from sns.context import Ctx
from sns.errors import NotFound
from sns.i18n import N_, gettext
from sns.models import ApiToken, Session
from sns.models.base import utcnow
from sns.policies import is_signed_in
from sns.services import account_log
from sns.services.base import require, transaction

SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is at most this much behind
MAX_LISTED = 100


def handle_of(session_id: str) -> str:
    """What names a session on the page: a hash of its id, which says nothing of the id itself."""
    return hashlib.sha256(f"session-handle:{session_id}".encode()).hexdigest()[:32]


def short_address(ip: str) -> str:
    """Roughly where from: an IPv4 address without its last part ("203.0.113.x"), an IPv6 address as its /48."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return ""
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.version == 4:
        return ".".join(str(address).split(".")[:3]) + ".x"
    return str(ipaddress.ip_network(f"{address}/48", strict=False))


@lru_cache(maxsize=1024)
def browser_name(user_agent: str) -> str:
    """Which browser and system, as a person says it ("Firefox 121, Windows 10"); "" when unknown."""
    if not user_agent:
        return ""
    result = parse_user_agent(user_agent[:500])
    parts = []
    if result.user_agent is not None and result.user_agent.family != "Other":
        parts.append(" ".join(p for p in (result.user_agent.family, result.user_agent.major) if p))
    if result.os is not None and result.os.family != "Other":
        parts.append(" ".join(p for p in (result.os.family, result.os.major) if p))
    return ", ".join(parts)


def browser_or_unknown(user_agent: str) -> str:
    return browser_name(user_agent) or gettext(N_("An unknown browser or app"))


@dataclass
class MySession:
    handle: str
    created_at: datetime
    last_seen_at: datetime
    where: str
    browser: str
    how: str
    current: bool


async def my_sessions(ctx: Ctx, current_id: str | None) -> list[MySession]:
    """My signed-in sessions, newest first, this browser's marked (a session waiting for its second factor
    signs nobody in and is not listed)."""
    require(is_signed_in(ctx.viewer))
    rows = await Session.filter(user_id=ctx.user.id, stage="signed_in").order_by("-created_at").limit(MAX_LISTED)
    return [MySession(handle_of(s.id), s.created_at, s.last_seen_at, short_address(s.ip), browser_name(s.user_agent),
                      s.how, s.id == current_id) for s in rows]


async def my_tokens(ctx: Ctx) -> list[ApiToken]:
    require(is_signed_in(ctx.viewer))
    return await ApiToken.filter(user_id=ctx.user.id).order_by("-created_at")


async def end_one(ctx: Ctx, handle: str, current_id: str | None, user_agent: str = "") -> None:
    """Sign out my session named `handle` (not this browser's: that is signing out). Another person's
    session, or none, is not found."""
    require(is_signed_in(ctx.viewer))
    async with transaction() as tx:
        for session in await Session.filter(user_id=ctx.user.id).using_db(tx):
            if session.id != current_id and handle_of(session.id) == (handle or "").strip():
                await Session.filter(id=session.id, user_id=ctx.user.id).using_db(tx).delete()
                await account_log.record(ctx.user.id, "session_ended", ip=ctx.client_ip, user_agent=user_agent,
                                         detail=browser_name(session.user_agent), conn=tx)
                return
    raise NotFound(N_("That session is already signed out."))


async def end_others(ctx: Ctx, current_id: str | None, user_agent: str = "") -> int:
    """Sign out every session of mine but this browser's; how many there were."""
    require(is_signed_in(ctx.viewer))
    async with transaction() as tx:
        ended = await Session.filter(user_id=ctx.user.id).exclude(id=current_id or "").using_db(tx).delete()
        if ended:
            await account_log.record(ctx.user.id, "sessions_ended", ip=ctx.client_ip, user_agent=user_agent,
                                     detail=str(ended), conn=tx)
    return ended


async def seen(session: Session) -> None:
    """Called with every signed-in request's session: moves `last_seen_at` on when it is more than
    `SEEN_EVERY` behind, with one conditional UPDATE (two requests at once write it once)."""
    now = utcnow()
    last = session.last_seen_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)
    if last is not None and now - last < SEEN_EVERY:
        return
    await Session.filter(id=session.id, last_seen_at__lt=now - SEEN_EVERY).update(last_seen_at=now)
