"""What administrators see and do about the city on the fediverse (/admin/fediverse): the servers whose
people follow the city or residents, the servers blocked, the inbox posts refused lately, and the delivery
queue per server; removing a server's followers, blocking a server (its followers go too, and its posts are
refused) and unblocking it. Every change is in the staff action log (sns/services/audit.py)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from tortoise.functions import Count, Min
from tortoise.transactions import in_transaction

from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.fediverse.addresses import CITY
from sns.i18n import N_
from sns.models import BlockedServer, Delivery, Follower, InboxRefusal
from sns.policies.fediverse_admin import can_manage_fediverse
from sns.services import audit
from sns.services.base import clean_text, require

REASON_CHARS = 300
SERVERS_SHOWN = 500  # the servers with the most followers; the page says how many more there are
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")
ONLY_ADMINS = N_("Only administrators manage the city on the fediverse.")


@dataclass
class Server:
    """One server and its people who follow our actors."""

    host: str
    city: int = 0  # its actors following the city
    residents: int = 0  # its actors following residents (one per follow)
    since: datetime | None = None  # the oldest follow
    blocked: bool = False


@dataclass
class QueueLine:
    host: str
    pending: int = 0
    failed: int = 0
    last_error: str = ""


@dataclass
class Overview:
    servers: list[Server] = field(default_factory=list)
    blocked: list[BlockedServer] = field(default_factory=list)
    refusals: list[InboxRefusal] = field(default_factory=list)
    queue: list[QueueLine] = field(default_factory=list)
    more_servers: int = 0


def check_host(value: Any) -> str:
    """A server's host name as typed (a web address or a handle's part is fine): lower case, in its
    xn-- form, without a port."""
    raw = clean_text(value, field="host", max_chars=300, single_line=True).lower()
    if "://" in raw:
        try:
            raw = urlsplit(raw).hostname or ""
        except ValueError:
            raw = ""
    raw = raw.rsplit("@", 1)[-1].strip().rstrip(".").split("/")[0].split(":")[0]
    try:
        host = raw.encode("idna").decode("ascii") if raw and not raw.isascii() else raw
    except UnicodeError:
        host = ""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    if not host or len(host) > 253 or not _HOST.match(host):
        raise Invalid(N_("Type a server's name, such as mastodon.example (or its web address)."), field="host")
    return host


def check_reason(value: Any) -> str:
    return clean_text(value, field="reason", max_chars=REASON_CHARS, required=False, single_line=True)


async def overview(ctx: Ctx, refusals: int = 30) -> Overview:
    require(can_manage_fediverse(ctx.viewer), ONLY_ADMINS)
    found = Overview(blocked=await BlockedServer.all().order_by("host"),
                     refusals=await InboxRefusal.all().order_by("-received_at", "-id").limit(refusals))
    blocked = {b.host for b in found.blocked}
    servers: dict[str, Server] = {}
    for of_city in (True, False):
        query = Follower.filter(actor=CITY) if of_city else Follower.exclude(actor=CITY)
        for row in await query.annotate(n=Count("id"), since=Min("created_at")).group_by("host") \
                .values("host", "n", "since"):
            server = servers.setdefault(row["host"], Server(row["host"], blocked=row["host"] in blocked))
            if of_city:
                server.city = row["n"]
            else:
                server.residents = row["n"]
            since = row["since"]
            if isinstance(since, str):  # SQLite hands an aggregate's datetime back as text
                since = datetime.fromisoformat(since)
            if since is not None and since.tzinfo is None:
                since = since.replace(tzinfo=timezone.utc)
            server.since = since if server.since is None or since < server.since else server.since
    found.servers = sorted(servers.values(), key=lambda s: (-(s.city + s.residents), s.host))[:SERVERS_SHOWN]
    found.more_servers = max(0, len(servers) - SERVERS_SHOWN)
    lines: dict[str, QueueLine] = {}
    for row in await Delivery.filter(state__in=("pending", "failed")).annotate(n=Count("id")) \
            .group_by("host", "state").values("host", "state", "n"):
        line = lines.setdefault(row["host"], QueueLine(row["host"]))
        setattr(line, row["state"], row["n"])
    for host, error in await Delivery.filter(host__in=list(lines), last_error__not="").order_by("-next_try_at") \
            .limit(500).values_list("host", "last_error"):
        if not lines[host].last_error:
            lines[host].last_error = error
    found.queue = sorted(lines.values(), key=lambda q: (-(q.pending + q.failed), q.host))
    return found


async def _drop_server(conn, host: str) -> tuple[int, int]:
    """Its followers and what was waiting to go to it: (followers removed, deliveries dropped)."""
    followers = await Follower.filter(host=host).using_db(conn).delete()
    dropped = await Delivery.filter(host=host, state="pending").using_db(conn).delete()
    return followers, dropped


async def remove_server(ctx: Ctx, host: Any, *, block: bool = False, reason: Any = "") -> int:
    """Remove a server's followers (and, with `block`, refuse it from now on); returns followers removed."""
    require(can_manage_fediverse(ctx.viewer), ONLY_ADMINS)
    host, reason = check_host(host), check_reason(reason)
    if block:
        return await block_server(ctx, host, reason)
    async with in_transaction() as conn:
        if not await Follower.filter(host=host).using_db(conn).exists():
            raise NotFound(N_("Nobody on this server follows the city or its residents."))
        removed, dropped = await _drop_server(conn, host)
        await audit.record(conn, ctx, "fediverse.remove", "server", "", f"{host}: {removed} followers removed")
    return removed


async def block_server(ctx: Ctx, host: Any, reason: Any = "") -> int:
    """Block a server (again: its reason is replaced): its followers go, nothing more is delivered to it, its
    posts to our inboxes are refused. Returns how many followers were removed."""
    require(can_manage_fediverse(ctx.viewer), ONLY_ADMINS)
    host, reason = check_host(host), check_reason(reason)
    async with in_transaction() as conn:
        if not await BlockedServer.filter(host=host).using_db(conn).update(reason=reason):
            await BlockedServer.create(host=host, reason=reason, blocked_by_id=ctx.user.id, using_db=conn)
        removed, dropped = await _drop_server(conn, host)
        await audit.record(conn, ctx, "fediverse.block", "server", "",
                           f"{host}: {removed} followers removed" + (f"; {reason}" if reason else ""))
    return removed


async def unblock_server(ctx: Ctx, host: Any) -> None:
    require(can_manage_fediverse(ctx.viewer), ONLY_ADMINS)
    host = check_host(host)
    async with in_transaction() as conn:
        if not await BlockedServer.filter(host=host).using_db(conn).delete():
            raise NotFound(N_("This server is not blocked."))
        await audit.record(conn, ctx, "fediverse.unblock", "server", "", host)
