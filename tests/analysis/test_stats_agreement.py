"""The parametric and categorical statistics agree with scipy and with brute force on generated data.

Bounded hypothesis examples (small integer scores like the study's, small counts), no database.
"""

import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from scipy.stats.contingency import odds_ratio

from analysis.stats import ancova, fisher_exact, holm, mcnemar, paired_t_test, shapiro_wilk, welch_t_test

scores = st.lists(st.integers(1, 5), min_size=3, max_size=25)
flags_pairs = st.lists(st.tuples(st.booleans(), st.booleans()), min_size=0, max_size=40)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=2, max_size=30))
def test_paired_t_test_agrees_with_scipy_ttest_rel(pairs):
    pre, post = zip(*pairs, strict=True)
    assume(len(set(b - a for a, b in pairs)) > 1)
    ours, theirs = paired_t_test(pre, post), sps.ttest_rel(post, pre)
    ci = theirs.confidence_interval()
    assert ours["t"] == pytest.approx(theirs.statistic, rel=1e-9)
    assert ours["p"] == pytest.approx(theirs.pvalue, rel=1e-9, abs=1e-300)
    assert ours["ci95"] == pytest.approx([ci.low, ci.high], rel=1e-9, abs=1e-12)


@pytest.mark.filterwarnings("ignore:Precision loss occurred in moment calculation")  # scipy's, on a constant group
@settings(max_examples=150, deadline=None)
@given(scores, scores)
def test_welch_t_test_agrees_with_scipy_ttest_ind_unequal_variances(x, y):
    assume(np.var(x) + np.var(y) > 0)
    ours, theirs = welch_t_test({"x": x, "y": y}), sps.ttest_ind(x, y, equal_var=False)
    ci = theirs.confidence_interval()
    assert ours["t"] == pytest.approx(theirs.statistic, rel=1e-9)
    assert ours["df"] == pytest.approx(theirs.df, rel=1e-9)
    assert ours["p"] == pytest.approx(theirs.pvalue, rel=1e-9, abs=1e-300)
    assert ours["ci95"] == pytest.approx([ci.low, ci.high], rel=1e-9, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-4, 4), min_size=3, max_size=60))
def test_shapiro_wilk_agrees_with_scipy_or_says_why_not(values):
    result = shapiro_wilk(values)
    if len(set(values)) == 1:
        assert result["w"] is None
        assert result["note"]
    else:
        # scipy approximates the normal quantile (AS 111) and tail (AS 66) where R and we use exact ones:
        # W differs by up to ~1e-9, p by up to ~1e-6.
        w, p = sps.shapiro(values)
        assert result["w"] == pytest.approx(w, rel=1e-8)
        assert result["p"] == pytest.approx(p, rel=1e-4, abs=2e-6)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=2, max_size=20), st.data())
def test_ancova_estimate_is_the_difference_of_adjusted_means_with_the_pooled_within_group_slope(first, data):
    second = data.draw(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=2, max_size=20))
    pre_a, post_a = (np.array(v, dtype=float) for v in zip(*first, strict=True))
    pre_b, post_b = (np.array(v, dtype=float) for v in zip(*second, strict=True))
    sxx = np.sum((pre_a - pre_a.mean()) ** 2) + np.sum((pre_b - pre_b.mean()) ** 2)
    assume(sxx > 0)
    sxy = np.sum((pre_a - pre_a.mean()) * (post_a - post_a.mean())) + np.sum(
        (pre_b - pre_b.mean()) * (post_b - post_b.mean())
    )
    slope = sxy / sxx
    expected = (post_a.mean() - post_b.mean()) - slope * (pre_a.mean() - pre_b.mean())
    result = ancova([*pre_a, *pre_b], [*post_a, *post_b], [True] * len(first) + [False] * len(second))
    assert result["estimate"] == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert result["pre_slope"] == pytest.approx(slope, rel=1e-9, abs=1e-9)
    assert result["df"] == len(first) + len(second) - 3


def test_ancova_without_variation_in_pre_gives_no_estimate():
    result = ancova([2, 2, 2, 2], [1, 2, 3, 4], [True, True, False, False])
    assert result["estimate"] is None
    assert result["note"]


