"""Telling residents of alerts: the background job `alert_notices` (its round and `JOB`: alert_sending.py).

Each round reads the alert history steps (AlertUpdate rows: postings and status changes, whether
posted here, imported from a CAP source or mirrored) that it has not handled yet, newer than a stored
watermark; decides for each what it is and whom it concerns; writes one outbox row (AlertNotice) per
(step, resident, channel) under a unique constraint; then sends what is due (sns/services/
alert_sending.py). A repeated round, or two at once, never writes or sends a notice twice.

- A posting (an alert's first step) is told to every local resident whose choice it matches
  (sns/services/alert_matching.py), if the alert is still active.
- A status change (under control, extinguished, cancelled) is told to those who got the posting,
  on the channels they still have.
- A correction of the text (same status) is not told: the alert page shows it.

The watermark (`since`, in site_settings) starts an hour before the first round, so a database full
of old alerts does not mail its history; it then follows a day behind, so a step that reaches this
instance late (a mirror catching up, a slow CAP source) is still told within a day, and no later.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tortoise.expressions import Subquery

from sns import tasks
from sns.models import Alert, AlertUpdate, SiteSetting
from sns.models.alert_notices import AlertNotice, AlertNoticeStep, AlertSubscription, PushSubscription
from sns.models.base import utcnow
from sns.services.alert_matching import concerns
from sns.services.base import transaction
from sns.settings import Settings

log = logging.getLogger(__name__)

WATERMARK_KEY = "alert_notices.since"
FIRST_LOOKBACK = timedelta(hours=1)
LOOKBACK = timedelta(days=1)
STEPS_PER_ROUND = 200
ACTIVE = ("outbreak", "under_control")


async def watermark() -> datetime:
    row = await SiteSetting.get_or_none(key=WATERMARK_KEY)
    if row is None:
        start = (utcnow() - FIRST_LOOKBACK).isoformat()
        row, _ = await SiteSetting.get_or_create(key=WATERMARK_KEY, defaults={"value": {"since": start}})
    return datetime.fromisoformat(row.value["since"])


async def _advance(since: datetime) -> None:
    later = utcnow() - LOOKBACK
    if later > since:
        await SiteSetting.filter(key=WATERMARK_KEY).update(value={"since": later.isoformat()})
        await AlertNoticeStep.filter(step_created_at__lt=later).delete()


async def _what(step: AlertUpdate, alert: Alert | None) -> str:
    if alert is None or alert.deleted_at is not None or step.deleted_at is not None:
        return "quiet"
    earlier = await AlertUpdate.filter(alert_id=alert.id, deleted_at=None).order_by("created_at", "id") \
        .values_list("id", "status")
    ids = [i for i, _ in earlier]
    if not ids or ids[0] == step.id:
        return "posting" if alert.status in ACTIVE or step.status in ACTIVE else "quiet"
    position = ids.index(step.id) if step.id in ids else len(ids)
    before = earlier[position - 1][1]
    return "change" if step.status != before else "quiet"


async def _push_targets() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for sub_id, user_id in await PushSubscription.all().order_by("created_at", "id").values_list("id", "user_id"):
        found.setdefault(user_id, []).append(f"push:{sub_id}")
    return found


def _targets(subscription: AlertSubscription, pushes: list[str], email: str) -> list[str]:
    return (["email"] if subscription.email and email else []) + (pushes if subscription.push else [])


async def _choices(settings: Settings) -> list[tuple[AlertSubscription, str | None, str]]:
    """Every choice of this instance's active residents, with their district and e-mail (one query:
    no list of ids, which would outgrow a database's limit on parameters in a big town)."""
    rows = await AlertSubscription.filter(user__state="active", user__deleted_at=None, user__origin=settings.origin) \
        .values("id", "user_id", "by_district", "home_lat", "home_lon", "radius_km", "email", "push", "drills",
                "user__district_id", "user__email")
    return [(AlertSubscription(**{k: v for k, v in r.items() if not k.startswith("user__")}),
             r["user__district_id"], r["user__email"] or "") for r in rows]


async def _posting_recipients(alert: Alert, settings: Settings) -> list[tuple[str, str]]:
    chosen = [(s, email) for s, district, email in await _choices(settings) if concerns(alert, s, district)]
    pushes = await _push_targets() if any(s.push for s, _ in chosen) else {}
    return [(s.user_id, t) for s, email in chosen for t in _targets(s, pushes.get(s.user_id, []), email)]


async def _change_recipients(alert: Alert, settings: Settings) -> list[tuple[str, str]]:
    first = await AlertUpdate.filter(alert_id=alert.id).order_by("created_at", "id").first()
    told = await AlertNotice.filter(step_id=first.id).exclude(state="dropped").values_list("user_id", "target")
    if not told:
        return []
    choices = {s.user_id: (s, email) for s, _, email in await _choices(settings)}
    pushes = await _push_targets()
    return [(user_id, target) for user_id, target in told if user_id in choices
            and target in _targets(choices[user_id][0], pushes.get(user_id, []), choices[user_id][1])]


async def handle_step(step: AlertUpdate, settings: Settings) -> int:
    """Write the outbox rows for one step and mark it handled; returns how many rows were new."""
    alert = await Alert.get_or_none(id=step.alert_id)
    what = await _what(step, alert)
    recipients: list[tuple[str, str]] = []
    if what == "posting":
        recipients = await _posting_recipients(alert, settings)
    elif what == "change":
        recipients = await _change_recipients(alert, settings)
    rows = [AlertNotice(step_id=step.id, alert_id=step.alert_id, user_id=user_id, target=target,
                        channel=target.split(":", 1)[0]) for user_id, target in recipients]
    async with transaction() as tx:
        before = await AlertNotice.filter(step_id=step.id).using_db(tx).count()
        if rows:
            await AlertNotice.bulk_create(rows, ignore_conflicts=True, using_db=tx)
        await AlertNoticeStep.bulk_create([AlertNoticeStep(step_id=step.id, alert_id=step.alert_id, what=what,
                                                           step_created_at=step.created_at)],
                                          ignore_conflicts=True, using_db=tx)
        after = await AlertNotice.filter(step_id=step.id).using_db(tx).count()
    return after - before


async def collect(settings: Settings) -> int:
    """Turn the steps not handled yet into outbox rows; returns how many rows were written."""
    since = await watermark()
    handled = AlertNoticeStep.filter(step_created_at__gte=since).values("step_id")
    steps = await AlertUpdate.filter(created_at__gte=since).exclude(id__in=Subquery(handled)) \
        .order_by("created_at", "id").limit(STEPS_PER_ROUND)
    written = 0
    for step in steps:
        written += await handle_step(step, settings)
    if len(steps) < STEPS_PER_ROUND:
        await _advance(since)
    return written


def notify_soon() -> None:
    """After an alert step is committed: the job's next round starts now (posting never waits for it)."""
    tasks.nudge("alert_notices")

