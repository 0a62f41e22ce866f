"""The score of instrument.md: 1 + indicators met, with the boundaries of each indicator."""

from decimal import Decimal

import pytest

from observations.scoring import Thresholds, compute_score, indicators

BASE = {"feeds_24h": 10, "wet_diapers_24h": 7, "sleep_after_feed_hours": Decimal("3"), "breast_full_then_soft": True}


@pytest.mark.parametrize(("feeds", "met"), [(7, False), (8, True), (12, True), (13, False)])
def test_feeding_indicator_holds_from_8_to_12_feeds(feeds, met):
    assert indicators(**{**BASE, "feeds_24h": feeds})[0] is met


@pytest.mark.parametrize(("diapers", "met"), [(5, False), (6, True)])
def test_urination_indicator_needs_6_wet_diapers(diapers, met):
    assert indicators(**{**BASE, "wet_diapers_24h": diapers})[1] is met


@pytest.mark.parametrize(("hours", "met"), [(Decimal("1.5"), False), (Decimal("2.0"), True)])
def test_settling_indicator_needs_2_hours(hours, met):
    assert indicators(**{**BASE, "sleep_after_feed_hours": hours})[2] is met


def test_all_indicators_met_scores_5():
    assert compute_score(**BASE) == 5


def test_no_indicator_met_scores_1():
    values = {"feeds_24h": 13, "wet_diapers_24h": 5, "sleep_after_feed_hours": Decimal("1.5")}
    assert compute_score(**{**BASE, **values, "breast_full_then_soft": False}) == 1


@pytest.mark.parametrize(("feeds", "expected"), [(7, 4), (8, 5), (12, 5), (13, 4)])
def test_score_drops_by_one_outside_the_feeding_range(feeds, expected):
    assert compute_score(**{**BASE, "feeds_24h": feeds}) == expected


def test_study_thresholds_change_the_score():
    strict = Thresholds(feeds_min=10, feeds_max=11, wet_diapers_min=8, sleep_hours_min=Decimal("3.5"))
    assert compute_score(**BASE, thresholds=strict) == 3