@settings(max_examples=200, deadline=None)
@given(flags_pairs)
def test_mcnemar_exact_p_is_the_brute_force_two_sided_binomial(pairs):
    before, after = [a for a, _ in pairs], [b for _, b in pairs]
    result = mcnemar(before, after)
    b, c = result["b"], result["c"]
    n = b + c
    if n == 0:
        assert result["p"] == 1.0
        return
    probability = [math.comb(n, k) / 2**n for k in range(n + 1)]
    observed = probability[b]
    brute = min(1.0, sum(p for p in probability if p <= observed * (1 + 1e-7)))
    assert result["p_exact"] == pytest.approx(brute, rel=1e-9)
    assert result["p"] == (result["p_exact"] if n < 25 else result["p_chi2"])


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 12), st.integers(0, 12), st.integers(0, 12), st.integers(0, 12))
def test_fisher_p_is_the_brute_force_sum_over_tables_no_more_likely(a, b, c, d):
    row1, col1, total = a + b, a + c, a + b + c + d
    assume(total > 0)

    def probability(x):
        return math.comb(col1, x) * math.comb(total - col1, row1 - x) / math.comb(total, row1)

    support = range(max(0, row1 + col1 - total), min(row1, col1) + 1)
    observed = probability(a)
    brute = min(1.0, sum(probability(x) for x in support if probability(x) <= observed * (1 + 1e-7)))
    assert fisher_exact([[a, b], [c, d]])["p"] == pytest.approx(brute, rel=1e-9)


def _noncentral(table, odds):
    """P(X = x) for x over the support, X the top-left cell given the margins, at ``odds``."""
    (a, b), (c, d) = table
    row1, col1, total = a + b, a + c, a + b + c + d
    support = list(range(max(0, row1 + col1 - total), min(row1, col1) + 1))
    weights = [math.comb(col1, x) * math.comb(total - col1, row1 - x) * odds**x for x in support]
    return support, [w / sum(weights) for w in weights]


@pytest.mark.parametrize("table", [[[10, 2], [4, 8]], [[3, 9], [5, 7]], [[1, 6], [5, 2]]])
def test_fisher_odds_ratio_and_ci_solve_the_conditional_likelihood_equations(table):
    result = fisher_exact(table)
    a = table[0][0]
    support, p = _noncentral(table, result["odds_ratio"])
    assert sum(x * q for x, q in zip(support, p, strict=True)) == pytest.approx(a, rel=1e-7)
    support, p = _noncentral(table, result["ci95"][0])
    assert sum(q for x, q in zip(support, p, strict=True) if x >= a) == pytest.approx(0.025, rel=1e-5)
    support, p = _noncentral(table, result["ci95"][1])
    assert sum(q for x, q in zip(support, p, strict=True) if x <= a) == pytest.approx(0.025, rel=1e-5)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=8))
def test_holm_matches_its_definition(p_values):
    m = len(p_values)
    ordered = sorted(p_values)
    by_rank = [max(min(1.0, (m - j) * ordered[j]) for j in range(k + 1)) for k in range(m)]
    result = holm(p_values)
    for p, adjusted in zip(p_values, result, strict=True):
        rank = max(k for k in range(m) if ordered[k] == p)
        assert adjusted == pytest.approx(by_rank[rank], abs=1e-12)


def test_holm_never_lowers_a_p_value_and_keeps_the_order():
    for p_values in itertools.permutations([0.001, 0.02, 0.03, 0.5]):
        adjusted = holm(p_values)
        assert all(a >= p for a, p in zip(adjusted, p_values, strict=True))
        pairs = sorted(zip(p_values, adjusted, strict=True))
        assert [a for _, a in pairs] == sorted(a for _, a in pairs)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 120), min_size=4, max_size=4))
