"""The participant's calendar (enrollment.schedule): the one owner of target dates, windows,
"expected by" and "has left". Pure: no database."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from enrollment.schedule import LEFT_STATUSES, ParticipantStatus, Schedule, has_left, stopped_on

START = date(2026, 3, 2)


def test_day_1_is_the_intervention_start_and_day_7_six_days_later():
    calendar = Schedule(START, 7, 1)
    assert (calendar.target(1), calendar.target(7)) == (START, START + timedelta(days=6))


def test_a_day_due_today_is_expected_by_today():
    calendar = Schedule(START, 7, 1)
    assert calendar.expected_by(3, START + timedelta(days=2))
    assert not calendar.expected_by(4, START + timedelta(days=2))


def test_the_day_she_leaves_is_still_expected_the_next_is_not():
    calendar = Schedule(START, 7, 1, stopped_on=START + timedelta(days=2))
    today = START + timedelta(days=10)
    assert [calendar.expected_by(day, today) for day in (3, 4)] == [True, False]


def test_only_withdrawn_and_lost_have_left():
    assert {s for s in ParticipantStatus.values if has_left(s)} == set(LEFT_STATUSES)
    assert stopped_on(ParticipantStatus.COMPLETED, START) is None
    assert stopped_on(ParticipantStatus.WITHDRAWN, START) == START


@settings(max_examples=15, deadline=None)
@given(
    n_days=st.integers(1, 10),
    window=st.integers(0, 3),
    left_after=st.none() | st.integers(0, 12),
    today_offset=st.integers(-2, 14),
)
def test_expected_by_is_target_passed_and_not_left_before(n_days, window, left_after, today_offset):
    left = None if left_after is None else START + timedelta(days=left_after)
    calendar = Schedule(START, n_days, window, stopped_on=left)
    today = START + timedelta(days=today_offset)
    for scheduled in calendar.days():
        brute = scheduled.target <= today and (left is None or left >= scheduled.target)
        assert calendar.expected_by(scheduled.day, today) == brute
        assert scheduled.earliest >= START
        assert not calendar.is_out_of_window(scheduled.day, scheduled.latest)
