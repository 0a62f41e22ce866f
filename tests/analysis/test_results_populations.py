"""Who is analysed: complete cases versus per protocol, the reasons counted, and data_sha256."""

import json
from datetime import timedelta

import pytest

from analysis.frames import analysed_rows, canonical_rows_sha256
from analysis.results import compute_results
from tests.analysis.conftest import RESULTS_START

pytestmark = pytest.mark.django_db

PRE_POST = {1: 2, 7: 4}


@pytest.fixture
def mixed_cohort(enrol_with_scores, arm_moringa, arm_massage):
    """Moringa: one of every kind of participant; massage: one adherent, one with 0-minute massages."""
    make = enrol_with_scores
    make(arm_moringa, "M-OK", PRE_POST)
    make(arm_moringa, "M-LATE-POST", PRE_POST, late={7})  # out of window on the post day
    make(arm_moringa, "M-LATE-MID", {1: 2, 4: 3, 7: 4}, late={4})  # out of window on another day: still per protocol
    make(arm_moringa, "M-NO-TWICE", {1: 2, 2: 2, 3: 2, 7: 4}, adherence={2: "no", 3: "no"})
    make(arm_moringa, "M-NO-ONCE", {1: 2, 2: 2, 7: 4}, adherence={2: "no"})
    make(arm_moringa, "M-PARTLY", {1: 2, 2: 2, 3: 2, 4: 2, 7: 4}, adherence={2: "partly", 3: "partly", 4: "partly"})
    make(arm_moringa, "M-EXCLUDED", PRE_POST, excluded=True)
    make(arm_moringa, "M-NO-PRE", {7: 4}, missing={1})
    make(arm_moringa, "M-NO-POST", {1: 2}, missing={7})
    make(arm_moringa, "M-WITHDRAWN", {1: 2}, withdrawn_on=RESULTS_START + timedelta(days=2))
    make(arm_moringa, "M-NOTHING", {})
    make(arm_moringa, "M-LOST", {1: 2}, lost_on=RESULTS_START + timedelta(days=4))
    # Withdrawn on day 7, after the visit: she has both scores, so she is analysed.
    make(arm_moringa, "M-LEFT-LATE", PRE_POST, withdrawn_on=RESULTS_START + timedelta(days=6))
    make(arm_massage, "X-OK", PRE_POST, adherence={1: "yes", 7: "yes"}, minutes={1: 15, 7: 20})
    make(arm_massage, "X-ZERO", {1: 2, 2: 2, 3: 2, 7: 4}, adherence={2: "yes", 3: "yes"}, minutes={2: 0, 3: 0})


def test_complete_cases_keep_everyone_with_both_scores_who_is_not_excluded(mixed_cohort, study):
    ids = [row.participant_id for row in analysed_rows(study, population="complete_cases")]
    assert ids == [
        "M-LATE-MID", "M-LATE-POST", "M-LEFT-LATE", "M-NO-ONCE", "M-NO-TWICE", "M-OK", "M-PARTLY", "X-OK", "X-ZERO"
    ]  # fmt: skip


def test_per_protocol_also_drops_deviations_on_the_test_days_and_repeated_non_adherence(mixed_cohort, study):
    ids = [row.participant_id for row in analysed_rows(study, population="per_protocol")]
    assert ids == ["M-LATE-MID", "M-LEFT-LATE", "M-NO-ONCE", "M-OK", "M-PARTLY", "X-OK"]


def test_complete_cases_count_each_reason_once(mixed_cohort, study):
    moringa = compute_results(study)["groups"][0]
    assert (moringa["n_enrolled"], moringa["n_complete"], moringa["n_excluded"]) == (13, 7, 6)
    assert moringa["excluded"] == {
        "excluded_from_analysis": 1,
        "withdrawn_before_post_day": 1,
        "lost_to_follow_up_before_post_day": 1,
        "missing_pre_and_post": 1,
        "missing_pre": 1,
        "missing_post": 1,
        "protocol_deviation": 0,
        "non_adherence": 0,
        "excluded_from_per_protocol": 0,
    }


