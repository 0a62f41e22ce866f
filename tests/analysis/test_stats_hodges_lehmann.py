"""Hodges–Lehmann estimates and confidence intervals against brute force and R's definitions."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from analysis.stats import mann_whitney, wilcoxon_signed_rank
from analysis.stats.hodges_lehmann import Z_975, difference_sums, kth, walsh_sums

from .test_stats import PAIRED_X, PAIRED_Y, TWO_SAMPLE_X, TWO_SAMPLE_Y


def walsh_averages(d):
    return np.sort([(d[i] + d[j]) / 2 for i in range(len(d)) for j in range(i, len(d))])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-4, 4), min_size=1, max_size=25), st.data())
def test_kth_walsh_sum_equals_the_sorted_list(d, data):
    expected = 2 * walsh_averages(d)
    k = data.draw(st.integers(1, len(expected)))
    assert kth(walsh_sums(np.array(d, dtype=float)), k) == expected[k - 1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-9, 9), min_size=1, max_size=20), st.lists(st.integers(-9, 9), min_size=1, max_size=20))
def test_kth_difference_equals_the_sorted_list(x, y):
    expected = np.sort(np.subtract.outer(x, y).ravel())
    pairs = difference_sums(np.array(x, dtype=float), np.array(y, dtype=float))
    for k in {1, len(expected), (len(expected) + 1) // 2}:
        assert kth(pairs, k) == expected[k - 1]


def test_kth_selects_exactly_in_large_continuous_samples(monkeypatch):
    from analysis.stats import hodges_lehmann

    monkeypatch.setattr(hodges_lehmann, "_WINDOW", 64)  # force many selection rounds
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=300), rng.normal(size=200)
    expected = np.sort(np.subtract.outer(x, y).ravel())
    for k in (1, 777, 30_000, 60_000):
        assert kth(difference_sums(x, y), k) == expected[k - 1]


def test_paired_reference_estimate_and_exact_interval_follow_r():
    # No ties, no zeros, n < 50: R uses the Walsh order statistics qu and 45 − qu + 1 with
    # qu = qsignrank(0.025, 9) = 6 (P(V ≤ 5) = 10/512 < 0.025 ≤ P(V ≤ 6) = 14/512).
    result = wilcoxon_signed_rank(pre=PAIRED_Y, post=PAIRED_X)
    walsh = walsh_averages(np.subtract(PAIRED_X, PAIRED_Y))
    assert result["hodges_lehmann"] == pytest.approx(0.46)
    assert result["ci95"] == pytest.approx([walsh[6 - 1], walsh[40 - 1]])
    assert result["ci95"] == pytest.approx([0.01, 0.786])
    assert result["ci_method"] == "exact"
    assert result["ci_level"] == pytest.approx(1 - 2 * 10 / 512)


def test_two_sample_reference_estimate_and_exact_interval_follow_r():
    # qu = qwilcox(0.025, 10, 5): the smallest u with P(U ≤ u) ≥ 0.025, counted over all splits.
    u_values = [sum(r for r in split) - 55 for split in itertools.combinations(range(1, 16), 10)]
    cdf = np.cumsum(np.bincount(u_values)) / len(u_values)
    qu = int(np.searchsorted(cdf, 0.025))
    diffs = np.sort(np.subtract.outer(TWO_SAMPLE_X, TWO_SAMPLE_Y).ravel())
    result = mann_whitney({"x": TWO_SAMPLE_X, "y": TWO_SAMPLE_Y})
    assert result["hodges_lehmann"] == pytest.approx(np.median(diffs))
    assert result["ci95"] == pytest.approx([diffs[qu - 1], diffs[50 - qu]])
    assert result["ci_method"] == "exact"


def r_style_limits(candidates, z, outside):
    """R's asymptotic limits, found by scanning: where z (evaluated between candidates) crosses ±Z.

    z is evaluated at midpoints between consecutive distinct candidates, as uniroot would see it.
    Falls back to the data range when a crossing is not attainable (R's two-sample rule).
    """
    values = np.unique(candidates)
    right = [z((v + w) / 2) for v, w in zip(values, [*values[1:], values[-1] + 1], strict=True)]
    limits = []
    for critical, clamp in ((Z_975, values[0]), (-Z_975, values[-1])):
        side = 0 if critical > 0 else 1
        if (z(outside[side]) <= critical) if critical > 0 else (z(outside[side]) >= critical):
            limits.append(clamp)
        else:
            limits.append(next(v for v, zr in zip(values, right, strict=True) if zr <= critical))
    return limits


def signed_rank_z(d, shift):
    xd = np.asarray(d, dtype=float) - shift
    xd = xd[xd != 0]
    n = xd.size
    ranks = sps.rankdata(np.abs(xd))
    _, t = np.unique(np.abs(xd), return_counts=True)
    sigma = np.sqrt(n * (n + 1) * (2 * n + 1) / 24 - np.sum(t**3 - t) / 48)
    return (ranks[xd > 0].sum() - n * (n + 1) / 4) / sigma


def rank_sum_z(x, y, shift):
    pooled = np.concatenate([np.asarray(x, dtype=float) - shift, y])
    m, n, big = len(x), len(y), len(x) + len(y)
    _, t = np.unique(pooled, return_counts=True)
    sigma = np.sqrt(m * n / 12 * ((big + 1) - np.sum(t**3 - t) / (big * (big - 1))))
    return (sps.rankdata(pooled)[:m].sum() - m * (m + 1) / 2 - m * n / 2) / sigma


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-3, 5), min_size=2, max_size=30))
def test_asymptotic_signed_rank_interval_is_where_r_style_z_crosses(d):
    result = wilcoxon_signed_rank(np.zeros(len(d)), d)
    if result["ci_method"] == "exact":
        return
    expected = r_style_limits(walsh_averages(d), lambda s: signed_rank_z(d, s), (min(d) - 1, max(d) + 1))
    assert result["ci95"] == pytest.approx(expected)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=25), st.lists(st.integers(0, 5), min_size=1, max_size=25))
def test_asymptotic_rank_sum_interval_is_where_r_style_z_crosses(x, y):
    result = mann_whitney({"x": x, "y": y})
    if result["ci_method"] == "exact":
        return
    outside = (min(x) - max(y) - 1, max(x) - min(y) + 1)
    expected = r_style_limits(np.subtract.outer(x, y).ravel(), lambda s: rank_sum_z(x, y, s), outside)
    assert result["ci95"] == pytest.approx(expected)


def test_asymptotic_interval_reports_when_95_percent_is_not_attainable():
    result = wilcoxon_signed_rank([0, 0, 0], [2, 2, 3])  # tied, so asymptotic; too few for 95%
    assert result["ci95"] == [2.0, 3.0]
    assert "not attainable" in result["ci_method"]
    assert result["ci_level"] is None


def test_exact_interval_reports_the_achieved_level_of_a_tiny_sample():
    result = wilcoxon_signed_rank([0, 0], [1, 3])  # qsignrank(0.025, 2) = 0 → R uses qu = 1
    assert result["ci95"] == [1.0, 3.0]
    assert result["ci_method"] == "exact"
    assert result["ci_level"] == 0.5


def test_zero_differences_count_in_the_estimate_unlike_r():
    # R drops zeros and would report 1.5 for d = 0, 1, 2 (Akinshin 2023); the Walsh averages
    # of all three values are 0, 0.5, 1, 1, 1.5, 2, whose median is 1.
    assert wilcoxon_signed_rank([5, 5, 5], [5, 6, 7])["hodges_lehmann"] == 1.0


def test_large_integer_samples_are_fast_without_materialising_pairs():
    rng = np.random.default_rng(1)
    result = mann_whitney({"a": rng.integers(-4, 5, 5000), "b": rng.integers(-3, 5, 5000)})
    assert result["hodges_lehmann"] in (-1.0, -0.5, 0.0)
    assert result["ci95"][0] <= result["hodges_lehmann"] <= result["ci95"][1]
