"""A resident's own reminders (Settings › Reminders): "my passport expires on ...", and the wish to be told
the evening before my district's garbage collection days.

Everything here is opt-in, private to its owner (sns/policies/reminders.py), local to this instance (never
journaled or mirrored), used for nothing but the reminder, and deleted when the owner deletes it or leaves
(sns/services/erasure.py). The job that sends them is sns/services/reminder_job.py; the texts it sends,
sns/services/reminder_texts.py. `reminders_export` is this part's file of "Download my data".
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date

from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.i18n import N_, current_locale
from sns.models import District
from sns.models.base import utcnow
from sns.models.reminders import DOCUMENT_KINDS, DocumentReminder, GarbageReminder
from sns.policies.core import Viewer
from sns.policies.reminders import can_keep_reminders, can_see_reminder
from sns.services.base import require, transaction

MAX_DOCUMENTS = 20  # a household's passports, cards and licences
MAX_YEARS_AHEAD = 20
DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


def local_today(settings, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(settings.timezone)).date()


def long_date(day: date) -> str:
    """31 March 2027 / 2027年3月31日, in the reader's language."""
    return format_date(day, format="long", locale=current_locale())


def full_date(day: date) -> str:
    """With the weekday: Wednesday, 31 March 2027 / 2027年3月31日水曜日."""
    return format_date(day, format="full", locale=current_locale())


def parse_date(value: Any, *, field: str) -> date:
    """2027-03-31 (what a date field sends), or 2027/3/31 as typed in Japan; full-width digits too."""
    raw = unicodedata.normalize("NFKC", str(value or "")).strip()
    match = DATE_RE.match(raw) if len(raw) <= 10 else None
    if not match:
        raise Invalid(N_("Give the date as year-month-day, for example 2030-04-01."), field=field)
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise Invalid(N_("There is no such date."), field=field) from None


def _channels(ctx: Ctx, email: bool, push: bool) -> tuple[bool, bool]:
    if not email and not push:
        raise Invalid(N_("Choose e-mail, Web Push, or both."), field="channels")
    if email and not ctx.user.email:
        raise Invalid(N_("Your account has no e-mail address: choose Web Push."), field="channels")
    return bool(email), bool(push)


def _checked_document(ctx: Ctx, kind: Any, expires_on: Any, email: bool, push: bool) -> dict:
    if kind not in DOCUMENT_KINDS:
        raise Invalid(N_("Choose which document."), field="kind")
    day = parse_date(expires_on, field="expires_on")
    today = local_today(ctx.settings)
    if day <= today:
        raise Invalid(N_("That day has passed: give the date your document expires."), field="expires_on")
    if day.year > today.year + MAX_YEARS_AHEAD:
        raise Invalid(N_("Give a date within %(years)d years."), field="expires_on", years=MAX_YEARS_AHEAD)
    email, push = _channels(ctx, email, push)
    return {"kind": kind, "expires_on": day, "email": email, "push": push}


async def my_documents(ctx: Ctx) -> list[DocumentReminder]:
    require(can_keep_reminders(ctx.viewer))
    return await DocumentReminder.filter(user_id=ctx.user.id).order_by("expires_on", "id")


async def my_document(ctx: Ctx, reminder_id: str) -> DocumentReminder:
    """One of mine; anyone else's, or none, is "not found" (never "forbidden": it is not there for them)."""
    require(can_keep_reminders(ctx.viewer))
    reminder = await DocumentReminder.get_or_none(id=str(reminder_id)[:36])
    if not can_see_reminder(ctx.viewer, reminder):
        raise NotFound(N_("There is no such reminder."))
    return reminder


async def add_document(ctx: Ctx, *, kind: Any, expires_on: Any, email: bool, push: bool) -> DocumentReminder:
    require(can_keep_reminders(ctx.viewer))
    values = _checked_document(ctx, kind, expires_on, email, push)
    async with transaction() as tx:
        if await DocumentReminder.filter(user_id=ctx.user.id).using_db(tx).count() >= MAX_DOCUMENTS:
            raise Invalid(N_("At most %(n)d document reminders."), field="kind", n=MAX_DOCUMENTS)
        return await DocumentReminder.create(user_id=ctx.user.id, **values, using_db=tx)


async def change_document(ctx: Ctx, reminder_id: str, *, kind: Any, expires_on: Any, email: bool,
                          push: bool) -> DocumentReminder:
    """A new date starts its reminders afresh (they are keyed by the date); the same date is never told twice."""
    reminder = await my_document(ctx, reminder_id)
    values = _checked_document(ctx, kind, expires_on, email, push)
    async with transaction() as tx:
        await DocumentReminder.filter(id=reminder.id).using_db(tx).update(**values, updated_at=utcnow())
    return await DocumentReminder.get(id=reminder.id)


async def delete_document(ctx: Ctx, reminder_id: str) -> None:
    reminder = await my_document(ctx, reminder_id)
    async with transaction() as tx:
        await DocumentReminder.filter(id=reminder.id).using_db(tx).delete()


async def my_garbage(ctx: Ctx) -> GarbageReminder | None:
    require(can_keep_reminders(ctx.viewer))
    return await GarbageReminder.get_or_none(user_id=ctx.user.id)


async def save_garbage(ctx: Ctx, *, district_id: Any, email: bool, push: bool) -> GarbageReminder:
    require(can_keep_reminders(ctx.viewer))
    district = await District.get_or_none(id=str(district_id or "")[:36], deleted_at=None)
    if district is None:
        raise Invalid(N_("Choose your district."), field="district_id")
    email, push = _channels(ctx, email, push)
    async with transaction() as tx:
        reminder, _ = await GarbageReminder.update_or_create(
            user_id=ctx.user.id, defaults={"district_id": district.id, "email": email, "push": push}, using_db=tx)
    return reminder


async def stop_garbage(ctx: Ctx) -> None:
    require(can_keep_reminders(ctx.viewer))
    async with transaction() as tx:
        await GarbageReminder.filter(user_id=ctx.user.id).using_db(tx).delete()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


async def reminders_export(v: Viewer) -> dict:
    """reminders.json of "Download my data": my document reminders and my garbage-day reminder."""
    documents = await DocumentReminder.filter(user_id=v.id).order_by("expires_on", "id")
    garbage = await GarbageReminder.get_or_none(user_id=v.id).select_related("district")
    return {
        "documents": [{"id": str(r.id), "kind": r.kind, "expires_on": r.expires_on.isoformat(), "email": r.email,
                       "push": r.push, "created_at": _iso(r.created_at), "updated_at": _iso(r.updated_at)}
                      for r in documents],
        "garbage_days": None if garbage is None else {
            "district": {"id": str(garbage.district.id), "name": garbage.district.name},
            "email": garbage.email, "push": garbage.push, "created_at": _iso(garbage.created_at)},
    }

