"""Sending the alert notices the job wrote (sns/services/alert_notices.py): e-mail through sns/mail.py,
Web Push through sns/webpush.py, each in the resident's language.

A notice is claimed before it is sent (an UPDATE that only one worker wins), so two rounds at once
never send it twice. A failure is recorded on the row and tried again later (15 s, 1 min, 4 min, 16
min, then hourly), up to MAX_ATTEMPTS; a push service answering 404 or 410 means the browser
unsubscribed: its subscription is removed and the notice dropped. One channel failing never holds
back another: each notice is sent on its own.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from tortoise.expressions import F, Q

from sns import mail, tasks, webpush
from sns.i18n import gettext, using_locale
from sns.models import Alert, AlertUpdate, User
from sns.models.alert_notices import AlertNotice, AlertNoticeStep, PushSubscription
from sns.ids import uuid7
from sns.models.base import utcnow
from sns.services.alert_notices import collect
from sns.services.alerts import alert_url, kind_label, status_label
from sns.settings import Settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
CLAIM = timedelta(minutes=2)  # a worker that died mid-send leaves its claim; another takes it after this
PER_ROUND = 200
AT_ONCE = 8
PUSH_TIMEOUT = 10.0


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 15 * 4 ** max(0, attempts - 1)))


def _texts(alert: Alert, step: AlertUpdate, posting: bool, settings: Settings) -> dict[str, str]:
    link = settings.base_url + alert_url(alert.id)
    drill = gettext("DRILL (an exercise, not a real emergency)") + "\n\n" if alert.exercise else ""
    title = f"[{gettext('Drill')}] {alert.title}" if alert.exercise else alert.title
    subject = gettext("Alert: %(title)s", title=title) if posting else \
        gettext("Alert %(status)s: %(title)s", status=status_label(step.status), title=title)
    lines = [drill + f"{kind_label(alert.kind)}: {alert.title}",
             gettext("Status: %(status)s", status=status_label(step.status))]
    if step.note:
        lines.append(step.note)
    if alert.address:
        lines.append(gettext("Where: %(address)s", address=alert.address))
    if alert.instruction and step.status in ("outbreak", "under_control"):
        lines.append(gettext("What to do: %(instruction)s", instruction=alert.instruction))
    lines.append(gettext("Details and every change: %(link)s", link=link))
    lines.append(gettext("You get this because you asked to be told of alerts in your settings (%(link)s).",
                         link=settings.base_url + "/settings/alerts"))
    return {"subject": subject, "body": "\n\n".join(lines), "title": title, "link": link,
            "short": gettext("Status: %(status)s", status=status_label(step.status))
            + (f" · {alert.address}" if alert.address else "")}


async def _finish(notice: AlertNotice, ok: bool, error: str = "", *, drop: bool = False) -> None:
    now = utcnow()
    if ok:
        values = dict(state="sent", sent_at=now, last_error="", claimed_until=None)
    elif drop:
        values = dict(state="dropped", last_error=error[:500], claimed_until=None)
    elif notice.attempts >= MAX_ATTEMPTS:
        values = dict(state="failed", last_error=error[:500], claimed_until=None)
    else:
        values = dict(last_error=error[:500], claimed_until=None, next_try_at=now + retry_delay(notice.attempts))
    await AlertNotice.filter(id=notice.id).update(**values)
    if not ok:
        log.warning("alert notice %s (%s) not sent: %s", notice.id, notice.target, error)


@dataclass
class Batch:
    """What one round's notices refer to, loaded in a few queries rather than a few per notice."""

    people: dict
    alerts: dict
    steps: dict
    postings: set
    pushes: dict

    @classmethod
    async def load(cls, notices: list[AlertNotice]) -> "Batch":
        step_ids = list({n.step_id for n in notices})
        push_ids = [n.target.split(":", 1)[1] for n in notices if n.channel == "push"]
        return cls(
            people={u.id: u for u in await User.filter(id__in=list({n.user_id for n in notices}))},
            alerts={a.id: a for a in await Alert.filter(id__in=list({n.alert_id for n in notices}))},
            steps={s.id: s for s in await AlertUpdate.filter(id__in=step_ids)},
            postings=set(await AlertNoticeStep.filter(step_id__in=step_ids, what="posting")
                         .values_list("step_id", flat=True)),
            pushes={p.id: p for p in await PushSubscription.filter(id__in=push_ids)} if push_ids else {})


