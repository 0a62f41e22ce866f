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


def brent_root(f, lo: float, hi: float, *, xtol: float = 1e-15, rtol: float = 1e-13, maxiter: int = 500) -> float:
    """A root of ``f`` between ``lo`` and ``hi``, where ``f`` changes sign: Brent's method (Brent 1973, ch. 4).

    The method R's ``uniroot`` and ``scipy.optimize.brentq`` use: inverse quadratic or secant steps
    while they shrink the bracket fast enough, bisection otherwise, so it converges whatever ``f`` is.
    Written here because importing ``scipy.optimize`` costs 0.1 s of start-up for this one function.
    The bracket is narrowed until it is shorter than ``xtol + rtol·|root|``.
    """
    a, b = float(lo), float(hi)
    fa, fb = f(a), f(b)
    if fa == 0:
        return a
    if fb == 0:
        return b
    if (fa > 0) == (fb > 0):
        raise ValueError(f"f has the same sign at {lo!r} and {hi!r}: no root is bracketed")
    c, fc = a, fa  # the other end of the bracket: the root lies between b and c
    step = previous = b - a
    for _ in range(maxiter):
        if (fb > 0) == (fc > 0):
            c, fc = a, fa
            step = previous = b - a
        if abs(fc) < abs(fb):  # b is always the better estimate
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tolerance = (xtol + rtol * abs(b)) / 2
        half = (c - b) / 2
        if fb == 0 or abs(half) <= tolerance:
            return b
        if abs(previous) >= tolerance and abs(fa) > abs(fb):
            s = fb / fa
            if a == c:  # secant
                p, q = 2 * half * s, 1 - s
            else:  # inverse quadratic interpolation through a, b and c
                q, r = fa / fc, fb / fc
                p = s * (2 * half * q * (q - r) - (b - a) * (r - 1))
                q = (q - 1) * (r - 1) * (s - 1)
            if p > 0:
                q = -q
            p = abs(p)
            if 2 * p < min(3 * half * q - abs(tolerance * q), abs(previous * q)):
                previous, step = step, p / q
            else:
                previous = step = half
        else:
            previous = step = half
        a, fa = b, fb
        b += step if abs(step) > tolerance else math.copysign(tolerance, half)
        fb = f(b)
    raise ArithmeticError(f"no root found within {maxiter} steps")
