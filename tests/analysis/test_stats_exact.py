"""Exact conditional p-values against brute-force enumeration and, where scipy is right, scipy."""

import itertools
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from analysis.stats import exact, mann_whitney, rank_sum_exact_p, signed_rank_exact_p, wilcoxon_signed_rank
from analysis.stats._util import doubled_midranks, two_sided_normal_p
from analysis.stats.exact import EXACT_BUDGET, untied_rank_sum_cdf, untied_signed_rank_cdf
from analysis.stats.hodges_lehmann import Z_975

scores = st.integers(min_value=-3, max_value=3)  # small integers: many ties and zeros


def brute_signed_rank(d, alternative="two-sided"):
    """Share of all 2^n sign assignments over the non-zero |d| mid-ranks at least as extreme."""
    d = np.asarray(d, dtype=float)
    d = d[d != 0]
    ranks = sps.rankdata(np.abs(d))
    observed, centre = ranks[d > 0].sum(), ranks.sum() / 2
    hits = 0
    for signs in itertools.product((False, True), repeat=d.size):
        w_plus = ranks[list(signs)].sum() if d.size else 0.0
        hits += _extreme(w_plus, observed, centre, alternative)
    return hits / 2**d.size


def brute_rank_sum(x, y, alternative="two-sided"):
    """Share of all C(N, m) splits of the pooled mid-ranks at least as extreme."""
    ranks = sps.rankdata(np.concatenate([x, y]))
    m = len(x)
    observed, centre = ranks[:m].sum(), m * (len(ranks) + 1) / 2
    splits = list(itertools.combinations(range(len(ranks)), m))
    return sum(_extreme(ranks[list(split)].sum(), observed, centre, alternative) for split in splits) / len(splits)


def _extreme(value, observed, centre, alternative):
    tolerance = 1e-9  # brute force works in floats; half-integer sums are exact anyway
    if alternative == "greater":
        return value >= observed - tolerance
    if alternative == "less":
        return value <= observed + tolerance
    return abs(value - centre) >= abs(observed - centre) - tolerance


@settings(max_examples=300, deadline=None)
@given(st.lists(scores, min_size=0, max_size=12), st.sampled_from(["two-sided", "greater", "less"]))
def test_signed_rank_exact_p_equals_brute_force_with_ties_and_zeros(d, alternative):
    assert signed_rank_exact_p(d, alternative).p == pytest.approx(brute_signed_rank(d, alternative), rel=1e-12)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 4), min_size=1, max_size=8),
    st.lists(st.integers(0, 4), min_size=1, max_size=8),
    st.sampled_from(["two-sided", "greater", "less"]),
)
def test_rank_sum_exact_p_equals_brute_force_with_ties(x, y, alternative):
    if len(x) + len(y) > 14:
        y = y[: 14 - len(x)]
    assert rank_sum_exact_p(x, y, alternative).p == pytest.approx(brute_rank_sum(x, y, alternative), rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-5, 5).map(lambda v: round(v, 1)), min_size=1, max_size=11))
