"""compute_results on a small known dataset: every number against an independent computation.

The known dataset (conftest): six mothers per arm, pre = day 1, post = day 7.
  moringa  d = post − pre: 2, 2, 0, 2, 1, 1
  massage  d = post − pre: 3, 3, 0, 2, 3, 3
Expected numbers come from numpy/scipy and brute-force enumeration here, not from analysis.stats.
"""

import hashlib
import itertools
import json
import math

import numpy as np
import pytest
from scipy import stats as sps

from analysis.frames import analysed_rows, canonical_rows_sha256
from analysis.results import POPULATIONS, compute_results
from tests.analysis.conftest import KNOWN_MASSAGE, KNOWN_MORINGA

pytestmark = pytest.mark.django_db

TOP_KEYS = {
    "study",
    "generated_at",
    "data_sha256",
    "outcome",
    "pre_day",
    "post_day",
    "alpha",
    "groups",
    "mann_whitney",
    "flags",
}
GROUP_KEYS = {"code", "label", "n_enrolled", "n_complete", "pre", "post", "wilcoxon"}
DESCRIBE_KEYS = {"n", "mean", "median", "sd", "min", "max", "q1", "q3"}
WILCOXON_KEYS = {
    "negative",
    "positive",
    "ties",
    "z",
    "direction",
    "p_asymptotic",
    "p_exact",
    "r",
    "rank_biserial",
    "hodges_lehmann",
    "ci95",
}
RANK_KEYS = {"n", "mean_rank", "sum_ranks"}
MW_KEYS = {"groups", "u", "z", "p_asymptotic", "p_exact", "r", "rank_biserial", "hodges_lehmann", "ci95"}


def pre_post(table):
    return [pre for pre, _ in table.values()], [post for _, post in table.values()]


def brute_force_signed_rank_p(d):
    nonzero = [x for x in d if x != 0]
    ranks = sps.rankdata(np.abs(nonzero))
    observed = abs(sum(r for r, x in zip(ranks, nonzero, strict=True) if x > 0) - ranks.sum() / 2)
    hits = [
        abs(sum(r for r, s in zip(ranks, signs, strict=True) if s) - ranks.sum() / 2) >= observed - 1e-9
        for signs in itertools.product((0, 1), repeat=len(nonzero))
    ]
    return sum(hits) / len(hits)


def brute_force_rank_sum_p(x, y):
    ranks = sps.rankdata(np.concatenate([x, y]))
    mean = len(x) * (len(ranks) + 1) / 2
    observed = abs(ranks[: len(x)].sum() - mean)
    splits = list(itertools.combinations(range(len(ranks)), len(x)))
    return sum(abs(ranks[list(s)].sum() - mean) >= observed - 1e-9 for s in splits) / len(splits)


def spss_quartiles(values):
    return tuple(float(q) for q in np.quantile(values, [0.25, 0.75], method="weibull"))


def test_result_has_every_key_of_the_contract_and_dumps_as_strict_json(known_dataset, study):
    result = compute_results(study)
    assert set(result) >= TOP_KEYS
    assert json.loads(json.dumps(result, allow_nan=False)) == result
    for group in result["groups"]:
        assert set(group) >= GROUP_KEYS
        assert set(group["pre"]) >= DESCRIBE_KEYS
        assert set(group["post"]) >= DESCRIBE_KEYS
        assert set(group["wilcoxon"]) >= WILCOXON_KEYS
        assert set(group["wilcoxon"]["negative"]) >= RANK_KEYS
        assert set(group["wilcoxon"]["positive"]) >= RANK_KEYS
    assert set(result["mann_whitney"]) == {"change", "post", "pre"}
    for test in result["mann_whitney"].values():
        assert set(test) >= MW_KEYS
        assert all(set(g) >= RANK_KEYS for g in test["groups"].values())
    assert all(set(flag) == {"code", "message"} for flag in result["flags"])


def test_header_values_come_from_the_study(known_dataset, study):
    result = compute_results(study)
    assert (result["study"], result["outcome"], result["pre_day"], result["post_day"]) == (study.slug, "score", 1, 7)
    assert result["alpha"] == 0.05
    assert type(result["alpha"]) is float
    assert result["population"] == "complete_cases"
    assert result["n_days"] == 7
    assert result["generated_at"].endswith("+00:00")  # aware ISO-8601 (UTC)
    assert [g["code"] for g in result["groups"]] == ["moringa", "oxytocin_massage"]
    assert [(g["n_enrolled"], g["n_complete"]) for g in result["groups"]] == [(6, 6), (6, 6)]


