"""Results computed from the analysis plan: labels, order, numbers, Holm, flags, exploratory until locked."""

import json

import pytest
from django.utils import translation

from analysis import plans, stats
from analysis.frames import AnalysedRow, DayMeasures
from analysis.results import AnalysisData, ArmData, compute_results, results_from_data
from analysis.sap import DEFAULT_ROLES, PlanContent

from .conftest import KNOWN_MASSAGE, KNOWN_MORINGA


def keys_and_roles(result):
    return [(entry["key"], entry["role"]) for entry in result["analyses"]]


@pytest.fixture
def locked(study, investigator):
    return plans.lock_plan(study=study, by=investigator, reason="Before results by arm")


def test_without_a_locked_plan_every_analysis_is_exploratory_with_a_notice(known_dataset, study):
    result = compute_results(study)
    assert result["plan"]["status"] == "default"
    assert result["plan"]["exploratory"] is True
    assert {role for _key, role in keys_and_roles(result)} == {"exploratory"}
    assert "exploratory" in result["plan"]["notice"]["en"]
    assert "eksploratif" in result["plan"]["notice"]["id"]
    json.dumps(result, allow_nan=False)


def test_a_draft_plan_is_still_exploratory(known_dataset, study, investigator):
    content = PlanContent()
    fields = plans.PlanFields(dict(content.roles), content.population, content.sensitivity_population, "holm")
    plans.save_plan_draft(study=study, fields=fields, by=investigator)
    result = compute_results(study)
    assert result["plan"]["status"] == "draft"
    assert {role for _key, role in keys_and_roles(result)} == {"exploratory"}


def test_once_locked_the_analyses_carry_their_planned_labels_in_plan_order(known_dataset, study, locked):
    result = compute_results(study)
    assert result["plan"]["exploratory"] is False
    assert result["plan"]["notice"] is None
    assert keys_and_roles(result) == [
        ("wilcoxon_within", "primary"),
        ("mann_whitney_change", "primary"),
        ("mcnemar_indicators", "secondary"),
        ("fisher_indicators", "secondary"),
        ("expressed_volume", "secondary"),
        ("infant_weight", "secondary"),
        ("paired_t_within", "sensitivity"),
        ("welch_t_change", "sensitivity"),
        ("ancova_post", "sensitivity"),
    ]
    first = result["analyses"][0]
    assert first["role_label"] == {"id": "Utama", "en": "Primary"}
    assert first["see"] == "groups[].wilcoxon"


def test_in_the_sensitivity_population_every_planned_analysis_is_a_sensitivity_analysis(known_dataset, study, locked):
    result = compute_results(study, population="per_protocol")
    assert {role for _key, role in keys_and_roles(result)} == {"sensitivity"}


def test_the_numbers_are_those_of_the_statistics_core(known_dataset, study, locked, arm_moringa):
    result = compute_results(study)
    by_key = {entry["key"]: entry for entry in result["analyses"]}
    pre = [pre for pre, _post in KNOWN_MORINGA.values()]
    post = [post for _pre, post in KNOWN_MORINGA.values()]
    assert by_key["paired_t_within"]["result"]["groups"]["moringa"] == stats.paired_t_test(pre, post)
    changes = {
        "moringa": [b - a for a, b in KNOWN_MORINGA.values()],
        "oxytocin_massage": [b - a for a, b in KNOWN_MASSAGE.values()],
    }
    assert by_key["welch_t_change"]["result"] == stats.welch_t_test(changes)
    assert result["normality"]["groups"]["moringa"] == stats.shapiro_wilk(changes["moringa"])
    every = {**KNOWN_MORINGA, **KNOWN_MASSAGE}
    ancova = by_key["ancova_post"]["result"]
    expected = stats.ancova(
        [v[0] for v in every.values()], [v[1] for v in every.values()], [k.startswith("M") for k in every]
    )
    assert ancova["estimate"] == pytest.approx(expected["estimate"])
    assert ancova["first"] == "moringa"


