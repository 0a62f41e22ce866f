"""Edge cases and invariances of compute_results, through the whole function."""

import json
from datetime import timedelta

import pytest

from analysis.results import compute_results
from enrollment.models import Arm, Participant, Site, Study
from observations.models import Observation
from tests.analysis.conftest import RESULTS_START, fields_for_score

pytestmark = pytest.mark.django_db


def test_an_arm_without_complete_cases_gives_none_statistics_and_a_flag(enrol_with_scores, arm_moringa, study):
    for index, (pre, post) in enumerate([(1, 3), (2, 4), (2, 2), (3, 5)]):
        enrol_with_scores(arm_moringa, f"M-{index}", {1: pre, 7: post})
    result = compute_results(study)
    json.dumps(result, allow_nan=False)
    massage = result["groups"][1]
    assert (massage["n_enrolled"], massage["n_complete"]) == (0, 0)
    assert massage["pre"]["n"] == 0
    assert massage["pre"]["mean"] is None
    assert massage["wilcoxon"]["z"] is None
    assert massage["wilcoxon"]["p_exact"] is None
    change = result["mann_whitney"]["change"]
    assert change["groups"]["oxytocin_massage"]["n"] == 0
    assert change["u"] is None
    assert change["p_asymptotic"] is None
    assert "no_complete_cases" in [flag["code"] for flag in result["flags"]]


def test_a_study_with_a_single_arm_has_no_comparison_and_says_why(db, enrol_with_scores):
    solo = Study.objects.create(slug="solo", title_id="Tunggal", title_en="Single arm")
    arm = Arm.objects.create(study=solo, code="only", label_id="Satu", label_en="One")
    site = Site.objects.create(study=solo, code="ONE", name="Puskesmas Satu")
    for index, (pre, post) in enumerate([(1, 3), (2, 5), (2, 2)]):
        mother = Participant.objects.create(
            study=solo,
            site=site,
            arm=arm,
            participant_id=f"S-{index}",
            enrolled_on=RESULTS_START,
            intervention_start=RESULTS_START,
        )
        for day, score in ((1, pre), (7, post)):
            observed_on = RESULTS_START + timedelta(days=day - 1)
            Observation.objects.create(participant=mother, day=day, observed_on=observed_on, **fields_for_score(score))
    start = {"enrolled_on": RESULTS_START, "intervention_start": RESULTS_START}
    Participant.objects.create(study=solo, site=site, arm=arm, participant_id="S-9", **start)
    result = compute_results(solo)
    json.dumps(result, allow_nan=False)
    assert [group["code"] for group in result["groups"]] == ["only"]
    assert result["mann_whitney"] == {}
    assert result["groups"][0]["excluded"]["missing_pre_and_post"] == 1
    # d = 2, 3, 0: W+ = 1 + 2 = 3 over two non-zero differences, one tie; exact p = 2 · 1/4.
    assert result["groups"][0]["wilcoxon"]["positive"]["sum_ranks"] == 3.0
    assert result["groups"][0]["wilcoxon"]["ties"] == 1
    assert result["groups"][0]["wilcoxon"]["p_exact"] == 0.5
    assert "no_between_group_comparison" in [flag["code"] for flag in result["flags"]]


def test_choosing_one_arm_of_two_analyses_that_arm_only(enrol_with_scores, arm_moringa, arm_massage, study):
    enrol_with_scores(arm_moringa, "M-1", {1: 1, 7: 3})
    enrol_with_scores(arm_massage, "X-1", {1: 1, 7: 4})
    result = compute_results(study, arms=["oxytocin_massage"])
    assert [group["code"] for group in result["groups"]] == ["oxytocin_massage"]
    assert result["mann_whitney"] == {}
    assert set(result["daily"]) == {"oxytocin_massage"}


def test_all_differences_zero_give_p_one_and_no_z(enrol_with_scores, arm_moringa, arm_massage, study):
    for index, score in enumerate([1, 2, 3, 3, 4, 5]):
        enrol_with_scores(arm_moringa, f"M-{index}", {1: score, 7: score})
        enrol_with_scores(arm_massage, f"X-{index}", {1: score, 7: score})
    result = compute_results(study)
    json.dumps(result, allow_nan=False)
    test = result["groups"][0]["wilcoxon"]
    assert (test["ties"], test["z"], test["p_asymptotic"], test["p_exact"], test["direction"]) == (
        6,
        None,
        1.0,
        1.0,
        "none",
    )
    change = result["mann_whitney"]["change"]
    assert (change["z"], change["p_asymptotic"], change["p_exact"]) == (None, 1.0, 1.0)


def test_swapping_the_arm_order_flips_signs_not_p_values(known_dataset, study):
    forward = compute_results(study)
    backward = compute_results(study, arms=["oxytocin_massage", "moringa"])
    assert [g["code"] for g in backward["groups"]] == ["oxytocin_massage", "moringa"]
    assert backward["groups"] == list(reversed(forward["groups"]))
    assert backward["data_sha256"] == forward["data_sha256"]
    for key in ("change", "post", "pre"):
        a, b = forward["mann_whitney"][key], backward["mann_whitney"][key]
        assert list(b["groups"]) == ["oxytocin_massage", "moringa"]
        for same in ("u", "z", "p_asymptotic", "p_exact", "r", "higher_group"):
            assert b[same] == a[same], (key, same)
        assert b["rank_biserial"] == -a["rank_biserial"]
        assert b["hodges_lehmann"] == -a["hodges_lehmann"]
        assert b["ci95"] == [-a["ci95"][1], -a["ci95"][0]]
    assert forward["mann_whitney"]["change"]["rank_biserial"] < 0 < backward["mann_whitney"]["change"]["rank_biserial"]
