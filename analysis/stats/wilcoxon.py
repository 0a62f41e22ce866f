"""Wilcoxon signed-rank test of paired scores, with the numbers SPSS prints and effect sizes."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ._util import as_sample, doubled_midranks, rank_summary, tie_correction, two_sided_normal_p
from .exact import signed_rank_exact_p
from .hodges_lehmann import one_sample_estimate


def wilcoxon_signed_rank(pre: Iterable[float], post: Iterable[float]) -> dict:
    """Signed-rank test on d = post − pre (pairs matched by position), JSON-ready.

    Keys (analysis.md): negative/positive {n, mean_rank, sum_ranks}, ties, z, direction,
    p_asymptotic, p_exact, r, rank_biserial, hodges_lehmann, ci95; extra keys: n_pairs,
    n_nonzero, w_plus, w_minus, p_exact_method, ci_method, ci_level.

    - Zero differences are dropped from ranking and counted in `ties`; |d| get mid-ranks.
    - z = (min(W+, W−) − n(n+1)/4)/sigma, tie-corrected, no continuity correction, so z ≤ 0;
      `direction` is "positive" (W+ larger: post tends higher), "negative" or "none".
    - r = |z|/sqrt(n_pairs); rank_biserial = (W+ − W−)/(W+ + W−), positive when post is higher.
    - hodges_lehmann/ci95: median of the Walsh averages of all d, zeros included (see
      hodges_lehmann.py); positive when post is higher.
    - Every difference zero: sigma is 0, so z, r and rank_biserial are None, while
      p_asymptotic = p_exact = 1.0 (the data carry no evidence of change) and the estimate is 0.
    - No pairs at all: counts 0 and every statistic None.
    - p_exact is None, with the reason in p_exact_method, when it exceeds the work budget.
    Raises ValueError if pre and post differ in length or hold NaN/inf.
    """
    pre, post = as_sample(pre, "pre"), as_sample(post, "post")
    if pre.size != post.size:
        raise ValueError(f"pre and post must be paired: {pre.size} vs {post.size} values")
    d = post - pre
    nonzero = d[d != 0]
    doubled = doubled_midranks(np.abs(nonzero))
    w_plus, w_minus = int(doubled[nonzero > 0].sum()) / 2, int(doubled[nonzero < 0].sum()) / 2
    z = _z(nonzero, w_plus, w_minus)
    exact = signed_rank_exact_p(d) if d.size else None
    return {
        "n_pairs": int(d.size),
        "n_nonzero": int(nonzero.size),
        "negative": rank_summary(doubled[nonzero < 0]),
        "positive": rank_summary(doubled[nonzero > 0]),
        "ties": int(d.size - nonzero.size),
        "w_plus": w_plus,
        "w_minus": w_minus,
        "z": z,
        "direction": "positive" if w_plus > w_minus else "negative" if w_minus > w_plus else "none",
        "p_asymptotic": _p_asymptotic(z, d.size),
        "p_exact": exact.p if exact else None,
        "p_exact_method": exact.method if exact else "not computed: no pairs",
        "r": abs(z) / math.sqrt(d.size) if z is not None else None,
        "rank_biserial": (w_plus - w_minus) / (w_plus + w_minus) if nonzero.size else None,
    } | one_sample_estimate(d)


def _z(nonzero: np.ndarray, w_plus: float, w_minus: float) -> float | None:
    """SPSS's z (≤ 0); None without non-zero differences, where sigma is 0."""
    n = nonzero.size
    if n == 0:
        return None
    variance = n * (n + 1) * (2 * n + 1) / 24 - tie_correction(np.abs(nonzero)) / 48
    return float((min(w_plus, w_minus) - n * (n + 1) / 4) / math.sqrt(variance))


def _p_asymptotic(z: float | None, n_pairs: int) -> float | None:
    """Two-sided normal p; 1.0 when every difference is zero (z None), None without pairs."""
    if n_pairs == 0:
        return None
    return two_sided_normal_p(z) if z is not None else 1.0