@pytest.mark.parametrize(("index", "table"), [(0, KNOWN_MORINGA), (1, KNOWN_MASSAGE)])
def test_descriptives_equal_numpy(known_dataset, study, index, table):
    group = compute_results(study)["groups"][index]
    for key, values in zip(("pre", "post"), pre_post(table), strict=True):
        q1, q3 = spss_quartiles(values)
        expected = {
            "n": 6,
            "mean": float(np.mean(values)),
            "median": float(np.median(values)),
            "sd": float(np.std(values, ddof=1)),
            "min": float(min(values)),
            "max": float(max(values)),
            "q1": q1,
            "q3": q3,
        }
        assert group[key] == pytest.approx(expected, rel=1e-12)


def test_wilcoxon_of_moringa_equals_the_hand_computation(known_dataset, study):
    # Non-zero d: 2, 2, 2, 1, 1 → |d| mid-ranks 4, 4, 4, 1.5, 1.5; W+ = 15, W− = 0, one tie (zero).
    # sigma² = 5·6·11/24 − ((27 − 3) + (8 − 2))/48 = 13.125; z = (0 − 7.5)/sigma.
    test = compute_results(study)["groups"][0]["wilcoxon"]
    assert test["positive"] == {"n": 5, "mean_rank": 3.0, "sum_ranks": 15.0}
    assert test["negative"] == {"n": 0, "mean_rank": None, "sum_ranks": 0.0}
    assert test["ties"] == 1
    assert test["direction"] == "positive"
    assert test["z"] == pytest.approx(-7.5 / math.sqrt(13.125), rel=1e-12)
    assert test["p_exact"] == pytest.approx(2 / 32, rel=1e-12)
    assert test["r"] == pytest.approx(7.5 / math.sqrt(13.125) / math.sqrt(6), rel=1e-12)
    assert test["rank_biserial"] == 1.0


@pytest.mark.parametrize(("index", "table"), [(0, KNOWN_MORINGA), (1, KNOWN_MASSAGE)])
def test_wilcoxon_p_values_equal_scipy_and_brute_force(known_dataset, study, index, table):
    pre, post = pre_post(table)
    d = np.subtract(post, pre)
    test = compute_results(study)["groups"][index]["wilcoxon"]
    scipy_p = sps.wilcoxon(d, zero_method="wilcox", correction=False, method="approx").pvalue
    assert test["p_asymptotic"] == pytest.approx(scipy_p, rel=1e-10)
    assert test["p_exact"] == pytest.approx(brute_force_signed_rank_p(d), rel=1e-12)
    walsh = [(d[i] + d[j]) / 2 for i in range(len(d)) for j in range(i, len(d))]
    assert test["hodges_lehmann"] == float(np.median(walsh))


@pytest.mark.parametrize("key", ["change", "post", "pre"])
def test_mann_whitney_equals_scipy_and_brute_force(known_dataset, study, key):
    values = {
        "change": lambda pre, post: np.subtract(post, pre),
        "post": lambda pre, post: np.array(post),
        "pre": lambda pre, post: np.array(pre),
    }[key]
    x, y = values(*pre_post(KNOWN_MORINGA)), values(*pre_post(KNOWN_MASSAGE))
    test = compute_results(study)["mann_whitney"][key]
    ranks = sps.rankdata(np.concatenate([x, y]))
    u1 = ranks[:6].sum() - 21
    assert test["groups"]["moringa"] == {"n": 6, "mean_rank": ranks[:6].mean(), "sum_ranks": ranks[:6].sum()}
    assert test["groups"]["oxytocin_massage"]["sum_ranks"] == ranks[6:].sum()
    assert test["u"] == min(u1, 36 - u1)
    assert test["rank_biserial"] == pytest.approx((u1 - (36 - u1)) / 36, abs=1e-12)
    scipy_result = sps.mannwhitneyu(x, y, use_continuity=False, method="asymptotic")
    assert test["p_asymptotic"] == pytest.approx(scipy_result.pvalue, rel=1e-10)
    assert test["p_exact"] == pytest.approx(brute_force_rank_sum_p(x, y), rel=1e-12)
    assert test["r"] == pytest.approx(abs(test["z"]) / math.sqrt(12), rel=1e-12)
    assert test["hodges_lehmann"] == float(np.median(np.subtract.outer(x, y)))


