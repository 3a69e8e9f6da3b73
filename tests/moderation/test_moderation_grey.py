"""The grey-person score: adds up, halves every half-life, grey at the threshold."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moderation import grey

DAY = timedelta(days=1)
T0 = datetime(2026, 4, 1, tzinfo=timezone.utc)


def test_score_adds_and_decays_with_datetimes():
    s = grey.update(0.0, None, 4, T0, half_life=DAY, threshold=10)
    assert (s.score, s.grey, s.updated_at) == (4.0, False, T0)
    s = grey.update(s.score, s.updated_at, 8, T0 + DAY, half_life=DAY, threshold=10)
    assert s.score == pytest.approx(10.0) and s.grey
    assert grey.decayed(s.score, s.updated_at, T0 + 3 * DAY, half_life=DAY) == pytest.approx(2.5)
    assert not grey.is_grey(s.score, s.updated_at, T0 + 3 * DAY, half_life=DAY, threshold=10)


def test_seconds_work_as_well_as_datetimes():
    s = grey.update(16.0, 0.0, 0, 7200.0, half_life=3600, threshold=5)
    assert s.score == pytest.approx(4.0) and not s.grey


def test_grey_until():
    until = grey.grey_until(20.0, T0, half_life=DAY, threshold=10)
    assert T0 + DAY < until < T0 + DAY + timedelta(seconds=1)
    assert grey.grey_until(5.0, T0, half_life=DAY, threshold=10) == T0


def test_clock_going_back_does_not_raise_the_score():
    assert grey.decayed(8.0, T0, T0 - DAY, half_life=DAY) == 8.0


def test_threshold_zero_means_nobody_is_grey():
    assert not grey.update(0, None, 100, T0, half_life=DAY, threshold=0).grey


@given(st.floats(0, 1e6), st.floats(0, 1e6), st.floats(0, 100), st.floats(1, 1e7))
def test_score_never_grows_without_new_content(score, start, wait, half_life):
    assert grey.decayed(score, start, start + wait, half_life=half_life) <= score