async def _send_one(notice: AlertNotice, settings: Settings, client: httpx.AsyncClient, batch: Batch) -> None:
    person, alert = batch.people.get(notice.user_id), batch.alerts.get(notice.alert_id)
    step = batch.steps.get(notice.step_id)
    if person is None or alert is None or step is None or person.state != "active":
        return await _finish(notice, False, "the resident or the alert is gone", drop=True)
    with using_locale(person.locale or settings.default_locale):
        texts = _texts(alert, step, step.id in batch.postings, settings)
    if notice.channel == "email":
        if not person.email:
            return await _finish(notice, False, "no e-mail address", drop=True)
        sent = await mail.send(settings, person.email, texts["subject"], texts["body"], attempts=1)
        return await _finish(notice, sent, "" if sent else "the SMTP server did not take it")
    push = batch.pushes.get(notice.target.split(":", 1)[1])
    if push is None or push.user_id != person.id:
        return await _finish(notice, False, "the browser's subscription is gone", drop=True)
    payload = json.dumps({"title": texts["title"], "body": texts["short"], "url": alert_url(alert.id),
                          "id": alert.id, "tag": alert.id}, ensure_ascii=False).encode()
    result = await webpush.send(settings, client, endpoint=push.endpoint, p256dh=push.p256dh, auth=push.auth,
                                payload=payload)
    if result.gone:
        await PushSubscription.filter(id=push.id).delete()
        return await _finish(notice, False, f"push service answered {result.status}: unsubscribed", drop=True)
    await _finish(notice, result.ok, result.error or f"push service answered {result.status}")


async def _claim(now: datetime) -> list[AlertNotice]:
    """Claim up to PER_ROUND due notices in one UPDATE: a row another round claimed first no longer
    matches the condition when this UPDATE reaches it, so each notice goes to one round only."""
    free = Q(claimed_until=None) | Q(claimed_until__lt=now)
    due = await AlertNotice.filter(free, state="pending", next_try_at__lte=now).order_by("created_at", "id") \
        .limit(PER_ROUND).values_list("id", flat=True)
    if not due:
        return []
    claim = uuid7()
    await AlertNotice.filter(free, id__in=list(due), state="pending", next_try_at__lte=now) \
        .update(claimed_until=now + CLAIM, claim=claim, attempts=F("attempts") + 1)
    return await AlertNotice.filter(claim=claim).order_by("created_at", "id")


async def send_due(settings: Settings, *, now: datetime | None = None) -> int:
    """Send the notices that are due (claimed first); returns how many this round claimed."""
    claimed = await _claim(now or utcnow())
    if not claimed:
        return 0
    gate, batch = asyncio.Semaphore(AT_ONCE), await Batch.load(claimed)

    async def one(notice: AlertNotice) -> None:
        async with gate:
            try:
                await _send_one(notice, settings, client, batch)
            except Exception as exc:  # a bug or a database hiccup on one notice: the others still go
                log.exception("alert notice %s failed", notice.id)
                await _finish(notice, False, f"{type(exc).__name__}: {exc}")

    async with httpx.AsyncClient(timeout=PUSH_TIMEOUT, follow_redirects=False) as client:
        await asyncio.gather(*(one(n) for n in claimed))
    return len(claimed)


async def run_round(settings: Settings, site=None) -> None:
    """One round of the job `alert_notices`: write the notices of new alert steps, then send what is due."""
    await collect(settings)
    await send_due(settings)


JOB = tasks.Job("alert_notices", run_round, lambda s: float(s.alert_notice_seconds))  # (sns/areas.py)
