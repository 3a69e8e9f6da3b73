"""The administrators' audit log: one list of every staff action on people and settings (docs/privacy.md, "What
administrators see"), over `StaffActionLog`, which alerts, disaster mode and acting on behalf already write.

`record` adds an entry in the transaction of the change it tells of. An entry says who did what to whom and
when, with a short detail (a role's name, a reason typed by an administrator); never a second factor's
secret, nor anything of a private post or message. `entries` reads a page of the log for the audit page."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q

from sns.context import Ctx
from sns.i18n import N_
from sns.models import StaffActionLog, User
from sns.policies.audit import can_read_audit_log
from sns.services.base import require

PER_PAGE = 50
# the kinds of action (the part of `action` before its first dot) -> what an administrator reads
KINDS: dict[str, str] = {
    "user": N_("Accounts: roles, suspensions, approvals"),
    "factor_reset": N_("Second-factor resets"),
    "site": N_("Site settings and districts"),
    "words": N_("Word list"),
    "alert": N_("Alerts"),
    "disaster": N_("Disaster mode"),
    "behalf": N_("Acting on behalf"),
    "counter": N_("Counters and closed days"),
    "fediverse": N_("The fediverse: followers and blocked servers"),
    "partner": N_("Partners' Open311 keys"),
}
ACTIONS: dict[str, str] = {
    "user.role": N_("Changed a role"),
    "user.suspend": N_("Suspended an account"),
    "user.reinstate": N_("Reinstated an account"),
    "user.approve": N_("Approved an account"),
    "factor_reset.ask": N_("Asked for a second-factor reset"),
    "factor_reset.confirm": N_("Confirmed a second-factor reset"),
    "factor_reset.cancel": N_("Cancelled a second-factor reset"),
    "site.settings": N_("Changed the site settings"),
    "site.districts": N_("Changed the districts"),
    "words.change": N_("Changed the word list"),
    "alert.post": N_("Posted an alert"),
    "alert.status": N_("Changed an alert's status"),
    "alert.correct": N_("Corrected an alert"),
    "disaster.start": N_("Switched disaster mode on"),
    "disaster.end": N_("Switched disaster mode off"),
    "disaster.drill_start": N_("Started a disaster drill"),
    "disaster.drill_end": N_("Ended a disaster drill"),
    "behalf.sign_in": N_("Signed in on a neighbour's site to act for the city"),
    "behalf.alert.post": N_("Posted an alert on the city's behalf"),
    "behalf.alert.status": N_("Changed an alert's status on the city's behalf"),
    "behalf.notice.post": N_("Posted a notice on the city's behalf"),
    "counter.add": N_("Added a counter"),
    "counter.change": N_("Changed a counter"),
    "counter.closed_day": N_("Added or removed a closed day"),
    "counter.holidays": N_("Imported the city's holidays"),
    "fediverse.remove": N_("Removed a server's followers"),
    "fediverse.block": N_("Blocked a fediverse server"),
    "fediverse.unblock": N_("Unblocked a fediverse server"),
    "partner.issue": N_("Issued an Open311 key to a partner"),
    "partner.revoke": N_("Revoked a partner's Open311 key"),
}


async def record(conn, ctx: Ctx, action: str, target_kind: str, target_id: str = "",
                 detail: str = "") -> StaffActionLog:
    """One entry: `ctx`'s user did `action` ("user.role") to `target_kind` `target_id`; `conn`: the
    transaction of the change (None: on its own)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    return await StaffActionLog.create(using_db=conn, actor_id=ctx.user.id if ctx.user else None, action=action,
                                       target_kind=target_kind[:32], target_id=(target_id or "")[:36],
                                       detail=(detail or "")[:2000])


@dataclass
class Entry:
    row: StaffActionLog
    actor: User | None
    person: User | None  # the account acted on, when the target is one

    @property
    def label(self) -> str:
        return ACTIONS.get(self.row.action, self.row.action)


async def entries(ctx: Ctx, kind: str = "", person: str = "", page: int = 1) -> tuple[list[Entry], bool]:
    """A page of the log, newest first, of one kind of action and/or about one person (by username: what
    they did or what was done to them); and whether there is a next page."""
    require(can_read_audit_log(ctx.viewer))
    query = StaffActionLog.all()
    if kind in KINDS:
        query = query.filter(action__startswith=f"{kind}.")
    if person:
        user = await User.get_or_none(username=person.strip().lower()[:32])
        if user is None:
            return [], False
        query = query.filter(Q(actor_id=user.id) | Q(target_id=user.id))
    page = max(1, min(page, 10_000))
    rows = await query.order_by("-created_at", "-id").offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)
    more, rows = len(rows) > PER_PAGE, rows[:PER_PAGE]
    ids = {r.actor_id for r in rows if r.actor_id} | {r.target_id for r in rows if r.target_id}
    people = {u.id: u for u in await User.filter(id__in=list(ids))} if ids else {}
    return [Entry(r, people.get(r.actor_id), people.get(r.target_id)) for r in rows], more
