"""Pure rules: eligibility, schedule, permuted blocks (no database)."""

from collections import Counter
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrollment.eligibility import EXCLUSION, INCLUSION, Rule, assess
from enrollment.randomization import default_block_sizes, permuted_blocks
from enrollment.schedule import schedule

RULES = [Rule("breastfeeding", INCLUSION), Rule("catchment", INCLUSION), Rule("mastitis", EXCLUSION)]


def test_all_inclusions_yes_and_exclusions_no_is_eligible():
    verdict = assess(RULES, {"breastfeeding": True, "catchment": True, "mastitis": False})
    assert verdict.eligible
    assert verdict.reasons == ()


def test_an_inclusion_answered_no_is_the_reason_for_ineligibility():
    verdict = assess(RULES, {"breastfeeding": True, "catchment": False, "mastitis": False})
    assert not verdict.eligible
    assert verdict.failed_codes == {"catchment"}


def test_an_exclusion_answered_yes_is_the_reason_for_ineligibility():
    verdict = assess(RULES, {"breastfeeding": True, "catchment": True, "mastitis": True})
    assert verdict.failed_codes == {"mastitis"}


def test_an_unanswered_criterion_makes_her_not_eligible_and_says_so():
    verdict = assess(RULES, {"breastfeeding": True, "mastitis": False})
    assert not verdict.eligible
    assert [(r.code, r.unanswered) for r in verdict.reasons] == [("catchment", True)]


def test_a_study_without_criteria_cannot_screen():
    with pytest.raises(ValueError, match="at least one"):
        assess([], {})


@given(st.lists(st.sampled_from([True, False, None]), min_size=3, max_size=3))
def test_eligible_exactly_when_no_criterion_fails(values):
    answers = dict(zip(["breastfeeding", "catchment", "mastitis"], values, strict=True))
    expected = values[0] is True and values[1] is True and values[2] is False
    verdict = assess(RULES, answers)
    assert verdict.eligible == expected
    assert verdict.eligible == (not verdict.reasons)


def test_schedule_runs_from_day_1_with_windows_that_never_open_before_day_1():
    days = schedule(date(2026, 1, 30), 7, 1)
    assert [d.day for d in days] == [1, 2, 3, 4, 5, 6, 7]
    assert days[0].target == date(2026, 1, 30)
    assert days[0].earliest == date(2026, 1, 30)
    assert (days[2].earliest, days[2].target, days[2].latest) == (date(2026, 1, 31), date(2026, 2, 1), date(2026, 2, 2))
    assert days[6].latest == date(2026, 2, 6)
    assert days[3].contains(date(2026, 2, 3))
    assert not days[3].contains(date(2026, 2, 5))


def test_schedule_with_no_window_has_single_day_windows():
    assert all(d.earliest == d.target == d.latest for d in schedule(date(2026, 5, 1), 3, 0))


def test_permuted_blocks_are_reproducible_from_the_seed():
    first = permuted_blocks(["a", "b"], 40, seed="42:SRP1", block_sizes=(2, 4))
    again = permuted_blocks(["a", "b"], 40, seed="42:SRP1", block_sizes=(2, 4))
    other = permuted_blocks(["a", "b"], 40, seed="43:SRP1", block_sizes=(2, 4))
    assert first == again
    assert [s.arm for s in first] != [s.arm for s in other]


@given(st.text(min_size=1, max_size=12), st.integers(1, 60))
def test_every_block_is_balanced_and_the_list_is_whole_blocks(seed, n):
    slots = permuted_blocks(["a", "b"], n, seed=seed, block_sizes=default_block_sizes(2))
    assert len(slots) >= n
    assert [s.sequence for s in slots] == list(range(1, len(slots) + 1))
    for block in {s.block for s in slots}:
        members = [s for s in slots if s.block == block]
        assert len(members) == members[0].block_size
        assert Counter(s.arm for s in members) == {"a": len(members) // 2, "b": len(members) // 2}


def test_block_sizes_vary():
    slots = permuted_blocks(["a", "b"], 100, seed="vary", block_sizes=(2, 4))
    assert {s.block_size for s in slots} == {2, 4}


def test_block_size_must_be_a_multiple_of_the_arms():
    with pytest.raises(ValueError, match="multiple"):
        permuted_blocks(["a", "b"], 4, seed="x", block_sizes=(3,))
