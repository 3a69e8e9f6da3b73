"""What an appointment sends: the confirmation mail with its iCalendar file (a VEVENT with an alarm the day
before), the same file for the appointment page's download, and the reminder the evening before.

The reminder goes at 18:00 site time the day before (`REMIND_AT`, in `settings.timezone`, right across a
daylight-saving change), through sns/services/telling.py, keyed by the appointment and its start
("appointment:<id>:<start>"): told once, and told again when the appointment was moved. E-mail when the
resident has an address; Web Push when they turned it on in a browser. The job "appointment_reminders"
(named in sns/areas.py) looks every few minutes; rounds are safe to repeat.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from icalendar import Alarm, Calendar
from icalendar import Event as VEvent

from sns import mail, tasks
from sns.i18n import current_locale, format_time, gettext, using_locale
from sns.models import User
from sns.models.alert_notices import PushSubscription
from sns.models.base import utcnow
from sns.models.counters import Appointment, Counter
from sns.services import telling
from sns.services.counters import counter_name
from sns.services.slots import zone_of

PRODID = "-//local-sns//appointments//EN"
REMIND_AT = time(18, 0)  # the evening before, site time
JOB_NAME = "appointment_reminders"


def _url(settings, row: Appointment) -> str:
    return f"{settings.base_url}/appointments/{row.id}"


def appointment_ics(settings, row: Appointment, counter: Counter, locale: str = "en") -> bytes:
    """One VEVENT (UID the appointment's id at this instance; SEQUENCE grows when it is moved) with a
    VALARM one day before; STATUS CANCELLED once it is cancelled."""
    with using_locale(locale):
        name = counter_name(counter, locale)
        cal = Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("method", "PUBLISH")
        event = VEvent()
        event.add("uid", f"{row.id}@{settings.origin}")
        event.add("dtstamp", utcnow())
        event.add("sequence", max(0, int((row.updated_at - row.created_at).total_seconds())))
        event.add("dtstart", row.start.astimezone(timezone.utc))
        event.add("dtend", row.end.astimezone(timezone.utc))
        event.add("summary", gettext("Appointment: %(counter)s", counter=name))
        description = "\n\n".join(part for part in (counter.what_to_bring, _url(settings, row)) if part)
        event.add("description", description)
        if counter.place:
            event.add("location", counter.place)
        event.add("url", _url(settings, row))
        event.add("status", "CANCELLED" if row.state == "cancelled" else "CONFIRMED")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", timedelta(days=-1))
        alarm.add("description", gettext("Tomorrow: %(counter)s", counter=name))
        event.add_component(alarm)
        cal.add_component(event)
        return cal.to_ical()


def _confirmation(settings, row: Appointment, counter: Counter, locale: str, moved: bool) -> tuple[str, str]:
    with using_locale(locale):
        name = counter_name(counter, locale)
        if moved:
            subject = gettext("Your appointment is moved: %(counter)s", counter=name)
        else:
            subject = gettext("Your appointment: %(counter)s", counter=name)
        lines = [gettext("You have an appointment at %(counter)s on %(when)s.", counter=name,
                         when=format_time(row.start, "full"))]
        if counter.place:
            lines.append(gettext("Where: %(place)s", place=counter.place))
        if counter.what_to_bring:
            lines.append(gettext("What to bring: %(what)s", what=counter.what_to_bring))
        lines.append(gettext("See, move or cancel it here: %(url)s", url=_url(settings, row)))
        return subject, "\n\n".join(lines)


async def confirm(conn, settings, row: Appointment, counter: Counter, resident: User | None, *,
                  moved: bool = False) -> None:
    """Queue the confirmation (in `conn`'s transaction) when the resident has an address."""
    if resident is None or not resident.email or resident.state != "active":
        return
    locale = resident.locale or settings.default_locale
    subject, body = _confirmation(settings, row, counter, locale, moved)
    ics = appointment_ics(settings, row, counter, locale).decode()
    await mail.queue(conn, settings, resident.email, subject, body,
                     attachments=[mail.Attachment(name="appointment.ics", type="text/calendar", text=ics)])


def reminder_key(row: Appointment) -> str:
    return f"appointment:{row.id}:{row.start.astimezone(timezone.utc).isoformat()}"


def _due_window(settings, now: datetime) -> tuple[datetime, datetime, datetime] | None:
    """(when reminders for tomorrow were due, tomorrow's start, its end) in UTC, once 18:00 has come."""
    zone = zone_of(settings)
    local = now.astimezone(zone)
    if local.time() < REMIND_AT:
        return None
    tomorrow = local.date() + timedelta(days=1)
    due = datetime.combine(local.date(), REMIND_AT, tzinfo=zone).astimezone(timezone.utc)
    begin = datetime.combine(tomorrow, time(0), tzinfo=zone).astimezone(timezone.utc)
    end = datetime.combine(tomorrow + timedelta(days=1), time(0), tzinfo=zone).astimezone(timezone.utc)
    return due, begin, end


async def remind_due(settings, *, now: datetime | None = None) -> int:
    """Remind the residents with an appointment tomorrow (once 18:00 site time has come today); an
    appointment booked or moved after that moment had its confirmation just now and is not reminded.
    Returns how many reminders were newly written."""
    now = now or utcnow()
    window = _due_window(settings, now)
    if window is None:
        return 0
    due, begin, end = window
    rows = await Appointment.filter(state="booked", resident_id__not_isnull=True, start__gte=begin, start__lt=end,
                                    updated_at__lt=due).select_related("counter", "resident")
    pushing = set(await PushSubscription.filter(user_id__in=[r.resident_id for r in rows])
                  .values_list("user_id", flat=True)) if rows else set()
    written = 0
    for row in rows:
        written += await telling.tell(settings, row.resident, reminder_key(row), _reminder_texts(row),
                                      url=f"/appointments/{row.id}", email=row.remind_email,
                                      push=row.remind_push and row.resident_id in pushing)
    return written


def _reminder_texts(row: Appointment):
    def texts() -> tuple[str, str]:
        name = counter_name(row.counter, current_locale())
        subject = gettext("Reminder: your appointment tomorrow at %(counter)s", counter=name)
        lines = [gettext("You have an appointment at %(counter)s on %(when)s.", counter=name,
                         when=format_time(row.start, "full"))]
        if row.counter.place:
            lines.append(gettext("Where: %(place)s", place=row.counter.place))
        if row.counter.what_to_bring:
            lines.append(gettext("What to bring: %(what)s", what=row.counter.what_to_bring))
        lines.append(gettext("If you cannot come, please cancel it so that someone else can have the time."))
        return subject, "\n\n".join(lines)

    return texts


async def tell_cancelled(tx, settings, row: Appointment, counter: Counter, resident: User, reason: str) -> None:
    """The city cancelled a resident's coming appointment: they are told at once, with the reason, in their
    language (once: key "appointment:<id>:cancelled"), by e-mail and, if they chose it, by push."""
    def texts() -> tuple[str, str]:
        name = counter_name(counter, current_locale())
        subject = gettext("Your appointment at %(counter)s was cancelled", counter=name)
        lines = [gettext("The city cancelled your appointment at %(counter)s on %(when)s.", counter=name,
                         when=format_time(row.start, "full"))]
        if reason:
            lines.append(gettext("Reason: %(reason)s", reason=reason))
        lines.append(gettext("You may book another time: %(link)s", link=f"{settings.base_url}/counters/{counter.id}"))
        return subject, "\n\n".join(lines)

    await telling.tell(settings, resident, f"appointment:{row.id}:cancelled", texts, url=f"/appointments/{row.id}",
                       email=True, push=row.remind_push, conn=tx)


async def run_round(settings, site=None) -> None:
    await remind_due(settings)


JOB = tasks.Job(JOB_NAME, run_round, lambda s: 300.0)
