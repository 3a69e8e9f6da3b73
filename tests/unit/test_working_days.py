"""Working days (sns/services/working_days.py): when "within N working days" ends, in the site's time zone."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sns.services.working_days import due_at, window

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


@pytest.mark.parametrize("start,days,ends_on", [
    (tokyo(2026, 12, 7, 10), 3, date(2026, 12, 10)),  # Monday + 3 -> end of Thursday
    (tokyo(2026, 12, 10, 16), 3, date(2026, 12, 15)),  # Thursday + 3 -> Friday, Monday, Tuesday
    (tokyo(2026, 12, 12, 9), 1, date(2026, 12, 14)),  # a Saturday counts from Monday
    (tokyo(2026, 12, 11, 23, 30), 1, date(2026, 12, 14)),  # late on Friday evening, local time
    (tokyo(2026, 12, 7, 10), 10, date(2026, 12, 21)),
])
def test_due_at_counts_weekdays_in_the_local_day(start, days, ends_on):
    due = due_at(start.astimezone(timezone.utc), days, frozenset(), "Asia/Tokyo")
    assert due.tzinfo is not None and due == datetime.combine(ends_on + timedelta(days=1), time(0), tzinfo=TOKYO)


def test_a_friday_evening_in_utc_is_already_saturday_in_tokyo():
    start = datetime(2026, 12, 11, 16, 0, tzinfo=timezone.utc)  # Saturday 01:00 in Tokyo
    assert due_at(start, 1, frozenset(), "Asia/Tokyo") == tokyo(2026, 12, 15)  # end of Monday 14th
    assert due_at(start, 1, frozenset(), "UTC") == datetime(2026, 12, 15, tzinfo=timezone.utc)  # Mon 14th too


def test_holidays_are_not_working_days():
    start = tokyo(2026, 12, 25, 9)  # a Friday; the city closes from the 29th to the 1st
    closed = frozenset({date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1)})
    assert due_at(start, 2, frozenset(), TOKYO) == tokyo(2026, 12, 30)  # Monday 28th and Tuesday 29th
    assert due_at(start, 2, closed, TOKYO) == tokyo(2027, 1, 5)  # Monday 28th, then Monday 4th


def test_no_promise_is_no_due_time():
    assert due_at(tokyo(2026, 12, 7), 0, frozenset(), TOKYO) is None
    assert window([tokyo(2026, 12, 7)], 0, TOKYO) is None


def test_the_end_of_the_day_follows_a_daylight_saving_change():
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 26, 12, tzinfo=berlin)  # Thursday; clocks go forward on Sunday the 29th
    due = due_at(start, 2, frozenset(), "Europe/Berlin")  # Friday 27th, Monday 30th -> midnight, summer time
    assert due == datetime(2026, 3, 30, 22, tzinfo=timezone.utc)


def test_the_window_covers_the_holidays_that_can_matter():
    first, last = window([tokyo(2026, 12, 7), tokyo(2026, 12, 20)], 5, TOKYO)
    assert first == date(2026, 12, 7) and last >= date(2026, 12, 20 + 7)
