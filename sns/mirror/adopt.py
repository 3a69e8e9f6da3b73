"""Adopting what our staff posted on a neighbour's site on our behalf while we were down
(docs/mirroring.md, "Acting on behalf"; the neighbour's side is sns/mirror/behalf.py).

After each pull of an active peer that may act for us, we fetch its stream of what was written there for
us (`GET /mirror/v1/behalf/<us>`, a signed batch checked like any other: sns.mirror.pull.fetch_batch),
from our own cursor for it (`Peer.behalf_cursor`). Every entry is checked again by our own rules against
our own rows: an alert, a step of an alert's history, a notice, or the use of a standby code; a record of
ours; posted through that peer; by one of our users whose role may do it now. What passes is written to
our database as our own record with its version bumped past the neighbour's copy, and journaled, so the
neighbour's replica converges when it pulls us again; the staff action log says where it was posted.
What does not pass is left out and logged (mirror log). Records, journal, log and the cursor move in one
transaction: a restart half-way adopts nothing twice.
"""

from __future__ import annotations

import logging
from typing import Any

from sns import events, journal
from sns.context import Ctx, Limits
from sns.journal import Entry
from sns.mirror.peers import log_refusal
from sns.mirror.pull import PullResult, Refused, Unreachable, fetch_batch
from sns.models import Alert, AlertUpdate, Notice, Peer, StaffActionLog, StandbyCode, User
from sns.policies import (
    may_adopt_from, may_change_alert_acting, may_hold_standby_codes, may_post_alert_acting, may_post_notice_acting,
)
from sns.models.alerts import ACTIVE_STATUSES, ALERT_STATUSES
from sns.services.base import save_change, save_new, transaction
from sns.settings import Settings
from sns.services.moderate import open_flag, screen, tell_moderators
from sns.services import alert_notices
from sns.services.shared import public_changed

log = logging.getLogger(__name__)
KINDS_ADOPTED = ("alert", "alert_update", "notice", "standby_code")


class NotAdopted(Exception):
    """An entry we leave out; the text says why (logged)."""


async def _author(user_id: Any, tx) -> User:
    user = await User.filter(id=str(user_id or ""), deleted_at=None).using_db(tx).first()
    if not may_hold_standby_codes(user):
        raise NotAdopted(f"author {str(user_id)[:36]} is not one of our fire, disaster or admin staff")
    return user


def _new(kind: str, payload: dict[str, Any]) -> Any:
    """Our record as the neighbour wrote it (made from its payload as any entry is applied:
    `journal.row_of`), its version one past the neighbour's copy."""
    obj = journal.row_of(journal.KINDS[kind], payload)
    obj.version = int(payload["version"]) + 1
    return obj


async def _log(tx, actor_id: str, action: str, kind: str, target_id: str, peer: Peer, what: str) -> None:
    await StaffActionLog.create(using_db=tx, actor_id=actor_id, action=action, target_kind=kind, target_id=target_id,
                                detail=f"posted at {peer.origin} on our behalf: {what}"[:2000])


async def _adopt_alert(p: dict[str, Any], peer: Peer, tx, done: list) -> None:
    current = await Alert.filter(id=p["id"]).using_db(tx).first()
    if current is None:  # posted there
        author = await _author(p.get("author_id"), tx)
        if not may_post_alert_acting(author) or p.get("source") or p.get("sender") != p.get("origin") \
                or p.get("identifier") != p["id"] or p.get("status") != "outbreak":
            raise NotAdopted("not an alert our staff may post")
        alert = await save_new(_new("alert", p), tx)
        await _log(tx, author.id, "behalf.alert.post", "alert", alert.id, peer, f"{alert.kind}: {alert.title}")
        return
    # its status changed there: the step explaining it came first (and was adopted); nothing else changes
    if p.get("status") not in ALERT_STATUSES or p.get("status") == current.status:
        return
    step = await AlertUpdate.filter(alert_id=current.id, status=p["status"], posted_via=peer.origin) \
        .using_db(tx).first()
    if step is None or current.status not in ACTIVE_STATUSES:
        raise NotAdopted(f"status {str(p.get('status'))[:20]} of alert {current.id} without a step we took")
    current.status = p["status"]
    current.version = max(current.version, int(p["version"]))  # save_change bumps it past both
    await save_change(current, tx)


async def _adopt_step(p: dict[str, Any], peer: Peer, tx, done: list) -> None:
    if await AlertUpdate.filter(id=p["id"]).using_db(tx).exists():
        return
    alert = await Alert.filter(id=str(p.get("alert_id") or "")).using_db(tx).first()
    author = await _author(p.get("author_id"), tx)
    if alert is None or not may_change_alert_acting(author, alert) or p.get("status") not in ALERT_STATUSES:
        raise NotAdopted("a step of an alert our staff may not change")
    step = await save_new(_new("alert_update", p), tx)
    done.append(step)
    if step.status != "outbreak":
        await _log(tx, author.id, "behalf.alert.status", "alert", alert.id, peer, f"{step.status}: {step.note}")