def test_signed_rank_exact_p_equals_brute_force_on_decimal_differences(d):
    assert signed_rank_exact_p(d).p == pytest.approx(brute_signed_rank(d), rel=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_untied_signed_rank_exact_p_agrees_with_scipy(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    d = rng.permutation(np.arange(1, n + 1)) * rng.choice([-1, 1], n) + rng.uniform(-0.3, 0.3, n)
    expected = sps.wilcoxon(d, method="exact").pvalue
    assert signed_rank_exact_p(d).p == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("seed", range(20))
def test_untied_rank_sum_exact_p_agrees_with_scipy(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=int(rng.integers(1, 25))), rng.normal(0.5, size=int(rng.integers(1, 25)))
    expected = sps.mannwhitneyu(x, y, method="exact").pvalue
    assert rank_sum_exact_p(x, y).p == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("seed", range(20))
def test_signed_rank_z_and_asymptotic_p_agree_with_scipy_without_correction(seed):
    rng = np.random.default_rng(seed)
    pre, post = rng.integers(1, 6, 40), rng.integers(1, 6, 40)
    assert np.any(pre != post)  # the seeded data has differences to rank
    expected = sps.wilcoxon(post - pre, method="approx", correction=False, zero_method="wilcox")
    result = wilcoxon_signed_rank(pre, post)
    assert result["z"] == pytest.approx(-abs(expected.zstatistic), rel=1e-10)
    assert result["p_asymptotic"] == pytest.approx(expected.pvalue, rel=1e-10)


@pytest.mark.parametrize("seed", range(20))
def test_rank_sum_asymptotic_p_agrees_with_scipy_without_correction(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.integers(-4, 5, 30), rng.integers(-3, 5, 25)
    expected = sps.mannwhitneyu(x, y, method="asymptotic", use_continuity=False)
    result = mann_whitney({"x": x, "y": y})
    assert result["p_asymptotic"] == pytest.approx(expected.pvalue, rel=1e-10)
    assert result["u"] == min(expected.statistic, 30 * 25 - expected.statistic)


def test_scipy_exact_is_wrong_with_ties_and_ours_matches_brute_force():
    # Why scipy's method="exact" is not used: it ignores mid-ranks.
    x, y = [1, 2, 2, 3, 3, 3], [2, 3, 4, 4, 4]
    ours = rank_sum_exact_p(x, y).p
    assert ours == pytest.approx(brute_rank_sum(x, y), rel=1e-12)
    assert abs(sps.mannwhitneyu(x, y, method="exact").pvalue - ours) > 1e-3


def test_signed_rank_exact_p_for_1000_heavily_tied_differences_is_computed():
    rng = np.random.default_rng(7)
    d = rng.integers(1, 5, 1000) * rng.choice([-1, 1], 1000)
    exact = signed_rank_exact_p(d)
    assert exact.p is not None
    # With n = 1,000 the normal approximation is close: a sanity check, not a definition.
    assert exact.p == pytest.approx(wilcoxon_signed_rank(np.zeros(1000), d)["p_asymptotic"], abs=0.01)


def test_rank_sum_exact_p_for_two_groups_of_17_is_computed():
    rng = np.random.default_rng(17)
    assert rank_sum_exact_p(rng.integers(-4, 5, 17), rng.integers(-4, 5, 17)).p is not None


def test_rank_sum_exact_p_above_the_budget_is_none_with_a_reason():
    rng = np.random.default_rng(5000)
    exact = rank_sum_exact_p(rng.integers(-4, 5, 5000), rng.integers(-4, 5, 5000))
    assert exact.p is None
    assert exact.method.startswith("not computed")
    assert f"{EXACT_BUDGET:.1e}" in exact.method


def test_the_reason_never_says_a_work_below_the_budget_is_above_it():
    # The analysis of ~400 + 400 change scores needed ~1.8e9 operations against the 1.5e9 budget: printed
    # to one significant digit the budget read "2e+09", so the reason claimed 1.8e+09 was above 2e+09.
    method = exact._not_computed(EXACT_BUDGET * 1.2).method
    work, budget = re.findall(r"about (\S+) operations, above the budget of (\S+) ", method)[0]
    assert float(work) > float(budget)


def test_a_tiny_exact_p_keeps_its_relative_accuracy():
    # All 60 differences positive and untied: p = 2 / 2^60, far below double rounding of 1.
    assert signed_rank_exact_p(np.arange(1, 61)).p == pytest.approx(2.0**-59, rel=1e-9)


def test_two_large_tie_groups_match_a_direct_double_sum():
    d = np.r_[np.ones(1200), -np.ones(800), 5 * np.ones(1100), -5 * np.ones(900)]
    assert signed_rank_exact_p(d).p == pytest.approx(_two_group_signed_rank_p(1200, 800, 1100, 900), rel=1e-9)


@pytest.mark.parametrize("dense_factor", [0, 10**9])
def test_dense_and_sparse_convolutions_give_the_same_p(monkeypatch, dense_factor):
    rng = np.random.default_rng(3)
    d = rng.integers(-6, 7, 300)
    x, y = rng.integers(0, 7, 40), rng.integers(1, 8, 35)
    expected = signed_rank_exact_p(d).p, rank_sum_exact_p(x, y).p
    monkeypatch.setattr(exact, "_DENSE_FACTOR", dense_factor)  # 0: always sparse; huge: always dense
    assert signed_rank_exact_p(d).p == pytest.approx(expected[0], rel=1e-10)
    assert rank_sum_exact_p(x, y).p == pytest.approx(expected[1], rel=1e-10)


def _two_group_signed_rank_p(pos1, neg1, pos2, neg2):
    """Two-sided exact p for two tie groups, by summing over the two binomial counts directly."""
    t1, t2 = pos1 + neg1, pos2 + neg2
    r1, r2 = t1 + 1, 2 * t1 + t2 + 1  # doubled mid-ranks
    k1, k2 = np.arange(t1 + 1)[:, None], np.arange(t2 + 1)[None, :]
    stat = r1 * k1 + r2 * k2
    total = r1 * t1 + r2 * t2
    observed = r1 * pos1 + r2 * pos2
    weights = sps.binom.pmf(k1, t1, 0.5) * sps.binom.pmf(k2, t2, 0.5)
    return float(weights[np.abs(2 * stat - total) >= abs(2 * observed - total)].sum())


@pytest.mark.parametrize("n", [1, 2, 5, 10])
def test_untied_signed_rank_cdf_counts_subsets(n):
    sums = [sum(c) for k in range(n + 1) for c in itertools.combinations(range(1, n + 1), k)]
    expected = np.cumsum(np.bincount(sums, minlength=n * (n + 1) // 2 + 1)) / 2**n
    np.testing.assert_allclose(untied_signed_rank_cdf(n), expected, rtol=1e-14)


@pytest.mark.parametrize(("m", "n"), [(1, 1), (2, 3), (4, 4), (5, 3)])
def test_untied_rank_sum_cdf_counts_splits(m, n):
    u = [sum(r for r in split) - m * (m + 1) // 2 for split in itertools.combinations(range(1, m + n + 1), m)]
    expected = np.cumsum(np.bincount(u, minlength=m * n + 1)) / math.comb(m + n, m)
    np.testing.assert_allclose(untied_rank_sum_cdf(m, n), expected, rtol=1e-12)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, 5), min_size=1, max_size=8),
    st.lists(st.integers(0, 5), min_size=1, max_size=8),
    st.sampled_from(["two-sided", "greater", "less"]),
    st.sampled_from(["pair", "halves"]),
)
def test_both_rank_sum_routes_equal_brute_force(x, y, alternative, route):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exact, "_COST_PAIR", 0 if route == "pair" else 10**12)
        patch.setattr(exact, "_COST_TABLE", 0 if route == "pair" else 10**12)
        assert rank_sum_exact_p(x, y, alternative).p == pytest.approx(brute_rank_sum(x, y, alternative), rel=1e-12)


def test_rank_sum_exact_p_at_500_plus_500_equals_a_sequential_hypergeometric_count():
    # Five scores of 200 participants each, split unevenly between the arms.
    x = np.repeat([1, 2, 3, 4, 5], [80, 95, 100, 105, 120])
    y = np.repeat([1, 2, 3, 4, 5], [120, 105, 100, 95, 80])
    exact_p = rank_sum_exact_p(x, y)
    assert exact_p.method == exact.EXACT_METHOD
    assert exact_p.p == pytest.approx(_sequential_hypergeometric_p(x, y), rel=1e-9)
    assert exact_p.p == pytest.approx(mann_whitney({"a": x, "b": y})["p_asymptotic"], abs=0.002)


def _sequential_hypergeometric_p(x, y):
    """Two-sided rank-sum p by drawing x's members group after group (hypergeometric steps), in rank-step units."""
    values, sizes = np.unique(np.concatenate([x, y]), return_counts=True)
    doubled = 2 * np.cumsum(sizes) - sizes + 1
    step = math.gcd(*(int(r - doubled[0]) for r in doubled[1:]))
    levels = [int(r - doubled[0]) // step for r in doubled]
    m, remaining = len(x), len(x) + len(y)
    table = np.zeros((m + 1, m * levels[-1] + 1))
    table[0, 0] = 1.0
    drawn = np.arange(m + 1)
    for size, level in zip(sizes, levels, strict=True):
        grown = np.zeros_like(table)
        for k in range(min(size, m) + 1):
            weight = sps.hypergeom.pmf(k, remaining, size, m - drawn)
            moved = table[: m + 1 - k] * weight[: m + 1 - k, None]
            grown[k:, level * k :] += moved[:, : table.shape[1] - level * k]
        table, remaining = grown, remaining - size
    observed = sum(levels[list(values).index(v)] for v in x)
    centre = m * float(np.dot(sizes, levels)) / sizes.sum()
    sums = np.arange(table.shape[1])
    return float(table[m][np.abs(sums - centre) >= abs(observed - centre) - 1e-9].sum())


def test_signed_rank_exact_p_for_5000_tied_differences_equals_a_direct_sum():
    rng = np.random.default_rng(5000)
    d = rng.integers(1, 4, 5000) * rng.choice([-1, 1], 5000)
    assert signed_rank_exact_p(d).p == pytest.approx(_three_group_signed_rank_p(d), rel=1e-9)


def _three_group_signed_rank_p(d):
    """Two-sided exact p for |d| in three tie groups: a double sum over two counts, the third by binomial tail."""
    sizes = [int(np.sum(np.abs(d) == a)) for a in (1, 2, 3)]
    ranks = 2 * np.cumsum(sizes) - np.array(sizes) + 1  # doubled mid-ranks
    total = int(np.dot(ranks, sizes))
    observed = sum(int(ranks[a - 1]) * int(np.sum(d == a)) for a in (1, 2, 3))
    threshold = max(observed, total - observed)
    k1, k2 = np.arange(sizes[0] + 1)[:, None], np.arange(sizes[1] + 1)[None, :]
    needed = -((ranks[0] * k1 + ranks[1] * k2 - threshold) // ranks[2])  # ceil
    tail = sps.binom.sf(needed - 1, sizes[2], 0.5)
    weights = sps.binom.pmf(k1, sizes[0], 0.5) * sps.binom.pmf(k2, sizes[1], 0.5)
    return float(2 * np.sum(weights * tail))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-5, 5, allow_nan=False).map(lambda v: round(v, 1)), max_size=40))
def test_doubled_midranks_equal_twice_scipys_average_ranks(values):
    values = np.asarray(values, dtype=float)
    expected = 2 * sps.rankdata(values, method="average") if values.size else np.zeros(0)
    np.testing.assert_array_equal(doubled_midranks(values), expected)


@pytest.mark.parametrize(("size", "p"), [(1, 0.5), (17, 0.5), (5000, 0.5), (1000, 0.37), (333, 0.999)])
def test_binomial_pmf_is_scipy_stats_binom_pmf(size, p):
    k = np.arange(size + 1)
    np.testing.assert_array_equal(exact.binomial_pmf(k, size, p), sps.binom.pmf(k, size, p))


def test_normal_tail_helpers_are_scipy_stats_norm():
    assert two_sided_normal_p(1.234) == pytest.approx(2 * sps.norm.sf(1.234), rel=1e-15)
    assert float(sps.norm.isf(0.025)) == pytest.approx(Z_975, rel=1e-15)
