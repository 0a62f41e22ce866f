"""Synthetic demo observations: plausible, rising over the days, with missing days, corrections, deviations."""

from datetime import timedelta
from statistics import mean

import pytest

from observations.demo.daily import seed_observations
from observations.models import Observation
from trialsite.audit import history_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_observations(study, make_participant, arm_massage, today, cast):
    for n in range(30):
        make_participant(arm=arm_massage if n % 2 else None, start=today - timedelta(days=10 + n % 5))
    make_participant(start=today - timedelta(days=2))  # mid-schedule: days 1-3 only
    added = seed_observations(study, seed=7)
    assert added == Observation.objects.count()
    return Observation.objects.all()


def test_every_day_before_today_is_filled_and_today_is_left_for_the_midwife(demo_observations, today):
    assert demo_observations.count() == 30 * 7 + 2
    assert not demo_observations.filter(observed_on__gt=today).exists()
    mid_schedule = demo_observations.filter(participant__intervention_start=today - timedelta(days=2))
    assert sorted(mid_schedule.values_list("day", flat=True)) == [1, 2]


def test_demo_entries_are_attributed_to_the_site_midwife(demo_observations):
    first = demo_observations.order_by("pk").first()
    assert history_for(first)[0].user == "midwife.srp1"


def test_scores_are_integers_from_1_to_5_and_rise_over_the_days(demo_observations):
    scored = demo_observations.exclude(score=None)
    assert set(scored.values_list("score", flat=True)) <= {1, 2, 3, 4, 5}
    day1 = mean(scored.filter(day=1).values_list("score", flat=True))
    day7 = mean(scored.filter(day=7).values_list("score", flat=True))
    assert day7 > day1 + 1


def test_the_massage_arm_rises_more(demo_observations):
    def gain(code):
        rows = demo_observations.exclude(score=None).filter(participant__arm__code=code)
        return mean(rows.filter(day=7).values_list("score", flat=True)) - mean(
            rows.filter(day=1).values_list("score", flat=True)
        )

    assert gain("oxytocin_massage") > gain("moringa")


def test_some_days_are_missing_with_reasons(demo_observations):
    missing = demo_observations.exclude(missing_reason="")
    assert missing.exists()
    assert not missing.exclude(score=None).exists()


def test_a_few_corrections_carry_reasons(demo_observations):
    corrected = demo_observations.filter(version__gt=1)
    assert 1 <= corrected.count() <= 3
    assert all(history_for(o)[-1].reason for o in corrected)


def test_one_or_two_out_of_window_entries_have_deviation_reasons(demo_observations):
    deviations = demo_observations.filter(out_of_window=True)
    assert 1 <= deviations.count() <= 2
    assert all(o.deviation_reason for o in deviations)


def test_seeding_again_adds_nothing(study, demo_observations):
    assert seed_observations(study, seed=7) == 0