def test_fisher_odds_ratio_and_ci_are_scipys_conditional_ones(cells):
    """Solved over the whole support in log space (R's dnhyper), not scipy's point by point: the same numbers."""
    table = [cells[:2], cells[2:]]
    counts = np.asarray(table)
    assume(counts.sum(axis=0).all() and counts.sum(axis=1).all())
    expected = odds_ratio(counts, kind="conditional")
    interval = expected.confidence_interval(confidence_level=0.95)
    result = fisher_exact(table)
    for got, want in zip(
        [result["odds_ratio"], *result["ci95"]], [expected.statistic, interval.low, interval.high], strict=True
    ):
        if np.isinf(want):
            assert got is None
        else:
            assert got == pytest.approx(want, rel=1e-8, abs=1e-300)


@pytest.mark.parametrize("n", [3, 4, 5, 6, 11, 12, 50, 367, 2000, 5000])
def test_shapiro_wilk_agrees_with_scipy_on_continuous_samples_of_every_size_it_accepts(n):
    values = np.random.default_rng(n).gamma(2.0, size=n)  # skewed: p-values across the whole range
    result = shapiro_wilk(values)
    w, p = sps.shapiro(values)
    assert result["w"] == pytest.approx(w, rel=1e-8)
    assert result["p"] == pytest.approx(p, rel=1e-4, abs=2e-6)


def test_shapiro_wilk_of_three_values_is_exact():
    # n = 3: P(W <= w) = (6/pi)(asin(sqrt(w)) - pi/3); equally spaced values give W = 1, p = 1.
    assert shapiro_wilk([1, 2, 3]) | {"note": ""} == {
        "n": 3,
        "w": pytest.approx(1.0),
        "p": pytest.approx(1.0),
        "note": "",
    }
    result = shapiro_wilk([0, 1, 10])
    assert result["p"] == pytest.approx(6 / math.pi * (math.asin(math.sqrt(result["w"])) - math.pi / 3), rel=1e-12)


@pytest.mark.parametrize(("b", "c"), [(0, 1), (3, 3), (10, 4), (480, 530), (20_000, 20_600), (5, 31_000)])
def test_mcnemar_p_values_agree_with_scipy_at_every_size(b, c):
    result = mcnemar([True] * b + [False] * c + [True] * 7, [False] * b + [True] * c + [True] * 7)
    assert (result["b"], result["c"]) == (b, c)
    assert result["p_exact"] == pytest.approx(sps.binomtest(b, b + c, 0.5).pvalue, rel=1e-9, abs=1e-300)
    if b + c:
        chi2 = (abs(b - c) - 1) ** 2 / (b + c)
        assert result["p_chi2"] == pytest.approx(sps.chi2.sf(chi2, 1), rel=1e-9, abs=1e-300)


@pytest.mark.parametrize(
    "table",
    [[[0, 0], [0, 0]], [[0, 5], [0, 7]], [[3, 1], [1, 3]], [[21_000, 25_000], [23_500, 22_500]], [[1, 9], [11, 3]]],
)
def test_fisher_p_agrees_with_scipy_at_every_size(table):
    assert fisher_exact(table)["p"] == pytest.approx(sps.fisher_exact(table).pvalue, rel=1e-9, abs=1e-300)


def test_brent_root_finds_the_roots_scipy_brentq_finds():
    from scipy.optimize import brentq

    from analysis.stats._util import brent_root

    cases = [
        (lambda x: x**3 - 2, 0.0, 3.0),
        (lambda x: math.exp(x) - 5, -10.0, 10.0),
        (lambda x: math.tanh(50 * (x - 0.3)), 0.0, 1.0),  # flat far from the root: bisection has to help
        (lambda x: x - 1e-12, 0.0, 1.0),
        (lambda x: -math.log(x) - 3, 1e-9, 1.0),  # falling
    ]
    for f, lo, hi in cases:
        assert brent_root(f, lo, hi) == pytest.approx(brentq(f, lo, hi, xtol=1e-15, rtol=1e-13), rel=1e-12, abs=1e-15)
    assert brent_root(lambda x: x, 0.0, 1.0) == 0.0  # a root at an end
    with pytest.raises(ValueError, match="no root is bracketed"):
        brent_root(lambda x: x * x + 1, -1.0, 1.0)
