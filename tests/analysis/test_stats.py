"""The statistics core against published reference values, hand-checked SPSS numbers and edge cases.

No database and no Django: analysis.stats is pure numpy/scipy.
"""

import json
import math

import numpy as np
import pytest

from analysis.stats import describe, mann_whitney, rank_sum_exact_p, signed_rank_exact_p, wilcoxon_signed_rank

# Hollander & Wolfe, as in R's wilcox.test examples (analysis.md "Reference values").
PAIRED_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
PAIRED_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
TWO_SAMPLE_X = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
TWO_SAMPLE_Y = [1.15, 0.88, 0.90, 0.74, 1.21]

# A small integer-score example worked by hand (see the comments in the tests using it).
PRE = [2, 3, 2, 1, 3, 2, 4, 2]
POST = [4, 3, 3, 3, 2, 4, 5, 2]


def assert_json_safe(value):
    """Only dict/list/str/bool/int/float/None, no NaN or inf: json.dumps must accept it strictly."""
    json.dumps(value, allow_nan=False)
    if isinstance(value, dict):
        for item in value.values():
            assert_json_safe(item)
    elif isinstance(value, list):
        for item in value:
            assert_json_safe(item)
    else:
        assert value is None or type(value) in (str, bool, int, float), type(value)


# --- reference values -------------------------------------------------------------------------


def test_paired_reference_gives_w_plus_40_and_one_sided_exact_p_0_01953():
    result = wilcoxon_signed_rank(pre=PAIRED_Y, post=PAIRED_X)  # d = x − y
    assert result["w_plus"] == 40
    assert result["positive"]["sum_ranks"] == 40
    assert signed_rank_exact_p(np.subtract(PAIRED_X, PAIRED_Y), "greater").p == pytest.approx(0.01953, abs=5e-6)
    assert signed_rank_exact_p(np.subtract(PAIRED_X, PAIRED_Y), "greater").p == pytest.approx(10 / 512, rel=1e-12)


def test_paired_reference_two_sided_exact_p_is_twice_the_one_sided():
    result = wilcoxon_signed_rank(pre=PAIRED_Y, post=PAIRED_X)
    assert result["p_exact"] == pytest.approx(0.0390625, rel=1e-12)
    assert result["direction"] == "positive"


def test_two_sample_reference_gives_w_35_and_one_sided_exact_p_0_1272():
    result = mann_whitney({"x": TWO_SAMPLE_X, "y": TWO_SAMPLE_Y})
    m = len(TWO_SAMPLE_X)
    assert result["groups"]["x"]["sum_ranks"] - m * (m + 1) / 2 == 35  # R's W is U of the first group
    assert rank_sum_exact_p(TWO_SAMPLE_X, TWO_SAMPLE_Y, "greater").p == pytest.approx(0.1272, abs=5e-5)


def test_two_sample_reference_two_sided_exact_p_is_0_2544():
    result = mann_whitney({"x": TWO_SAMPLE_X, "y": TWO_SAMPLE_Y})
    assert result["p_exact"] == pytest.approx(0.2544, abs=5e-5)
    assert result["u"] == 15
    assert result["higher_group"] == "x"


# --- SPSS-style numbers, worked by hand --------------------------------------------------------


def test_signed_rank_table_matches_the_hand_computation():
    # d = 2, 0, 1, 2, −1, 2, 1, 0: two zeros (ties); |d| = 1 three times → mid-rank 2,
    # |d| = 2 three times → mid-rank 5. Negative: one rank 2. Positive: 5 + 2 + 5 + 5 + 2 = 19.
    result = wilcoxon_signed_rank(PRE, POST)
    assert result["negative"] == {"n": 1, "mean_rank": 2.0, "sum_ranks": 2.0}
    assert result["positive"] == {"n": 5, "mean_rank": 3.8, "sum_ranks": 19.0}
    assert result["ties"] == 2
    assert (result["n_pairs"], result["n_nonzero"]) == (8, 6)
    # sigma² = 6·7·13/24 − (24 + 24)/48 = 21.75; z = (2 − 10.5)/sigma
    assert result["z"] == pytest.approx(-8.5 / math.sqrt(21.75), rel=1e-12)
    assert result["direction"] == "positive"
    assert result["r"] == pytest.approx(8.5 / math.sqrt(21.75) / math.sqrt(8), rel=1e-12)
    assert result["rank_biserial"] == pytest.approx((19 - 2) / 21, rel=1e-12)


def test_signed_rank_exact_p_matches_the_hand_count():
    # W+ = 2a + 5b with a, b ~ Binomial(3, 1/2); |W+ − 10.5| ≥ 8.5 for (a, b) = (2, 3), (3, 3),
    # (0, 0), (1, 0): (3 + 1 + 1 + 3)/64.
    assert wilcoxon_signed_rank(PRE, POST)["p_exact"] == pytest.approx(8 / 64, rel=1e-12)


