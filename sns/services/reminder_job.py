"""The job "reminders": each round tells residents what their reminders say is due, through the one queue
of things to tell (sns/services/telling.py), in each resident's language.

- A document (passport, residence card, driving licence) is reminded 3 months and 1 month before it
  expires, at 09:00 site time (`settings.timezone`), with what to bring (sns/services/reminder_texts.py).
  A reminder added (or given a new date) after one of those mornings fires at the next 09:00 instead, and
  only the latest stage that has come: a date already within a month is told once, not twice.
- A garbage collection day is reminded at 18:00 site time the evening before, to every resident who asked
  for their district's days.

What is due: now >= its local fire time, and not more than a day after it, so a long outage does not
send stale reminders. Local times are made with zoneinfo on the day itself, so a daylight-saving change in
the configured zone still fires at 09:00 / 18:00 local. Each occasion has its key ("document:<id>:
<expiry>:3m" / ":1m", "garbage:<user>:<date>"), and `telling.tell` writes a key once per resident and
channel: a round run again, or two rounds at once on two machines, tell nothing twice.
"""

from __future__ import annotations

import calendar
import logging
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo

from sns import tasks
from sns.i18n import N_, current_locale, gettext, ngettext
from sns.models import District, User
from sns.models.base import utcnow
from sns.models.reminders import DocumentReminder, GarbageDay, GarbageReminder
from sns.services import reminder_texts, telling
from sns.services.reminders import long_date
from sns.settings import Settings

log = logging.getLogger(__name__)

JOB_NAME = "reminders"
ROUND_SECONDS = 300.0  # a reminder goes out within five minutes of its time
DOCUMENT_AT, GARBAGE_AT = time(9, 0), time(18, 0)
STALE = timedelta(days=1)  # a reminder more than this late is not sent at all
STAGES = (("1m", 1), ("3m", 3))  # the latest first: when both have come, only the latest is told
SETTINGS_URL = "/settings/reminders"
PRIVATE_FOOTER = N_("You asked for this reminder. Change or delete it in Settings › Reminders.")


def at_local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`at` o'clock on `day` in `zone`, as an aware UTC time (the zone's offset of that very day)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(timezone.utc)


def first_after(moment: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first `at` o'clock local strictly after `moment`."""
    day = moment.astimezone(zone).date()
    candidate = at_local(day, at, zone)
    return candidate if candidate > moment else at_local(day + timedelta(days=1), at, zone)


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier (the month's last day when it is shorter: 31 May -> 28 Feb)."""
    years, index = divmod(day.month - 1 - months, 12)
    year, month = day.year + years, index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def document_times(reminder: DocumentReminder, zone: ZoneInfo) -> dict[str, datetime]:
    """When each stage fires: its morning, or the first morning after the reminder was saved when later."""
    start = first_after(reminder.updated_at, DOCUMENT_AT, zone)
    return {name: max(at_local(months_before(reminder.expires_on, n), DOCUMENT_AT, zone), start)
            for name, n in STAGES}


def due_stage(reminder: DocumentReminder, zone: ZoneInfo, now: datetime) -> str | None:
    """The stage to tell now ("3m", "1m") or None: the latest stage whose time has come, if not stale."""
    for name, fire in document_times(reminder, zone).items():
        if fire <= now:
            return name if now - fire < STALE else None
    return None


def garbage_time(day: date, zone: ZoneInfo) -> datetime:
    return at_local(day - timedelta(days=1), GARBAGE_AT, zone)


def document_texts(reminder: DocumentReminder, today: date, stored: dict) -> Callable[[], tuple[str, str]]:
    def texts() -> tuple[str, str]:
        name, when = reminder_texts.kind_label(reminder.kind), long_date(reminder.expires_on)
        left = (reminder.expires_on - today).days
        subject = gettext(N_("Your %(document)s expires on %(date)s"), document=name, date=when)
        soon = gettext(N_("It expires today.")) if left <= 0 else \
            ngettext("It expires in %(num)d day.", "It expires in %(num)d days.", left)
        bring = reminder_texts.text_for(stored, reminder.kind)
        return subject, "\n\n".join((f"{subject}\n{soon}", bring, gettext(PRIVATE_FOOTER)))
    return texts


def garbage_texts(day: GarbageDay, district: District) -> Callable[[], tuple[str, str]]:
    def texts() -> tuple[str, str]:
        what = day.what_ja if current_locale() == "ja" and day.what_ja else day.what
        subject = gettext(N_("Tomorrow: %(what)s"), what=what)
        body = gettext(N_("Tomorrow, %(date)s, is a collection day in %(district)s: %(what)s."),
                       date=long_date(day.day), district=district.name, what=what)
        return subject, "\n\n".join((body, gettext(PRIVATE_FOOTER)))
    return texts


async def _users(ids: set[str]) -> dict[str, User]:
    return {u.id: u for u in await User.filter(id__in=list(ids))} if ids else {}


async def _tell(settings: Settings, user: User | None, key: str, texts, url: str, email: bool, push: bool) -> int:
    if user is None:
        return 0
    try:
        return await telling.tell(settings, user, key, texts, url=url, email=email, push=push)
    except Exception:  # one resident's trouble never holds back the others; the next round tries again
        log.exception("reminder %s for %s could not be written", key, user.id)
        return 0


async def tell_documents(settings: Settings, now: datetime, zone: ZoneInfo) -> int:
    today = now.astimezone(zone).date()
    # the 3-month stage of a date a little over 3 months away is the furthest that can be due
    rows = await DocumentReminder.filter(expires_on__gte=today,
                                         expires_on__lte=today + timedelta(days=100)).order_by("id")
    due = [(r, stage) for r in rows if (stage := due_stage(r, zone, now))]
    if not due:
        return 0
    users, stored = await _users({r.user_id for r, _ in due}), await reminder_texts.stored_texts()
    told = 0
    for reminder, stage in due:
        key = f"document:{reminder.id}:{reminder.expires_on.isoformat()}:{stage}"
        told += await _tell(settings, users.get(reminder.user_id), key, document_texts(reminder, today, stored),
                            SETTINGS_URL, reminder.email, reminder.push)
    return told


async def tell_garbage_days(settings: Settings, now: datetime, zone: ZoneInfo) -> int:
    today = now.astimezone(zone).date()
    days = [d for d in await GarbageDay.filter(day__gte=today, day__lte=today + timedelta(days=2)).order_by("day")
            if garbage_time(d.day, zone) <= now < garbage_time(d.day, zone) + STALE]
    told = 0
    for day in days:
        wishes = await GarbageReminder.filter(district_id=day.district_id).order_by("id")
        if not wishes:
            continue
        district = await District.get(id=day.district_id)
        users = await _users({w.user_id for w in wishes})
        for wish in wishes:
            key = f"garbage:{wish.user_id}:{day.day.isoformat()}"
            told += await _tell(settings, users.get(wish.user_id), key, garbage_texts(day, district),
                                f"/garbage/{district.id}", wish.email, wish.push)
    return told


async def run_round(settings: Settings, site: Any = None, *, now: datetime | None = None) -> dict[str, int]:
    """One round at `now` (tests move the clock): how many tellings were newly written, per kind."""
    now = now or utcnow()
    zone = ZoneInfo(settings.timezone)
    counts = {"documents": await tell_documents(settings, now, zone),
              "garbage": await tell_garbage_days(settings, now, zone)}
    if any(counts.values()):
        log.info("reminders: told %s", counts)
    return counts


JOB = tasks.Job(JOB_NAME, run_round, lambda s: ROUND_SECONDS)  # (sns/areas.py)
