"""Descriptive statistics of one score sample, as SPSS prints them."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ._util import as_sample

DESCRIBE_KEYS = ("n", "mean", "median", "sd", "min", "max", "q1", "q3")


def describe(values: Iterable[float]) -> dict:
    """n, mean, median, sd, min, max, q1, q3 of `values` (JSON-safe Python numbers).

    - sd uses the n − 1 denominator and is None when n < 2.
    - q1/q3 are SPSS's default "weighted average" percentiles (position p(n + 1),
      numpy ``method="weibull"``), clamped to min/max when p(n + 1) falls outside 1..n.
    - An empty sample gives n = 0 and None for every other key.
    Raises ValueError on NaN or infinite values.
    """
    sample = as_sample(values)
    n = int(sample.size)
    if n == 0:
        return {"n": 0} | {key: None for key in DESCRIBE_KEYS[1:]}
    q1, q3 = np.quantile(sample, [0.25, 0.75], method="weibull")
    return {
        "n": n,
        "mean": float(np.mean(sample)),
        "median": float(np.median(sample)),
        "sd": float(np.std(sample, ddof=1)) if n > 1 else None,
        "min": float(np.min(sample)),
        "max": float(np.max(sample)),
        "q1": float(q1),
        "q3": float(q3),
    }
