"""Mann–Whitney U test between two groups, with the numbers SPSS prints and effect sizes."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np

from ._util import as_sample, doubled_midranks, rank_summary, tie_correction, two_sided_normal_p
from .exact import rank_sum_exact_p
from .hodges_lehmann import two_sample_estimate


def mann_whitney(groups: Mapping[str, Iterable[float]]) -> dict:
    """Mann–Whitney U test of the first group against the second, JSON-ready.

    `groups` maps exactly two group codes to their values, in order: {first: x, second: y}.
    Keys (analysis.md): groups {code: {n, mean_rank, sum_ranks}}, u, z, p_asymptotic, p_exact,
    r, rank_biserial, hodges_lehmann, ci95; extra keys: n_total, higher_group,
    p_exact_method, ci_method, ci_level.

    - Pooled mid-ranks; U = min(U1, U2); z = (U − mn/2)/sigma, tie-corrected, no continuity
      correction, so z ≤ 0; `higher_group` is the code with the larger mean rank (None if equal).
    - r = |z|/sqrt(N); rank_biserial = (U1 − U2)/(m·n), positive when the FIRST group tends
      higher; hodges_lehmann = median of x_i − y_j (first minus second) with its 95% CI.
    - All values tied: sigma is 0, so z and r are None, p_asymptotic = p_exact = 1.0.
    - A group empty: its n is 0 and every statistic is None.
    - p_exact is None, with the reason in p_exact_method, when it exceeds the work budget.
    Raises ValueError unless there are exactly two groups, or on NaN/inf values.
    """
    if len(groups) != 2:
        raise ValueError(f"mann_whitney needs exactly two groups, got {len(groups)}")
    (first, x), (second, y) = ((str(code), as_sample(values, str(code))) for code, values in groups.items())
    doubled = doubled_midranks(np.concatenate([x, y]))
    m, n = x.size, y.size
    result = {"groups": {first: rank_summary(doubled[:m]), second: rank_summary(doubled[m:])}, "n_total": m + n}
    if m == 0 or n == 0:
        return result | _empty()
    u_first = int(doubled[:m].sum()) / 2 - m * (m + 1) / 2
    u_second = m * n - u_first
    z = _z(np.concatenate([x, y]), m, n, min(u_first, u_second))
    exact = rank_sum_exact_p(x, y)
    return (
        result
        | {
            "u": float(min(u_first, u_second)),
            "z": z,
            "higher_group": first if u_first > u_second else second if u_second > u_first else None,
            "p_asymptotic": two_sided_normal_p(z) if z is not None else 1.0,
            "p_exact": exact.p,
            "p_exact_method": exact.method,
            "r": abs(z) / math.sqrt(m + n) if z is not None else None,
            "rank_biserial": (u_first - u_second) / (m * n),
        }
        | two_sample_estimate(x, y)
    )


def _z(pooled: np.ndarray, m: int, n: int, u: float) -> float | None:
    """SPSS's z (≤ 0); None when every value is tied, where sigma is 0."""
    total = m + n
    variance = m * n / 12 * ((total + 1) - tie_correction(pooled) / (total * (total - 1)))
    if variance <= 1e-12 * m * n * (total + 1):  # all tied: zero up to rounding
        return None
    return float((u - m * n / 2) / math.sqrt(variance))


def _empty() -> dict:
    return {
        "u": None,
        "z": None,
        "higher_group": None,
        "p_asymptotic": None,
        "p_exact": None,
        "p_exact_method": "not computed: a group is empty",
        "r": None,
        "rank_biserial": None,
        "hodges_lehmann": None,
        "ci95": None,
        "ci_method": "none: no data",
        "ci_level": None,
    }