async def _adopt_notice(p: dict[str, Any], peer: Peer, tx, settings: Settings, flags: list) -> None:
    if await Notice.filter(id=p["id"]).using_db(tx).exists():
        return
    author = await _author(p.get("author_id"), tx)
    if not may_post_notice_acting(author):
        raise NotAdopted("not a notice our staff may post")
    notice = await save_new(_new("notice", p), tx)

    ctx = Ctx(settings, Limits.unlimited())
    screening = await screen(ctx, notice.title, notice.body, may_hold=False, counts=False)
    flags.append(await open_flag(screening, "notice", notice.id, author.id, tx))
    await _log(tx, author.id, "behalf.notice.post", "notice", notice.id, peer, notice.title)


async def _adopt_code_use(p: dict[str, Any], peer: Peer, tx) -> None:
    code = await StandbyCode.filter(id=p["id"]).using_db(tx).first()
    if code is None or code.user_id != p.get("user_id") or code.code_hash != p.get("code_hash") \
            or not p.get("used_at") or p.get("used_on") != peer.origin:
        raise NotAdopted("not the use of one of our standby codes")
    if code.used_at is not None:
        return
    code.used_at, code.used_on = journal.values_of(StandbyCode, {"used_at": p["used_at"]})["used_at"], peer.origin
    code.version = max(code.version, int(p["version"]))
    await save_change(code, tx)
    await _log(tx, code.user_id, "behalf.sign_in", "standby_code", code.id, peer, "a standby code was used")


async def _adopt(entry: Entry, peer: Peer, settings: Settings, tx, done: list, flags: list) -> None:
    kind, p = entry.kind, entry.payload
    if kind not in KINDS_ADOPTED or not p:
        raise NotAdopted(f"a {str(kind)[:32]!r} entry is never posted on our behalf")
    if kind not in ("standby_code",) and p.get("posted_via") != peer.origin:
        raise NotAdopted(f"marked as posted via {str(p.get('posted_via'))[:80]!r}")
    if kind == "alert":
        await _adopt_alert(p, peer, tx, done)
    elif kind == "alert_update":
        await _adopt_step(p, peer, tx, done)
    elif kind == "notice":
        await _adopt_notice(p, peer, tx, settings, flags)
    else:
        await _adopt_code_use(p, peer, tx)


async def adopt_from(settings: Settings, peer: Peer, site) -> int:
    """Adopt what `peer` holds for us beyond our cursor; the number of entries gone through. (`site`: the
    site's parts, sns/areas.py, for the moderators' notices of what was held.)"""
    if not may_adopt_from(peer):
        return 0
    gone = 0
    while True:
        after = (await Peer.get(id=peer.id)).behalf_cursor
        try:
            batch = await fetch_batch(settings, url=peer.url, peer_origin=peer.origin, public_key=peer.public_key,
                                      stream=settings.origin, after=after, limit=settings.mirror_batch_entries,
                                      route="behalf")
        except Refused as exc:
            await log_refusal(peer.origin, "out", exc.what, f"behalf: {exc.detail}")
            return gone
        except Unreachable:
            return gone
        if not batch.entries:
            return gone
        done: list[AlertUpdate] = []
        flags: list = []
        refused: list[str] = []
        async with transaction() as tx:
            moved = await Peer.filter(id=peer.id, behalf_cursor=after).using_db(tx) \
                .update(behalf_cursor=batch.entries[-1].seq)
            if moved != 1:
                return gone  # another worker adopted this batch meanwhile
            for entry in batch.entries:
                try:
                    await _adopt(entry, peer, settings, tx, done, flags)
                except NotAdopted as exc:
                    refused.append(f"entry {entry.seq}: {exc}")
        gone += len(batch.entries)
        for text in refused:
            await log_refusal(peer.origin, "in", "behalf_refused", text)
        await _published(settings, site, done, flags)
        if batch.entries[-1].seq >= batch.head:
            return gone


async def _published(settings: Settings, site, steps: list[AlertUpdate], flags: list) -> None:
    """After commit: what readers see is fresh, open pages hear of new alerts, residents are told."""
    public_changed()
    for step in steps:  # as sns.services.alerts publishes a step posted here
        alert = await Alert.get(id=step.alert_id)
        await events.publish("alert", {"id": alert.id, "status": alert.status, "update": step.id})
    if steps:
        alert_notices.notify_soon()
    for flag in flags:
        await tell_moderators(Ctx(settings, Limits.unlimited(), site=site), flag)


async def after_round(settings: Settings, peer: Peer, result: PullResult, site) -> None:
    """After each pull round of a peer (a hook the mirror area hands over, sns/areas.py)."""
    if not result.error:  # it answered: ask it for what it holds for us too
        await adopt_from(settings, await Peer.get(id=peer.id), site)
