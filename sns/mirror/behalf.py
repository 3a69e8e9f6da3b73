"""Acting on behalf of a fallen neighbour, on the neighbour's side (docs/mirroring.md, "Acting on behalf").

While a city we mirror is down, and only if its own signed batches said that we may act for it, its fire
and disaster staff and administrators sign in here with one of the standby codes their administrator
printed for them before the disaster (only the codes' hashes are here, in the city's replica). What they
post is written into that replica, as the city's own records (its origin, its staff as authors, version 1,
`posted_via` naming us), so it shows at once on /mirror/<city>/ pages and in our alert feeds. Those writes
are journaled in the replica as a stream of their own, numbered under our origin, which the city pulls
when it returns (`GET /mirror/v1/behalf/<city>`) and adopts (sns/mirror/adopt.py).

An acting session is a row of ours (ActingSession) behind its own cookie, scoped to /mirror/<city>/staff:
it is not a session of this site and opens nothing else here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sns import journal
from sns.context import Ctx
from sns.errors import Conflict, Forbidden, Invalid, NotFound, TooMany
from sns.i18n import N_
from sns.journal import Entry
from sns.mirror import peers as peer_rules
from sns.mirror import pull, replicas, sql
from sns.models import ActingSession, Alert, AlertUpdate, Notice, Peer, StandbyCode, User
from sns.models.base import utcnow
from sns.policies import (
    acting_refusal, may_change_alert_acting, may_post_alert_acting, may_post_notice_acting,
)
from sns.security import new_token, token_hash
from sns.services.alerts import alert_fields, check_status_change
from sns.services.base import idempotency_key, require
from sns.services.notices import notice_fields
from sns.services.standby_codes import matching_code

COOKIE = "sns_acting"


def cookie_path(origin: str) -> str:
    return f"/mirror/{origin}/staff"


@dataclass
class Acting:
    """Someone of `origin` acting for it here: their user row (of its replica) and our session."""

    origin: str
    user: User
    session: ActingSession
    replica: Any


async def _city(settings, origin: str) -> tuple[Peer | None, str, Any]:
    """Our peer row for `origin`, its health, and its replica (None when we hold none)."""
    peer = await Peer.get_or_none(origin=origin)
    health = peer_rules.health(peer, settings.mirror_down_after_seconds) if peer else ""
    replica = None
    if peer is not None and await replicas.exists(settings, origin):
        replica = await replicas.open_replica(settings, origin)
    return peer, health, replica


def _refuse(why: str, origin: str, peer: Peer | None = None) -> None:
    city = (peer.name if peer is not None else "") or origin
    if why == "origin_up":
        raise Conflict(N_("%(city)s is up: sign in there."), city=city)
    if why in ("not_a_peer", "not_allowed"):
        raise Forbidden(N_("This site does not act for %(city)s."), city=city)


async def may_sign_in(settings, origin: str) -> None:
    """Nothing, or why nobody may sign in to act for `origin` now (Conflict while it is up)."""
    peer, health, replica = await _city(settings, origin)
    if replica is None:
        _refuse("not_a_peer", origin)
    _refuse(acting_refusal(peer, health, None) or "", origin, peer)


async def sign_in(ctx: Ctx, origin: str, username: Any, code: Any) -> tuple[ActingSession, str]:
    """Check a standby code of `origin`'s staff member `username`; the new session and its cookie token.
    The code is used up at once (in the replica, journaled, so the city learns it too)."""
    name = str(username or "").strip().lower()[:32]
    keys = (f"acting-ip:{ctx.client_ip}", f"acting:{origin}:{name}")
    if any([await ctx.limits.logins.blocked(k) for k in keys]):
        raise TooMany(N_("Too many sign-in attempts. Please wait 15 minutes and try again."))
    peer, health, replica = await _city(ctx.settings, origin)
    if replica is None:
        _refuse("not_a_peer", origin)
    user = await User.filter(username=name, deleted_at=None).using_db(replica).first() if name else None
    why = acting_refusal(peer, health, user)
    _refuse(why or "", origin, peer)
    found = await matching_code(replica, user.id if user is not None and why is None else None, code)
    wrong = Invalid(N_("That username and standby code do not match an unused code of %(city)s."), field="code",
                    city=(peer.name if peer else "") or origin)
    if found is None:
        for k in keys:
            await ctx.limits.logins.hit(k)
        raise wrong
    now = utcnow()
    async with replica._in_transaction() as tx:
        taken = await StandbyCode.filter(id=found.id, used_at=None, deleted_at=None).using_db(tx).update(
            used_at=now, used_on=ctx.settings.origin, version=found.version + 1, updated_at=now)
        if taken != 1:  # the same code, typed twice at once: the first one won
            raise wrong
        entry = await _keep(tx, await StandbyCode.filter(id=found.id).using_db(tx).first(), ctx.settings)
    await ctx.limits.logins.reset(keys[1])
    token = new_token()
    session = await ActingSession.create(
        id=token_hash(token), origin=origin, user_id=user.id, username=user.username, role=user.role,
        code_id=found.id, expires_at=now + timedelta(minutes=ctx.settings.mirror_acting_minutes))
    await _after(ctx, origin, [entry])
    return session, token


async def current(settings, origin: str, token: str | None) -> tuple[Acting | None, str]:
    """The acting session this cookie token holds for `origin`, or None and why ("" / "origin_up"). A
    session ends as soon as the city is up again: from then on its staff post there."""
    if not token:
        return None, ""
    session = await ActingSession.get_or_none(id=token_hash(token), origin=origin, ended_at=None)
    if session is None or session.expires_at < utcnow():
        return None, ""
    peer, health, replica = await _city(settings, origin)
    user = await User.filter(id=session.user_id, deleted_at=None).using_db(replica).first() if replica else None
    why = acting_refusal(peer, health, user) if replica is not None else "not_a_peer"
    if why is not None:
        await ActingSession.filter(id=session.id).update(ended_at=utcnow())
        return None, why
    return Acting(origin, user, session, replica), ""


async def sign_out(settings, origin: str, token: str | None) -> None:
    if token:
        await ActingSession.filter(id=token_hash(token), origin=origin).update(ended_at=utcnow())


# --- writing into the replica ------------------------------------------------------------------

async def _keep(tx: Any, obj: Any, settings) -> Entry:
    """Journal `obj` (saved in the replica) in our stream there, numbered by the replica's cursor (the
    highest held, plus one), as `journal.record` journals our own writes; the entry."""
    entry = journal.entry_of(obj, origin=settings.origin, seq=await replicas.cursor(tx, settings.origin) + 1)
    await journal.append(entry, tx)
    await sql.query(tx, replicas.RECORD_SQL, [obj.id, entry.kind])
    return entry


async def _after(ctx: Ctx, origin: str, entries: list[Entry]) -> None:
    """What a pulled batch sets off (the site's `after_apply` hooks: the city's alerts in our feeds,
    sns/mirror/alerts.py) follows these writes too."""
    await pull.after_apply(ctx.settings, origin, entries, ctx.site.after_apply)


async def _limit(ctx: Ctx, acting: Acting) -> None:
    if not await ctx.limits.posts.hit(f"acting:{acting.origin}:{acting.user.id}"):
        raise TooMany(N_("You are posting very quickly. Please wait a few minutes and try again."))


async def post_alert(ctx: Ctx, acting: Acting, *, client_token: str | None = None, **typed) -> Alert:
    """A new alert of the city, posted here by its staff (the alert form's fields and rules)."""
    require(may_post_alert_acting(acting.user), N_("Only the fire department and the disaster desk post alerts."))
    token = idempotency_key(client_token)
    db, user = acting.replica, acting.user
    if token:
        earlier = await Alert.filter(client_token=token, author_id=user.id).using_db(db).first()
        if earlier is not None:
            return earlier
    fields = await alert_fields(ctx, **typed, conn=db)
    await _limit(ctx, acting)
    marks = dict(origin=acting.origin, posted_via=ctx.settings.origin)
    alert = Alert(**fields, status="outbreak", author_id=user.id, sender=acting.origin, client_token=token, **marks)
    alert.identifier = alert.id
    async with db._in_transaction() as tx:
        await alert.save(using_db=tx, force_create=True)
        step = AlertUpdate(alert_id=alert.id, author_id=user.id, status="outbreak", cap_identifier=alert.id, **marks)
        await step.save(using_db=tx, force_create=True)
        entries = [await _keep(tx, alert, ctx.settings), await _keep(tx, step, ctx.settings)]
    await _after(ctx, acting.origin, entries)
    return alert


async def city_alert(acting: Acting, alert_id: str) -> Alert:
    alert = await Alert.filter(id=alert_id, deleted_at=None, origin=acting.origin).using_db(acting.replica).first()
    if alert is None:
        raise NotFound(N_("This alert does not exist."))
    return alert


async def change_status(ctx: Ctx, acting: Acting, alert_id: str, status: Any, note: Any = "") -> Alert:
    """A status change (or cancellation) of one of the city's alerts: a step of its history, then the
    alert itself (in that order: the city adopts the step before the change it explains)."""
    alert = await city_alert(acting, alert_id)
    require(may_change_alert_acting(acting.user, alert),
            N_("Only the fire department and the disaster desk change alerts."))
    status, note = check_status_change(alert, status, note)
    await _limit(ctx, acting)
    steps = await AlertUpdate.filter(alert_id=alert.id).using_db(acting.replica).count()  # before: writes first
    async with acting.replica._in_transaction() as tx:
        step = AlertUpdate(alert_id=alert.id, author_id=acting.user.id, status=status, note=note,
                           cap_identifier=f"{alert.id}.{steps}", origin=acting.origin, posted_via=ctx.settings.origin)
        await step.save(using_db=tx, force_create=True)
        alert.status, alert.version, alert.updated_at = status, alert.version + 1, utcnow()
        await alert.save(using_db=tx)
        entries = [await _keep(tx, step, ctx.settings), await _keep(tx, alert, ctx.settings)]
    await _after(ctx, acting.origin, entries)
    return alert


async def post_notice(ctx: Ctx, acting: Acting, *, title: Any, body: Any) -> Notice:
    """An official notice of the city, posted here (screened by the city's filter when it adopts it)."""
    require(may_post_notice_acting(acting.user), N_("Only municipal staff can post official notices."))
    title, body = notice_fields(ctx, title, body)
    await _limit(ctx, acting)
    notice = Notice(author_id=acting.user.id, title=title, body=body, origin=acting.origin,
                    posted_via=ctx.settings.origin)
    async with acting.replica._in_transaction() as tx:
        await notice.save(using_db=tx, force_create=True)
        entries = [await _keep(tx, notice, ctx.settings)]
    await _after(ctx, acting.origin, entries)
    return notice


async def city_alerts(acting: Acting) -> list[Alert]:
    """The city's active alerts, newest first (to change their status)."""
    return await Alert.filter(origin=acting.origin, deleted_at=None, status__in=["outbreak", "under_control"]) \
        .using_db(acting.replica).order_by("-sent_at").limit(50)