def test_indicators_are_tested_within_and_between_arms_with_holm_adjusted_p(known_dataset, study, locked):
    result = compute_results(study)
    by_key = {entry["key"]: entry for entry in result["analyses"]}
    within = by_key["mcnemar_indicators"]["result"]["indicators"]
    between = by_key["fisher_indicators"]["result"]["indicators"]
    assert [item["indicator"] for item in within] == ["I1", "I2", "I3", "I4"]
    # Scores 1+k meet the first k indicators (conftest.fields_for_score): I1 is met on day 7 when post >= 2.
    i1_day7 = sum(post >= 2 for _pre, post in KNOWN_MORINGA.values())
    assert within[0]["groups"]["moringa"]["met_after"] == i1_day7
    assert between[0]["table"][0] == [i1_day7, len(KNOWN_MORINGA) - i1_day7]
    family = [test for item in within for test in item["groups"].values()] + between
    assert [t["p_holm"] for t in family] == pytest.approx(stats.holm([t["p"] for t in family]))
    volume = by_key["expressed_volume"]["result"]
    assert volume["groups"]["moringa"]["n"] == 0  # not recorded in the known dataset
    assert volume["between"] is None


def test_without_multiplicity_adjustment_there_is_no_holm_p(known_dataset, study, investigator):
    content = PlanContent()
    fields = plans.PlanFields(dict(content.roles), content.population, content.sensitivity_population, "none")
    plans.lock_plan(study=study, by=investigator, reason="Descriptive secondaries", fields=fields)
    result = compute_results(study)
    fisher = next(entry for entry in result["analyses"] if entry["key"] == "fisher_indicators")
    assert all(item["p_holm"] is None for item in fisher["result"]["indicators"])


def test_the_plan_amendments_are_in_the_result(known_dataset, study, locked, coordinator):
    content = PlanContent()
    fields = plans.PlanFields(dict(content.roles), content.population, "", "holm")
    plans.amend_plan(study=study, fields=fields, by=coordinator, reason="No per-protocol analysis")
    (amendment,) = compute_results(study)["plan"]["amendments"]
    assert amendment["version"] == 2
    assert amendment["reason"] == "No per-protocol analysis"
    assert amendment["changed"] == ["sensitivity_population"]


# --- pure stage: flags and the normality text ------------------------------------------------


def data_for(first: list[tuple[int, int]], second: list[tuple[int, int]], *, locked=True) -> AnalysisData:
    arms = [
        ArmData(
            code,
            code.upper(),
            {"id": code.upper(), "en": code.upper()},
            len(pairs),
            {},
            [AnalysedRow(f"{code}-{i:03}", code, a, b) for i, (a, b) in enumerate(pairs)],
            {},
        )
        for code, pairs in (("a", first), ("b", second))
    ]
    plan = {
        "status": "locked" if locked else "default", "locked": locked, "version": 1 if locked else None,
        "locked_at": "2026-01-01T00:00:00+00:00" if locked else None, "population": "complete_cases",
        "sensitivity_population": "per_protocol", "multiplicity": "holm",
        "roles": {str(k): str(v) for k, v in DEFAULT_ROLES.items()},
        "recorded": {"pre_day": 1, "post_day": 7, "alpha": 0.05} if locked else None, "amendments": [],
    }  # fmt: skip
    return AnalysisData("s", "S", "complete_cases", 1, 7, 7, 0.05, arms, plan=plan)


def test_a_sensitivity_analysis_on_the_other_side_of_alpha_is_flagged():
    # Many small gains and a few large losses: the signed ranks say "up" (p < .05), the mean barely moves.
    skewed = [(2, 3)] * 30 + [(5, 1)] * 6
    with translation.override("en"):
        result = results_from_data(data_for(skewed, [(2, 3), (3, 3), (2, 2), (3, 4)]))
    group = result["groups"][0]
    assert group["wilcoxon"]["p_exact"] < 0.05
    t = next(e for e in result["analyses"] if e["key"] == "paired_t_within")["result"]["groups"]["a"]
    assert t["p"] > 0.05
    messages = [flag["message"] for flag in result["flags"] if flag["code"] == "sensitivity_disagrees"]
    assert any("paired t-test" in message and "A" in message for message in messages)


def test_agreeing_analyses_raise_no_disagreement_flag():
    result = results_from_data(data_for([(1, 4), (2, 4), (1, 5), (2, 5)] * 3, [(2, 2), (2, 3), (3, 3), (2, 2)] * 3))
    assert "sensitivity_disagrees" not in {flag["code"] for flag in result["flags"]}


