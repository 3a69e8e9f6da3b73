"""My page's "My open requests" is kept until a write of mine moves my number, or until time alone changes
what it shows: a request turning overdue, an appointment beginning (sns/web/my_requests.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sns.services.answer_targets import Target
from sns.services.my_requests import Request
from sns.web.my_requests import KEEP_AT_MOST, valid_until

NOW = datetime(2027, 3, 26, 9, 0, tzinfo=timezone.utc)


def _row(target: Target = Target(), starts_at: datetime | None = None) -> Request:
    return Request("inquiry", "id", "Subject", "received", None, NOW, NOW, "/city/id", target, starts_at=starts_at)


def test_kept_until_the_next_request_turns_overdue():
    soon, later = NOW + timedelta(minutes=10), NOW + timedelta(minutes=40)
    rows = [_row(Target(first_answer_days=3, first_answer_due=later)), _row(Target(close_days=5, close_due=soon))]
    assert valid_until(rows, NOW) == soon


def test_kept_until_an_appointment_begins():
    begins = NOW + timedelta(minutes=25)
    assert valid_until([_row(starts_at=begins)], NOW) == begins


def test_times_already_past_do_not_count_and_nothing_is_kept_past_the_limit():
    rows = [_row(Target(first_answer_days=1, first_answer_due=NOW - timedelta(days=1), late_first=True),
                 starts_at=NOW - timedelta(hours=2))]
    assert valid_until(rows, NOW) == NOW + KEEP_AT_MOST
    assert valid_until([], NOW) == NOW + KEEP_AT_MOST
