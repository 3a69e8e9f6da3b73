"""When reminders fire, without a database: 18:00 the evening before and 09:00 in the morning, local to the
site's zone on the day itself (also across New York's daylight-saving changes), and the month arithmetic
of "3 months before" at the ends of months."""

from datetime import date, datetime, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from sns.services.reminder_job import document_times, due_stage, garbage_time, months_before

NEW_YORK = ZoneInfo("America/New_York")


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.mark.parametrize("day, fire", [
    (date(2027, 3, 14), utc(2027, 3, 13, 23)),  # the evening before is still EST (UTC-5)
    (date(2027, 3, 15), utc(2027, 3, 14, 22)),  # EDT (UTC-4) from 14 March
    (date(2027, 11, 8), utc(2027, 11, 7, 23)),  # back to EST on 7 November
])
def test_garbage_at_six_in_the_evening_before_in_new_york(day, fire):
    assert garbage_time(day, NEW_YORK) == fire


@pytest.mark.parametrize("day, months, before", [
    (date(2027, 5, 31), 3, date(2027, 2, 28)), (date(2028, 5, 31), 3, date(2028, 2, 29)),
    (date(2027, 1, 15), 1, date(2026, 12, 15)), (date(2027, 3, 31), 1, date(2027, 2, 28)),
])
def test_months_before(day, months, before):
    assert months_before(day, months) == before


def test_a_document_fires_at_nine_local_and_only_the_latest_stage_when_both_have_come():
    long_ago = SimpleNamespace(expires_on=date(2027, 6, 14), updated_at=utc(2026, 1, 1))
    assert document_times(long_ago, NEW_YORK) == {"1m": utc(2027, 5, 14, 13), "3m": utc(2027, 3, 14, 13)}
    assert due_stage(long_ago, NEW_YORK, utc(2027, 3, 14, 12, 59)) is None
    assert due_stage(long_ago, NEW_YORK, utc(2027, 3, 14, 13)) == "3m"
    assert due_stage(long_ago, NEW_YORK, utc(2027, 3, 15, 13)) is None  # a day late: not told any more
    late = SimpleNamespace(expires_on=date(2027, 6, 14), updated_at=utc(2027, 6, 1, 20))  # 16:00 local
    assert document_times(late, NEW_YORK) == {"1m": utc(2027, 6, 2, 13), "3m": utc(2027, 6, 2, 13)}
    assert due_stage(late, NEW_YORK, utc(2027, 6, 2, 13)) == "1m"