def test_the_normality_text_explains_why_the_rank_tests_are_primary_in_both_languages():
    result = results_from_data(data_for([(2, 3)] * 10 + [(1, 5)] * 2, [(2, 2)] * 10 + [(2, 4)] * 2))
    assert all(test["p"] < 0.05 for test in result["normality"]["groups"].values())
    assert "rank tests" in result["normality"]["explanation"]["en"]
    assert "primary" in result["normality"]["explanation"]["en"]
    assert "Shapiro–Wilk" in result["normality"]["explanation"]["id"]
    assert result["normality"]["explanation"]["id"] != result["normality"]["explanation"]["en"]


def test_a_changed_design_after_locking_is_flagged():
    data = data_for([(1, 4)] * 4, [(2, 2)] * 4)
    data.post_day = 6
    assert "plan_design_changed" in {flag["code"] for flag in results_from_data(data)["flags"]}


def test_labels_are_given_in_both_languages_whatever_the_active_one():
    with translation.override("id"):
        result = results_from_data(data_for([(1, 4)] * 4, [(2, 2)] * 4, locked=False))
    entry = result["analyses"][0]
    assert entry["role_label"] == {"id": "Eksploratif", "en": "Exploratory"}
    assert entry["title"]["en"].startswith("Wilcoxon")


def test_secondary_analyses_use_the_participants_observed_on_both_days_and_each_measure_where_recorded():
    """Indicators: every analysed participant with both days; a measure: only where it was recorded on both."""
    data = data_for([(1, 3)] * 8, [(2, 2)] * 8)
    volume = {  # participant -> (pre, post) expressed volume; None: not recorded that day
        "a-000": (10, 25), "a-001": (12, None), "a-002": (None, 30), "a-003": (8, 20), "a-004": (9, 9),
        "a-005": (15, 40), "b-000": (11, 12), "b-001": (14, 13), "b-002": (None, None), "b-003": (10, 11),
        "b-004": (9, 15), "b-005": (12, 12),
    }  # fmt: skip
    met = {  # participant -> (pre, post) indicators
        pid: ((i % 2 == 0, True, False, i % 3 == 0), (True, i % 2 == 1, i % 4 == 0, True))
        for i, pid in enumerate(f"{arm}-{n:03}" for arm in "ab" for n in range(8))
    }
    for pid, (pre, post) in met.items():
        if pid in ("a-006", "b-007"):
            data.measures[pid] = {1: DayMeasures(pre, None, None)}  # no post day: in no secondary analysis
        elif pid != "b-006":  # b-006: no measures at all
            pre_volume, post_volume = volume.get(pid, (None, None))
            data.measures[pid] = {1: DayMeasures(pre, pre_volume, 3000), 7: DayMeasures(post, post_volume, None)}
    result = results_from_data(data)
    by_key = {entry["key"]: entry["result"] for entry in result["analyses"] if "result" in entry}

    both = {arm: [pid for pid in met if pid.startswith(arm) and pid not in ("a-006", "b-007", "b-006")] for arm in "ab"}
    for index, item in enumerate(by_key["mcnemar_indicators"]["indicators"]):
        for arm in "ab":
            before = [met[pid][0][index] for pid in both[arm]]
            after = [met[pid][1][index] for pid in both[arm]]
            assert item["groups"][arm] | {"p_holm": None} == stats.mcnemar(before, after) | {"p_holm": None}
    for index, item in enumerate(by_key["fisher_indicators"]["indicators"]):
        table = [[sum(met[p][1][index] for p in both[arm]), len(both[arm]) - sum(met[p][1][index] for p in both[arm])]
                 for arm in "ab"]  # fmt: skip
        assert item["table"] == table

    recorded = {arm: [volume[p] for p in both[arm] if None not in volume.get(p, (None, None))] for arm in "ab"}
    assert [len(recorded[arm]) for arm in "ab"] == [4, 5]
    expressed = by_key["expressed_volume"]
    for arm in "ab":
        expected = stats.wilcoxon_signed_rank([a for a, _ in recorded[arm]], [b for _, b in recorded[arm]])
        assert expressed["groups"][arm]["n"] == len(recorded[arm])
        assert expressed["groups"][arm]["test"] == expected
    changes = {arm: [b - a for a, b in recorded[arm]] for arm in "ab"}
    assert expressed["between"]["test"] == stats.mann_whitney(changes)
    weight = by_key["infant_weight"]
    assert [weight["groups"][arm]["n"] for arm in "ab"] == [0, 0]  # weighed on the pre day only
    assert weight["between"] is None
