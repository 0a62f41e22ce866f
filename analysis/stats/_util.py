"""Small helpers shared by the statistics modules: input checks, ranks, JSON-safe numbers."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from scipy import special


def as_sample(values: Iterable[float], name: str = "values") -> np.ndarray:
    """Return `values` as a 1-D float array; raise ValueError on NaN, infinity or a wrong shape.

    Callers pass complete cases only, so a missing value here is a bug upstream, not data.
    """
    array = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def doubled_midranks(values: np.ndarray) -> np.ndarray:
    """Twice the mid-ranks (1-based) of `values`, as exact int64.

    Mid-ranks are multiples of 1/2, so doubling them makes every rank statistic an integer
    and lets the exact tests compare statistics without floating-point tolerance.
    """
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    _, group, sizes = np.unique(values, return_inverse=True, return_counts=True)
    last = np.cumsum(sizes)  # 1-based rank of the last member of each group of equal values
    return (2 * last - sizes + 1)[group.ravel()].astype(np.int64)  # first + last rank


def tie_correction(values: np.ndarray) -> int:
    """Σ(t³ − t) over the groups of equal values (0 when there are no ties)."""
    if values.size == 0:
        return 0
    _, counts = np.unique(values, return_counts=True)
    counts = counts.astype(np.int64)
    return int(np.sum(counts**3 - counts))


def two_sided_normal_p(z: float | None) -> float | None:
    """Two-sided p-value of a standard-normal z; None stays None."""
    if z is None:
        return None
    return float(min(1.0, 2.0 * special.ndtr(-abs(z))))  # ndtr(−x) is scipy.stats.norm.sf(x)


def finite_or_none(value: float | None) -> float | None:
    """A plain Python float, or None for None/NaN/inf, so results are always valid JSON."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def rank_summary(doubled_ranks: np.ndarray) -> dict:
    """{"n", "mean_rank", "sum_ranks"} of a set of mid-ranks given doubled; mean_rank None when n = 0."""
    n = int(doubled_ranks.size)
    total = int(doubled_ranks.sum())
    return {"n": n, "mean_rank": total / (2 * n) if n else None, "sum_ranks": total / 2}