def test_rank_sum_table_matches_the_hand_computation():
    # Pooled 1 | 2 2 2 | 3 3 3 | 4 4 → mid-ranks 1 | 3 | 6 | 8.5.
    # A = 1, 2, 2, 3 → 1 + 3 + 3 + 6 = 13; B = 2, 3, 3, 4, 4 → 3 + 6 + 6 + 8.5 + 8.5 = 32.
    result = mann_whitney({"A": [1, 2, 2, 3], "B": [2, 3, 3, 4, 4]})
    assert result["groups"] == {
        "A": {"n": 4, "mean_rank": 3.25, "sum_ranks": 13.0},
        "B": {"n": 5, "mean_rank": 6.4, "sum_ranks": 32.0},
    }
    assert result["u"] == 3  # U1 = 13 − 10 = 3, U2 = 20 − 3 = 17
    # Σ(t³ − t) = 24 + 24 + 6 = 54; sigma² = 20/12 · (10 − 54/72) = 15.41666…
    sigma = math.sqrt(20 / 12 * (10 - 54 / 72))
    assert result["z"] == pytest.approx((3 - 10) / sigma, rel=1e-12)
    assert result["r"] == pytest.approx(7 / sigma / 3, rel=1e-12)
    assert result["rank_biserial"] == pytest.approx(-0.7, rel=1e-12)
    assert result["higher_group"] == "B"


def test_rank_sum_hodges_lehmann_matches_the_hand_count():
    # The 20 differences A − B: −3 ×2, −2 ×6, −1 ×7, 0 ×4, 1 ×1; the 10th and 11th are −1.
    assert mann_whitney({"A": [1, 2, 2, 3], "B": [2, 3, 3, 4, 4]})["hodges_lehmann"] == -1


def test_signed_rank_hodges_lehmann_is_the_median_of_walsh_averages_including_zeros():
    d = np.subtract(POST, PRE)
    walsh = [(d[i] + d[j]) / 2 for i in range(len(d)) for j in range(i, len(d))]
    assert wilcoxon_signed_rank(PRE, POST)["hodges_lehmann"] == np.median(walsh)


def test_asymptotic_p_values_are_two_sided_normal_tails_of_z():
    result = wilcoxon_signed_rank(PRE, POST)
    assert result["p_asymptotic"] == pytest.approx(math.erfc(abs(result["z"]) / math.sqrt(2)), rel=1e-12)


# --- invariances ---------------------------------------------------------------------------------


def test_swapping_pre_and_post_flips_signed_statistics_but_not_p_values():
    forward, backward = wilcoxon_signed_rank(PRE, POST), wilcoxon_signed_rank(POST, PRE)
    assert backward["direction"] == "negative"
    assert forward["direction"] == "positive"
    assert backward["rank_biserial"] == -forward["rank_biserial"]
    assert backward["hodges_lehmann"] == -forward["hodges_lehmann"]
    assert backward["ci95"] == [-forward["ci95"][1], -forward["ci95"][0]]
    assert backward["negative"] == forward["positive"]
    for key in ("z", "p_asymptotic", "p_exact", "r"):
        assert backward[key] == pytest.approx(forward[key], rel=1e-12)


def test_swapping_the_groups_flips_signed_statistics_but_not_p_values():
    a, b = [3, 1, 4, 1, 5, 2, 2], [2, 7, 1, 8, 2, 8, 4, 5]
    forward, backward = mann_whitney({"A": a, "B": b}), mann_whitney({"B": b, "A": a})
    assert backward["rank_biserial"] == pytest.approx(-forward["rank_biserial"], rel=1e-12)
    assert backward["hodges_lehmann"] == -forward["hodges_lehmann"]
    assert backward["ci95"] == [-forward["ci95"][1], -forward["ci95"][0]]
    assert backward["higher_group"] == forward["higher_group"] == "B"
    assert backward["groups"] == forward["groups"]
    for key in ("u", "z", "p_asymptotic", "p_exact", "r"):
        assert backward[key] == pytest.approx(forward[key], rel=1e-12)


def test_adding_a_constant_to_both_days_changes_nothing():
    shifted = wilcoxon_signed_rank(np.add(PRE, 10), np.add(POST, 10))
    assert shifted == wilcoxon_signed_rank(PRE, POST)


def test_adding_a_constant_to_both_groups_changes_nothing():
    a, b = [3, 1, 4, 1, 5, 2, 2], [2, 7, 1, 8, 2, 8, 4, 5]
    assert mann_whitney({"A": np.add(a, 3), "B": np.add(b, 3)}) == mann_whitney({"A": a, "B": b})


# --- edge cases ----------------------------------------------------------------------------------


