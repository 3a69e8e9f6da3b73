"""Keeping less (docs/privacy.md, "Keeping less"): the background job `retention` removes what the site no
longer needs, each kind after its documented time.

Local rows (notifications, the sign-in lines of the account log, the mail outbox, sessions, spent links and
codes...) are deleted outright, by `RULES`: each rule names a table and the condition of its rows that go.
Each statement deletes at most `BATCH` rows (`DELETE ... WHERE id IN (SELECT id ... LIMIT n)`, no list of
ids), and a rule repeats until nothing of it is left, yielding between statements: a big town's first round
never holds a long write lock on SQLite.

Safety check-ins are replicated records: they go `checkin_keep_days` after their disaster mode ended (a
check-in of an event still on is kept, however old), each as a journaled tombstone through the services'
usual way (`tombstone`, in batches of `CHECKIN_BATCH` per transaction), so neighbours drop their copies
too. The tombstone keeps only what replication needs: the message, place and position are emptied first,
so the row left here and the tombstone that travels hold none of them. In the same transaction the
check-in's earlier entries in our own journal are emptied of them too (their numbers, versions and the
rest of their state stay, so replaying, serving and restoring still hold), as a neighbour's replica
clears the open payloads of what its writer took back (sns/mirror/replicas.py).

A round logs one line when it removed anything (how many rows per rule). Every round is safe to repeat:
a second one right after the first finds nothing.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from tortoise.expressions import Q, Subquery
from tortoise.models import Model

from sns import tasks
from sns.models import (
    AccountEvent, ActingSession, DisasterEvent, FactorReset, Invitation, JournalEntry, KnownBrowser, Notification,
    OutboxMail, PasswordReset, PfifNote, RateCount, RecoveryCode, SafetyCheckin, Session,
)
from sns.models.alert_notices import AlertNotice
from sns.models.base import utcnow
from sns.models.reminders import Telling
from sns.services.account_log import SIGN_IN_KINDS
from sns.services.base import tombstone, transaction
from sns.settings import Settings

log = logging.getLogger(__name__)

BATCH = 1000  # rows one DELETE statement removes at most
CHECKIN_BATCH = 200  # check-in tombstones written in one transaction (each is a journal entry)
SPENT_KEEP = timedelta(days=30)  # used or expired links and codes: long enough to answer "my link failed"
PENDING_KEEP = timedelta(hours=1)  # a session waiting for its second factor is dead after 10 minutes
RATE_WINDOW_KEEP = 86400  # seconds: rate-limit windows are at most an hour long
CHECKIN_PRIVATE = {"message": "", "place": "", "lat": None, "lon": None}  # what a retired check-in keeps of these


def _days(n: int) -> timedelta:
    return timedelta(days=max(0, n))


@dataclass(frozen=True)
class Rule:
    """What goes from one local table: `name` (in the log), the model, the condition of the rows that go at
    `now` under the settings."""

    name: str
    model: type[Model]
    gone: Callable[[Settings, datetime], Q]


def _spent(now: datetime, used: str, expired: str) -> Q:
    cutoff = now - SPENT_KEEP
    return Q(**{f"{used}__lt": cutoff}) | Q(**{f"{expired}__lt": cutoff})


RULES: tuple[Rule, ...] = (
    Rule("notifications", Notification,
         lambda s, now: Q(created_at__lt=now - _days(s.notification_keep_days))),
    Rule("sign_in_log", AccountEvent,  # other kinds are the record of changes to the account: kept
         lambda s, now: Q(kind__in=SIGN_IN_KINDS, created_at__lt=now - _days(s.sign_in_log_keep_days))),
    Rule("mail_outbox", OutboxMail,  # queued mail is never removed: it still waits to be sent
         lambda s, now: Q(state__in=("sent", "failed"), created_at__lt=now - _days(s.mail_outbox_keep_days))),
    Rule("sessions", Session,  # expired (the cookie no longer works) or never finished signing in
         lambda s, now: Q(created_at__lt=now - _days(s.session_days))
         | Q(stage="password", created_at__lt=now - PENDING_KEEP)),
    Rule("acting_sessions", ActingSession,  # a neighbour's staff acting for their city: over long ago
         lambda s, now: Q(expires_at__lt=now - _days(s.session_days))),
    Rule("password_resets", PasswordReset, lambda s, now: _spent(now, "used_at", "expires_at")),
    Rule("invitations", Invitation, lambda s, now: _spent(now, "used_at", "expires_at")),
    Rule("recovery_codes", RecoveryCode,  # used ones only: the account log keeps that one was used
         lambda s, now: Q(used_at__lt=now - SPENT_KEEP)),
    Rule("factor_resets", FactorReset,  # decided (or never confirmed) asks, after as long as sign-ins
         lambda s, now: Q(state__in=("done", "cancelled"), decided_at__lt=now - _days(s.sign_in_log_keep_days))
         | Q(state="waiting", expires_at__lt=now - _days(s.sign_in_log_keep_days))),
    Rule("known_browsers", KnownBrowser,  # not seen for as long as sign-ins are kept: a new browser again
         lambda s, now: Q(last_seen_at__lt=now - _days(s.sign_in_log_keep_days))),
    Rule("alert_notices", AlertNotice,  # sent, failed or dropped notices of alerts long over
         lambda s, now: Q(state__in=("sent", "failed", "dropped"),
                          created_at__lt=now - _days(s.notification_keep_days))),
    Rule("tellings", Telling,  # reminders and notices told: the key that kept them from being told twice is
         # no longer needed once their occasion is long past (pending ones still wait to be sent)
         lambda s, now: Q(state__in=("sent", "failed", "dropped"), created_at__lt=now - _days(s.telling_keep_days))),
    Rule("rate_counts", RateCount,  # windows every process has long stopped reading
         lambda s, now: Q(window_start__lt=int(now.timestamp()) - RATE_WINDOW_KEEP)),
    Rule("pfif_notes", PfifNote,  # partners' notes past their expiry date (never shown after it: docs/pfif.md)
         lambda s, now: Q(expiry_date__lte=now)),
)


async def remove_in_batches(model: type[Model], gone: Q, batch: int = BATCH) -> int:
    """Delete the rows of `model` matching `gone`, at most `batch` per statement, until none is left;
    how many went. Each statement commits on its own, and other work runs between two."""
    pk = model._meta.pk_attr
    total = 0
    while True:
        chosen = model.filter(gone).order_by(pk).limit(batch).values(pk)
        removed = await model.filter(**{f"{pk}__in": Subquery(chosen)}).delete()
        total += removed
        if removed < batch:
            return total
        await asyncio.sleep(0)


async def retire_checkins(settings: Settings, now: datetime, batch: int = CHECKIN_BATCH) -> int:
    """Tombstone this instance's check-ins of the disasters that ended more than `checkin_keep_days` ago,
    their message, place and position emptied; how many. Journaled, so neighbours drop them too."""
    ended = DisasterEvent.filter(ended_at__isnull=False, ended_at__lt=now - _days(settings.checkin_keep_days))
    total = 0
    while True:
        async with transaction() as tx:
            rows = await SafetyCheckin.filter(origin=settings.origin, deleted_at=None,
                                              event_id__in=Subquery(ended.values("id"))) \
                .order_by("id").limit(batch).using_db(tx)
            for checkin in rows:
                for name, empty in CHECKIN_PRIVATE.items():
                    setattr(checkin, name, empty)
                await tombstone(checkin, tx)
            await _empty_history(tx, settings.origin, [c.id for c in rows])
        total += len(rows)
        if len(rows) < batch:
            return total
        await asyncio.sleep(0)


async def _empty_history(tx: Any, origin: str, checkin_ids: list[str]) -> None:
    """Empty the message, place and position in every journal entry of these check-ins (ours)."""
    if not checkin_ids:
        return
    for entry_id, payload in await JournalEntry.filter(origin=origin, kind="safety_checkin",
                                                       record_id__in=checkin_ids).using_db(tx).values_list(
            "id", "payload"):
        emptied = {**payload, **{k: v for k, v in CHECKIN_PRIVATE.items() if k in payload}}
        if emptied != payload:
            await JournalEntry.filter(id=entry_id).using_db(tx).update(payload=emptied)


async def keep_less(settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """One round: every rule, then the check-ins. How many rows each removed (every rule named)."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    for rule in RULES:
        counts[rule.name] = await remove_in_batches(rule.model, rule.gone(settings, now))
    counts["safety_checkins"] = await retire_checkins(settings, now)
    return counts


async def run_round(settings: Settings, site: Any = None) -> None:
    counts = await keep_less(settings)
    removed = {name: n for name, n in counts.items() if n}
    if removed:
        log.info("retention: removed %s", ", ".join(f"{n} {name}" for name, n in removed.items()))


JOB = tasks.Job("retention", run_round, lambda s: float(s.retention_seconds))  # (sns/areas.py)
