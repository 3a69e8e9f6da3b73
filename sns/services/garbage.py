"""The city's garbage calendar: per district, the collection days and what is collected (in English and
Japanese). Administrators upload it as CSV (sns/services/garbage_csv.py) or add and remove single days;
everyone reads the coming days (/garbage). Not about any person, local to this instance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.i18n import N_, current_locale
from sns.models import District
from sns.models.reminders import GarbageDay
from sns.policies.reminders import can_manage_garbage_calendar
from sns.services.base import clean_text, require, transaction
from sns.services.garbage_csv import MAX_WHAT, parse
from sns.services.reminders import local_today, parse_date
from sns.services.site import districts

AHEAD_DAYS = 62  # the public page lists about two months
CHUNK = 500  # days named in one DELETE


def what_of(day: GarbageDay) -> str:
    """What is collected, in the reader's language."""
    return day.what_ja if current_locale() == "ja" and day.what_ja else day.what


@dataclass
class DistrictDays:
    district: District
    days: list[GarbageDay]


async def coming_days(settings, district_id: str | None = None, ahead: int = AHEAD_DAYS) -> list[DistrictDays]:
    """Each district (or the one named) with its collection days from today on (site time)."""
    today = local_today(settings)
    listed = [d for d in await districts() if district_id is None or d.id == district_id]
    if district_id is not None and not listed:
        raise NotFound(N_("There is no such district."))
    rows = await GarbageDay.filter(district_id__in=[d.id for d in listed], day__gte=today,
                                   day__lte=today + timedelta(days=ahead)).order_by("day")
    by_district: dict[str, list[GarbageDay]] = {}
    for row in rows:
        by_district.setdefault(row.district_id, []).append(row)
    return [DistrictDays(d, by_district.get(d.id, [])) for d in listed]


async def import_calendar(ctx: Ctx, data: bytes) -> int:
    """Store every day of the file (a day already listed for its district takes the file's text), in one
    transaction; any problem refuses the whole file. How many days the file held."""
    require(can_manage_garbage_calendar(ctx.viewer))
    rows = parse(data or b"", ctx.settings.max_upload_bytes, await districts())
    days_of: dict[str, list[date]] = {}
    for row in rows:
        days_of.setdefault(row.district_id, []).append(row.day)
    async with transaction() as tx:
        for district_id, days in days_of.items():
            for n in range(0, len(days), CHUNK):
                await GarbageDay.filter(district_id=district_id, day__in=days[n:n + CHUNK]).using_db(tx).delete()
        await GarbageDay.bulk_create([GarbageDay(district_id=r.district_id, day=r.day, what=r.what,
                                                 what_ja=r.what_ja) for r in rows], batch_size=CHUNK, using_db=tx)
    return len(rows)


async def add_day(ctx: Ctx, *, district_id: Any, day: Any, what: Any, what_ja: Any) -> GarbageDay:
    require(can_manage_garbage_calendar(ctx.viewer))
    district = await District.get_or_none(id=str(district_id or "")[:36], deleted_at=None)
    if district is None:
        raise Invalid(N_("Choose the district."), field="district_id")
    values = {"day": parse_date(day, field="day"),
              "what": clean_text(what, field="what", max_chars=MAX_WHAT, single_line=True),
              "what_ja": clean_text(what_ja, field="what_ja", max_chars=MAX_WHAT, required=False, single_line=True)}
    async with transaction() as tx:
        row, _ = await GarbageDay.update_or_create(district_id=district.id, day=values["day"],
                                                   defaults={"what": values["what"], "what_ja": values["what_ja"]},
                                                   using_db=tx)
    return row


async def remove_day(ctx: Ctx, day_id: str) -> None:
    require(can_manage_garbage_calendar(ctx.viewer))
    async with transaction() as tx:
        if not await GarbageDay.filter(id=str(day_id)[:36]).using_db(tx).delete():
            raise NotFound(N_("There is no such collection day."))