def test_per_protocol_reports_deviation_and_non_adherence(mixed_cohort, study):
    result = compute_results(study, population="per_protocol")
    moringa, massage = result["groups"]
    assert result["population"] == "per_protocol"
    excluded = moringa["excluded"]
    assert (moringa["n_complete"], excluded["protocol_deviation"], excluded["non_adherence"]) == (5, 1, 1)
    assert (massage["n_enrolled"], massage["n_complete"], massage["excluded"]["non_adherence"]) == (2, 1, 1)
    assert result["data_sha256"] == canonical_rows_sha256(analysed_rows(study, population="per_protocol"))
    assert result["data_sha256"] != compute_results(study)["data_sha256"]
    json.dumps(result, allow_nan=False)


def test_the_daily_chart_uses_the_analysed_participants_only(mixed_cohort, study):
    daily = compute_results(study, population="per_protocol")["daily"]["moringa"]
    # Day 2 scores of analysed moringa participants: M-NO-ONCE and M-PARTLY (M-NO-TWICE is out).
    assert daily[1]["n"] == 2
    assert daily[0]["n"] == 5


# --- data_sha256 ---------------------------------------------------------------------------------


def test_sha256_does_not_depend_on_row_order():
    rows = [("P-2", "a", 1, 3), ("P-1", "b", 2, 2), ("P-10", "a", 5, 4)]
    assert canonical_rows_sha256(rows) == canonical_rows_sha256(list(reversed(rows)))
    assert canonical_rows_sha256(rows) == canonical_rows_sha256(sorted(rows, key=lambda row: row[2]))


def test_sha256_changes_when_one_score_changes():
    rows = [("P-1", "a", 1, 3), ("P-2", "b", 2, 2)]
    assert canonical_rows_sha256(rows) != canonical_rows_sha256([("P-1", "a", 1, 4), ("P-2", "b", 2, 2)])
    assert canonical_rows_sha256(rows) != canonical_rows_sha256([("P-1", "b", 1, 3), ("P-2", "b", 2, 2)])


def test_sha256_treats_float_scores_like_integers_and_refuses_fractions():
    assert canonical_rows_sha256([("P-1", "a", 1.0, 3.0)]) == canonical_rows_sha256([("P-1", "a", 1, 3)])
    with pytest.raises(ValueError, match="integers"):
        canonical_rows_sha256([("P-1", "a", 1.5, 3)])
    with pytest.raises(ValueError, match="canonical"):
        canonical_rows_sha256([("P,1", "a", 1, 3)])


def test_stored_sha256_changes_when_a_stored_score_changes(enrol_with_scores, arm_moringa, study):
    participant = enrol_with_scores(arm_moringa, "M-01", {1: 2, 7: 4})
    enrol_with_scores(arm_moringa, "M-02", {1: 3, 7: 3})
    before = compute_results(study)["data_sha256"]
    assert compute_results(study)["data_sha256"] == before
    observation = participant.observations.get(day=7)
    observation.feeds_24h = 2  # I1 no longer met: score 4 → 3
    observation.save()
    assert compute_results(study)["data_sha256"] != before


def test_the_observations_are_read_a_chunk_at_a_time_through_a_server_side_cursor(mixed_cohort, study, monkeypatch):
    """The same result whether the rows come in chunks of two through a server-side cursor (the memory of a
    100,000-participant analysis) or all at once (DATABASE_DISABLE_SERVER_SIDE_CURSORS, behind a pooler)."""
    from django.db import connection

    from analysis import frames

    def without_time(result):
        return {key: value for key, value in result.items() if key != "generated_at"}

    at_once = {}
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    for population in ("complete_cases", "per_protocol"):
        at_once[population] = without_time(compute_results(study, population=population))

    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", False)
    monkeypatch.setattr(frames, "CHUNK", 2)
    opened = []
    chunked_cursor = connection.chunked_cursor
    monkeypatch.setattr(connection, "chunked_cursor", lambda: opened.append(1) or chunked_cursor())
    for population in ("complete_cases", "per_protocol"):
        assert without_time(compute_results(study, population=population)) == at_once[population]
    assert len(opened) == 4  # the observations and the pre/post days' measures, for each population