def test_all_differences_zero_gives_no_z_and_p_values_of_one():
    result = wilcoxon_signed_rank([2, 3, 4], [2, 3, 4])
    assert result["z"] is None
    assert result["r"] is None
    assert result["rank_biserial"] is None
    assert result["p_asymptotic"] == 1.0
    assert result["p_exact"] == 1.0
    assert result["ties"] == 3
    assert result["negative"]["mean_rank"] is None
    assert result["direction"] == "none"
    assert result["hodges_lehmann"] == 0.0
    assert_json_safe(result)


def test_one_non_zero_difference_gives_an_exact_p_of_one():
    result = wilcoxon_signed_rank([1, 1, 1], [1, 1, 4])
    assert result["n_nonzero"] == 1
    assert result["z"] == pytest.approx(-1.0)  # (0 − 0.5)/0.5
    assert result["p_exact"] == 1.0
    assert result["hodges_lehmann"] == 0.75  # Walsh averages 0, 0, 0, 1.5, 1.5, 3
    assert_json_safe(result)


def test_no_pairs_gives_none_statistics_and_zero_counts():
    result = wilcoxon_signed_rank([], [])
    assert result["n_pairs"] == 0
    assert result["ties"] == 0
    assert all(result[key] is None for key in ("z", "p_asymptotic", "p_exact", "r", "hodges_lehmann", "ci95"))
    assert_json_safe(result)


def test_an_empty_group_gives_none_statistics_and_n_zero():
    result = mann_whitney({"A": [], "B": [1, 2, 3]})
    assert result["groups"]["A"] == {"n": 0, "mean_rank": None, "sum_ranks": 0.0}
    assert result["groups"]["B"]["n"] == 3
    assert all(result[key] is None for key in ("u", "z", "p_asymptotic", "p_exact", "r", "hodges_lehmann", "ci95"))
    assert result["p_exact_method"].startswith("not computed")
    assert_json_safe(result)


def test_all_values_tied_gives_no_z_and_p_values_of_one():
    result = mann_whitney({"A": [3, 3], "B": [3, 3, 3]})
    assert result["z"] is None
    assert result["r"] is None
    assert result["p_asymptotic"] == 1.0
    assert result["p_exact"] == 1.0
    assert result["rank_biserial"] == 0.0
    assert result["higher_group"] is None
    assert_json_safe(result)


def test_unpaired_lengths_are_rejected():
    with pytest.raises(ValueError, match="paired"):
        wilcoxon_signed_rank([1, 2], [1, 2, 3])


def test_missing_values_are_rejected_rather_than_ranked():
    with pytest.raises(ValueError, match="NaN"):
        wilcoxon_signed_rank([1, float("nan")], [1, 2])


def test_mann_whitney_needs_exactly_two_groups():
    with pytest.raises(ValueError, match="two groups"):
        mann_whitney({"A": [1], "B": [2], "C": [3]})


def test_results_are_json_safe_python_numbers():
    assert_json_safe(wilcoxon_signed_rank(PRE, POST))
    assert_json_safe(mann_whitney({"A": PRE, "B": POST}))
    assert_json_safe(describe(np.array(PRE)))


def test_numerical_noise_emits_no_numpy_warnings():
    with np.errstate(all="raise"):
        wilcoxon_signed_rank([5] * 4, [5] * 4)
        mann_whitney({"A": [1], "B": [1]})
        describe([7])


# --- descriptives --------------------------------------------------------------------------------


def test_quartiles_are_spss_weighted_averages():
    # SPSS: positions 0.25·6 = 1.5 and 0.75·6 = 4.5 of 1..5.
    assert describe([1, 2, 3, 4, 5]) == {
        "n": 5,
        "mean": 3.0,
        "median": 3.0,
        "sd": math.sqrt(2.5),
        "min": 1.0,
        "max": 5.0,
        "q1": 1.5,
        "q3": 4.5,
    }


@pytest.mark.parametrize("values", [[4, 1, 3, 5, 5, 2, 1], [2.5, 7.25], list(range(1, 12)), [3, 3, 3, 1]])
def test_quartiles_agree_with_numpy_weibull_and_sd_uses_n_minus_1(values):
    result = describe(values)
    assert result["q1"] == pytest.approx(np.quantile(values, 0.25, method="weibull"))
    assert result["q3"] == pytest.approx(np.quantile(values, 0.75, method="weibull"))
    assert result["sd"] == pytest.approx(np.std(values, ddof=1))
    assert result["median"] == np.median(values)


def test_an_empty_sample_describes_as_n_zero_and_none():
    assert describe([]) == {
        "n": 0,
        "mean": None,
        "median": None,
        "sd": None,
        "min": None,
        "max": None,
        "q1": None,
        "q3": None,
    }


def test_a_single_value_has_no_standard_deviation():
    result = describe([4])
    assert result["sd"] is None
    assert result["q1"] == result["q3"] == result["mean"] == 4.0
