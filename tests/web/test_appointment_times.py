"""Counter times in a time zone with daylight saving (Europe/Berlin): the slots stay at the same wall-clock
time on both sides of the change (so their UTC times move by an hour), the hour skipped in spring is not
offered, and the reminder goes at 18:00 local time the evening before, right across both changes (a test
that moves the clock)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from fixtures import make_site
from sns.models.reminders import Telling
from sns.services import appointment_mail, appointment_staff, counters, departments, slots

EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
async def berlin(tmp_path_factory):
    async with make_site(tmp_path_factory.mktemp("berlin"), timezone="Europe/Berlin") as site:
        admin = await site.ctx_for(await site.user("berlinadmin", role="admin"))
        desk = await departments.save_department(admin, name="Bürgeramt")
        await departments.add_staff(admin, desk.id, "berlinadmin")
        morning = await counters.save_counter(admin, department_id=desk.id, name="Morning",
                                              hours={d: "08:00-09:00" for d in EVERY_DAY}, slot_minutes=30,
                                              capacity=1, book_days_ahead=365)
        night = await counters.save_counter(admin, department_id=desk.id, name="Night",
                                            hours={d: "01:30-03:30" for d in EVERY_DAY}, slot_minutes=30,
                                            capacity=1, book_days_ahead=365)
        resident = await site.user("lena")
        yield site, await site.ctx_for(await site.user("clerk", role="admin")), morning, night, resident


async def test_slots_keep_their_wall_clock_time_across_the_change(berlin):
    site, _, morning, night, _ = berlin
    days = await slots.days(site.settings, morning, date(2027, 3, 27), 3, horizon=False)  # Sat, Sun (change), Mon
    assert [s.start for s in days[0].slots] == [utc(2027, 3, 27, 7, 0), utc(2027, 3, 27, 7, 30)]  # CET, +1
    assert [s.start for s in days[2].slots] == [utc(2027, 3, 29, 6, 0), utc(2027, 3, 29, 6, 30)]  # CEST, +2
    [sunday] = await slots.days(site.settings, night, date(2027, 3, 28), 1, horizon=False)
    # 01:30 CET, then 02:00 and 02:30 do not exist that night, then 03:00 CEST
    assert [s.start for s in sunday.slots] == [utc(2027, 3, 28, 0, 30), utc(2027, 3, 28, 1, 0)]
    assert all(s.end > s.start for s in sunday.slots)
    [autumn] = await slots.days(site.settings, morning, date(2027, 10, 31), 1, horizon=False)
    assert [s.start for s in autumn.slots] == [utc(2027, 10, 31, 7, 0), utc(2027, 10, 31, 7, 30)]  # CET again


@pytest.mark.parametrize("start, due", [
    (utc(2027, 3, 29, 6, 0), utc(2027, 3, 28, 16, 0)),  # Mon 08:00 CEST; Sun 18:00 CEST (the change was that night)
    (utc(2027, 11, 1, 7, 0), utc(2027, 10, 31, 17, 0)),  # Mon 08:00 CET; Sun 18:00 CET
])
async def test_reminded_at_18_local_the_evening_before_across_the_change(berlin, start, due):
    site, clerk, morning, _, resident = berlin
    row = await appointment_staff.book_for_caller(clerk, morning.id, start, username="lena")
    await type(row).filter(id=row.id).update(updated_at=utc(2027, 1, 1))  # booked long before
    key = appointment_mail.reminder_key(row)
    assert await appointment_mail.remind_due(site.settings, now=due - timedelta(minutes=1)) == 0
    assert not await Telling.filter(key=key).exists()
    assert await appointment_mail.remind_due(site.settings, now=due) == 1
    assert await appointment_mail.remind_due(site.settings, now=due + timedelta(hours=3)) == 0  # once
    [told] = await Telling.filter(key=key, user_id=resident.id)
    assert "8:00" in told.body, told.body