def test_change_comparison_has_the_known_u_and_z(known_dataset, study):
    # Pooled change 0 0 | 1 1 | 2 2 2 2 | 3 3 3 3 → mid-ranks 1.5, 3.5, 6.5, 10.5; moringa 6.5·3 + 3.5·2 + 1.5 = 28.
    test = compute_results(study)["mann_whitney"]["change"]
    assert test["groups"]["moringa"]["sum_ranks"] == 28.0
    assert test["u"] == 7.0
    sigma = math.sqrt(36 / 12 * (13 - (6 + 6 + 60 + 60) / 132))
    assert test["z"] == pytest.approx((7 - 18) / sigma, rel=1e-12)
    assert test["higher_group"] == "oxytocin_massage"


def test_flags_say_there_are_fewer_than_ten_nonzero_differences(known_dataset, study):
    codes = [flag["code"] for flag in compute_results(study)["flags"]]
    assert codes.count("few_nonzero_differences") == 2


def test_daily_summary_has_every_day_per_arm(known_dataset, study):
    daily = compute_results(study)["daily"]
    assert set(daily) == {"moringa", "oxytocin_massage"}
    assert [row["day"] for row in daily["moringa"]] == list(range(1, 8))
    assert daily["moringa"][3] == {"day": 4, "n": 6, "median": 3.0, "q1": 3.0, "q3": 3.0, "mean": 3.0}
    assert daily["moringa"][1] == {"day": 2, "n": 0, "median": None, "q1": None, "q3": None, "mean": None}
    post = [post for _, post in KNOWN_MASSAGE.values()]
    q1, q3 = spss_quartiles(post)
    assert daily["oxytocin_massage"][6] == pytest.approx(
        {"day": 7, "n": 6, "median": float(np.median(post)), "q1": q1, "q3": q3, "mean": float(np.mean(post))}
    )


def test_data_sha256_is_the_sha256_of_the_documented_csv(known_dataset, study):
    lines = ["participant_id,arm_code,pre_score,post_score"]
    table = {**KNOWN_MORINGA, **KNOWN_MASSAGE}
    lines += [
        f"{pid},{'moringa' if pid[0] == 'M' else 'oxytocin_massage'},{pre},{post}"
        for pid, (pre, post) in sorted(table.items())
    ]
    expected = hashlib.sha256(("\n".join(lines) + "\n").encode("utf-8")).hexdigest()
    assert compute_results(study)["data_sha256"] == expected
    assert canonical_rows_sha256(analysed_rows(study, population="complete_cases")) == expected


def test_analysed_rows_are_participant_arm_pre_post_sorted_by_id(known_dataset, study):
    rows = analysed_rows(study, population="complete_cases")
    assert [tuple(row) for row in rows[:2]] == [("M-01", "moringa", 1, 3), ("M-02", "moringa", 2, 4)]
    assert [row.participant_id for row in rows] == sorted([*KNOWN_MORINGA, *KNOWN_MASSAGE])


def test_unknown_population_and_arm_are_value_errors(study):
    with pytest.raises(ValueError, match="per_protocol"):
        compute_results(study, population="everyone")
    with pytest.raises(ValueError, match="placebo"):
        compute_results(study, arms=["placebo"])
    assert POPULATIONS == ("complete_cases", "per_protocol")


def test_query_count_does_not_grow_with_participants(
    study, enrol_with_scores, arm_moringa, arm_massage, django_assert_num_queries
):
    # arms, participants, observations; the analysis plan; instrument thresholds and the secondary outcomes
    enrol_with_scores(arm_moringa, "A-01", {1: 1, 7: 3})
    with django_assert_num_queries(6):
        compute_results(study)
    for index in range(8):
        enrol_with_scores(arm_massage, f"B-{index:02}", {1: 2, 7: 4})
    with django_assert_num_queries(6):
        compute_results(study)
