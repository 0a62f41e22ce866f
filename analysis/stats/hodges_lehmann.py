"""Hodges–Lehmann estimates with 95% confidence intervals, following R's wilcox.test(conf.int=TRUE).

One sample (paired differences d): the median of the Walsh averages (d_i + d_j)/2, i ≤ j, over
*all* d including zeros. (R drops zero differences first; that shifts the estimate towards
the non-zero values, so here zeros are kept, as the textbook definition does.)
Two samples: the median of all differences x_i − y_j.

Confidence interval, as R decides:
- "exact" when every group has fewer than 50 values and the data have no ties (and, for d, no
  zeros): the order statistics of the Walsh averages / differences at the exact critical
  values of the untied null distribution (qsignrank / qwilcox). With few values the achievable
  level can be below 95%: `ci_level` reports the achieved level.
- "asymptotic" otherwise: the limits are the shifts where the tie-corrected normal statistic
  of the shifted data crosses ±1.959964, without continuity correction (as R with
  correct=FALSE, consistent with our z). R finds them with uniroot to 1e-4; the crossing is
  always at a Walsh average / difference whose rank has a closed form (see
  _asymptotic_limits), so we return that value exactly. When 95% cannot be reached the limit
  is the end of the data range (as R's two-sample code does; R's one-sample code lowers the
  level instead) and the method says so.

Nothing materialises the n(n+1)/2 or m·n pairs: values are grouped into unique values with
counts, and the k-th smallest pair is selected by counting (row-wise binary search), so large
integer-score samples are fast.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy import special

from ._util import tie_correction
from .exact import untied_rank_sum_cdf, untied_signed_rank_cdf

Z_975 = float(-special.ndtri(0.025))  # scipy.stats.norm.isf(0.025)
_WINDOW = 200_000  # pairs materialised at the end of a selection
_QUANTILE_FUZZ = 10 * np.finfo(float).eps  # R's qsignrank / qwilcox fuzz


class PairSums(NamedTuple):
    """The multiset of sums a_p + b_q with weights wa_p·wb_q, plus diag_p extra on cell (p, p).

    a and b are sorted unique values. For Walsh sums a = b and diag = counts, so that each Walsh
    average d_i + d_j (i ≤ j) is counted exactly twice; for differences diag is all zero.
    """

    a: np.ndarray
    wa: np.ndarray
    b: np.ndarray
    wb: np.ndarray
    diag: np.ndarray
    unit: int  # weight of one element of the multiset


def walsh_sums(d: np.ndarray) -> PairSums:
    """Sums d_i + d_j over i ≤ j (twice the Walsh averages), each with weight 2."""
    values, counts = np.unique(d, return_counts=True)
    return PairSums(values, counts, values, counts, counts, 2)


def difference_sums(x: np.ndarray, y: np.ndarray) -> PairSums:
    """Differences x_i − y_j, each with weight 1."""
    xv, xc = np.unique(x, return_counts=True)
    yv, yc = np.unique(-y, return_counts=True)
    return PairSums(xv, xc, yv, yc, np.zeros(len(xv), dtype=np.int64), 1)


def size(pairs: PairSums) -> int:
    """Number of elements of the multiset."""
    return (int(pairs.wa.sum()) * int(pairs.wb.sum()) + int(pairs.diag.sum())) // pairs.unit


def kth(pairs: PairSums, k: int) -> float:
    """The k-th smallest element (1-based) of the multiset.

    Quickselect over the implicit sorted matrix: each round counts the elements below a pivot
    (weighted median of the row middles) with one binary search per row and drops at least a
    quarter of the remaining window; the last few pairs are sorted explicitly.
    """
    rank = k * pairs.unit
    start = np.zeros(len(pairs.a), dtype=np.int64)
    stop = np.full(len(pairs.a), len(pairs.b), dtype=np.int64)
    while (window := int((stop - start).sum())) > _WINDOW:
        pivot = _pivot(pairs, start, stop)
        below, at_most = _count(pairs, pivot, "left"), _count(pairs, pivot, "right")
        if below.weight < rank <= at_most.weight:
            return pivot
        if rank > at_most.weight:
            start = np.maximum(start, at_most.index)
        else:
            stop = np.minimum(stop, below.index)
        if int((stop - start).sum()) == window:
            break  # rounding left only near-equal sums: sort them
    return _select_in_window(pairs, start, stop, rank)


class _Count(NamedTuple):
    index: np.ndarray  # per row, the first column not counted
    weight: int


def _count(pairs: PairSums, value: float, side: str) -> _Count:
    """Weight of the elements < value (side="left") or ≤ value (side="right")."""
    index = np.searchsorted(pairs.b, value - pairs.a, side=side)
    return _Count(index, _weight_before(pairs, index))


def _weight_before(pairs: PairSums, index: np.ndarray) -> int:
    """Weight of the cells left of column index[p] in every row p (diagonal extras included)."""
    cumulative = np.concatenate(([0], np.cumsum(pairs.wb)))
    return int(pairs.wa @ cumulative[index]) + int(pairs.diag[index > np.arange(len(pairs.a))].sum())


def _pivot(pairs: PairSums, start: np.ndarray, stop: np.ndarray) -> float:
    live = np.flatnonzero(stop > start)
    middles = pairs.a[live] + pairs.b[(start[live] + stop[live]) // 2]
    order = np.argsort(middles, kind="stable")
    lengths = (stop - start)[live][order]
    half = np.searchsorted(np.cumsum(lengths), lengths.sum() / 2)
    return float(middles[order][half])


def _select_in_window(pairs: PairSums, start: np.ndarray, stop: np.ndarray, rank: int) -> float:
    """Sort the cells between start and stop of every row and pick the one reaching `rank`."""
    lengths = stop - start
    rows = np.repeat(np.arange(len(pairs.a)), lengths)
    cols = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths) + start[rows]
    sums = pairs.a[rows] + pairs.b[cols]
    weights = pairs.wa[rows] * pairs.wb[cols] + np.where(rows == cols, pairs.diag[rows], 0)
    order = np.argsort(sums, kind="stable")
    position = np.searchsorted(_weight_before(pairs, start) + np.cumsum(weights[order]), rank)
    return float(sums[order][position])


def median(pairs: PairSums) -> float:
    """Median of the multiset (mean of the two middle elements when their number is even)."""
    count = size(pairs)
    if count % 2:
        return kth(pairs, (count + 1) // 2)
    return (kth(pairs, count // 2) + kth(pairs, count // 2 + 1)) / 2


def one_sample_estimate(d: np.ndarray) -> dict:
    """{"hodges_lehmann", "ci95", "ci_method", "ci_level"} for paired differences d (zeros included).

    Empty d gives None values and ci_method "none: no data".
    """
    if d.size == 0:
        return _no_estimate()
    pairs = walsh_sums(d)
    estimate = median(pairs) / 2
    if d.size < 50 and np.all(d != 0) and np.unique(np.abs(d)).size == d.size:
        limits, level = _exact_limits(pairs, untied_signed_rank_cdf(d.size))
        return _estimate(estimate, [limit / 2 for limit in limits], "exact", level)
    n = d.size
    sigma = np.sqrt(n * (n + 1) * (2 * n + 1) / 24 - tie_correction(d) / 48)
    limits, method, level = _asymptotic_limits(pairs, sigma)
    return _estimate(estimate, [limit / 2 for limit in limits], method, level)


def two_sample_estimate(x: np.ndarray, y: np.ndarray) -> dict:
    """{"hodges_lehmann", "ci95", "ci_method", "ci_level"} for the shift x − y.

    Either group empty gives None values and ci_method "none: no data".
    """
    if x.size == 0 or y.size == 0:
        return _no_estimate()
    pairs = difference_sums(x, y)
    estimate = median(pairs)
    m, n = x.size, y.size
    if m < 50 and n < 50 and np.unique(np.concatenate([x, y])).size == m + n:
        limits, level = _exact_limits(pairs, untied_rank_sum_cdf(m, n))
        return _estimate(estimate, limits, "exact", level)
    ties = tie_correction(x) + tie_correction(y)
    sigma = np.sqrt(m * n / 12 * ((m + n + 1) - ties / ((m + n) * (m + n - 1))))
    limits, method, level = _asymptotic_limits(pairs, sigma)
    return _estimate(estimate, limits, method, level)


def _no_estimate() -> dict:
    return {"hodges_lehmann": None, "ci95": None, "ci_method": "none: no data", "ci_level": None}


def _estimate(estimate: float, limits: list[float], method: str, level: float | None) -> dict:
    return {
        "hodges_lehmann": float(estimate),
        "ci95": [float(limit) for limit in limits],
        "ci_method": method,
        "ci_level": level,
    }


def _exact_limits(pairs: PairSums, cdf: np.ndarray) -> tuple[list[float], float]:
    """R's exact limits: order statistics qu and N − qu + 1, qu = q(0.025) of the untied statistic."""
    qu = max(int(np.searchsorted(cdf, 0.025 - _QUANTILE_FUZZ, side="left")), 1)  # R: if (qu == 0) qu <- 1
    achieved_alpha = 2 * float(cdf[qu - 1])
    return [kth(pairs, qu), kth(pairs, size(pairs) - qu + 1)], 1 - achieved_alpha


def _asymptotic_limits(pairs: PairSums, sigma: float) -> tuple[list[float], str, float | None]:
    """The shifts where R's tie-corrected z of the shifted data crosses ±Z_975, found exactly.

    Just right of a candidate v (a Walsh sum or a difference), W+ (or U) equals the number of
    candidates above v, and the only ties left are between equal observations, so `sigma`
    is the same for every such shift. Hence z ≤ c exactly when count(≤ v) ≥ M/2 − c·sigma,
    and the limit R's uniroot approaches is the candidate of rank ceil(M/2 ∓ Z_975·sigma).
    If that rank falls outside 1..M, 95% is not attainable on that side: the limit is the
    end of the data range.
    """
    count = size(pairs)
    ranks = [math.ceil(count / 2 - Z_975 * sigma), math.ceil(count / 2 + Z_975 * sigma)]
    clamped = ranks[0] < 1 or ranks[1] > count
    limits = [kth(pairs, min(max(rank, 1), count)) for rank in ranks]
    if clamped:
        return limits, "asymptotic, limited to the data range (95% not attainable)", None
    return limits, "asymptotic", 0.95
