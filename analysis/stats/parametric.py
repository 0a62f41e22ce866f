"""Parametric sensitivity analyses: paired and Welch t-tests, Shapiro–Wilk, ANCOVA (numpy/scipy only).

Each function returns a JSON-ready dict (Python float/int/None, never NaN or inf) whose numbers
match R: ``t.test(post, pre, paired=TRUE)``, ``t.test(x, y)`` (Welch), ``shapiro.test(d)`` and
``lm(post ~ pre + arm)``; tests/analysis/r_reference.R prints them for the fixed dataset of
tests/analysis/test_stats_parametric.py. Where a statistic does not exist for the data (too few
values, no variation) it is None and ``note`` says why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
from scipy import stats as sps

from ._util import as_sample, finite_or_none

CI_LEVEL = 0.95
SHAPIRO_MIN, SHAPIRO_MAX = 3, 5000  # R's shapiro.test limits; scipy's approximation holds there too


def paired_t_test(pre: Iterable[float], post: Iterable[float]) -> dict:
    """Paired t-test of d = post − pre (as ``t.test(post, pre, paired=TRUE)``), two-sided.

    Keys: n, mean_difference, sd_difference, t, df, p, ci95 (of the mean difference), note.
    Fewer than 2 pairs or every difference equal: t, p and ci95 are None (R stops with "data
    are essentially constant"); mean_difference is still given when there is a pair.
    """
    pre, post = as_sample(pre, "pre"), as_sample(post, "post")
    if pre.size != post.size:
        raise ValueError(f"pre and post must be paired: {pre.size} vs {post.size} values")
    return _one_sample_t(post - pre)


def _one_sample_t(d: np.ndarray) -> dict:
    n = int(d.size)
    result = {
        "n": n,
        "mean_difference": float(d.mean()) if n else None,
        "sd_difference": float(d.std(ddof=1)) if n > 1 else None,
        "t": None,
        "df": n - 1 if n > 1 else None,
        "p": None,
        "ci95": None,
        "note": "",
    }
    if n < 2 or np.ptp(d) == 0:
        return result | {"note": "fewer than 2 pairs" if n < 2 else "every difference is the same"}
    se = float(d.std(ddof=1)) / math.sqrt(n)
    t = float(d.mean()) / se
    half = float(sps.t.ppf(0.5 + CI_LEVEL / 2, n - 1)) * se
    return result | {
        "t": t,
        "p": float(2 * sps.t.sf(abs(t), n - 1)),
        "ci95": [float(d.mean()) - half, float(d.mean()) + half],
    }


def welch_t_test(groups: Mapping[str, Iterable[float]]) -> dict:
    """Welch's t-test of the first group against the second (as ``t.test(x, y)``), two-sided.

    Keys: groups {code: {n, mean, sd}}, difference (first − second), t, df (Welch–Satterthwaite),
    p, ci95 (of the difference), note. A group with fewer than 2 values, or no variation in
    either group: t, df, p and ci95 are None.
    """
    if len(groups) != 2:
        raise ValueError(f"welch_t_test needs exactly two groups, got {len(groups)}")
    (first, x), (second, y) = ((str(code), as_sample(values, str(code))) for code, values in groups.items())
    summary = {code: _summary(values) for code, values in ((first, x), (second, y))}
    result = {
        "groups": summary,
        "difference": float(x.mean() - y.mean()) if x.size and y.size else None,
        "t": None,
        "df": None,
        "p": None,
        "ci95": None,
        "note": "",
    }
    if x.size < 2 or y.size < 2:
        return result | {"note": "a group has fewer than 2 values"}
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    if vx + vy == 0:
        return result | {"note": "no variation in either group"}
    se = math.sqrt(vx + vy)
    df = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1))
    t = result["difference"] / se
    half = float(sps.t.ppf(0.5 + CI_LEVEL / 2, df)) * se
    return result | {
        "t": float(t),
        "df": float(df),
        "p": float(2 * sps.t.sf(abs(t), df)),
        "ci95": [result["difference"] - half, result["difference"] + half],
    }


def _summary(values: np.ndarray) -> dict:
    n = int(values.size)
    return {
        "n": n,
        "mean": float(values.mean()) if n else None,
        "sd": float(values.std(ddof=1)) if n > 1 else None,
    }


def shapiro_wilk(values: Iterable[float]) -> dict:
    """Shapiro–Wilk test of normality (as ``shapiro.test``; Royston's algorithm, as scipy and R).

    Keys: n, w, p, note. Outside 3..5000 values, or all values equal, w and p are None (R
    refuses those samples) and note says why.
    """
    x = as_sample(values, "values")
    n = int(x.size)
    if not SHAPIRO_MIN <= n <= SHAPIRO_MAX:
        return {"n": n, "w": None, "p": None, "note": f"needs {SHAPIRO_MIN} to {SHAPIRO_MAX} values"}
    if np.ptp(x) == 0:
        return {"n": n, "w": None, "p": None, "note": "all values are equal"}
    w, p = sps.shapiro(x)
    return {"n": n, "w": finite_or_none(w), "p": finite_or_none(p), "note": ""}


def ancova(pre: Iterable[float], post: Iterable[float], in_first: Iterable[bool]) -> dict:
    """Least-squares ANCOVA ``post ~ 1 + pre + arm`` (as ``lm``), arm coded 1 for the first group.

    ``in_first[i]`` says whether participant i is in the first group. Keys: n, df (residual),
    estimate (adjusted difference first − second in post, at equal pre), se, t, p, ci95,
    pre_slope, note. Fewer than 4 participants, a group empty, or a design without full rank
    (e.g. no variation in pre): the statistics are None.
    """
    pre, post = as_sample(pre, "pre"), as_sample(post, "post")
    arm = np.asarray(list(in_first), dtype=float)
    if not pre.size == post.size == arm.size:
        raise ValueError(f"pre, post and in_first must be the same length: {pre.size}, {post.size}, {arm.size}")
    n = int(post.size)
    empty = {"n": n, "df": None, "estimate": None, "se": None, "t": None, "p": None, "ci95": None, "pre_slope": None}
    design = np.column_stack([np.ones(n), pre, arm])
    if n < 4 or arm.min(initial=1) == arm.max(initial=0) or np.linalg.matrix_rank(design) < 3:
        return empty | {"note": "too few participants, an empty group or no variation in the pre score"}
    coef, _residuals, _rank, _sv = np.linalg.lstsq(design, post, rcond=None)
    df = n - 3
    sigma2 = float(np.sum((post - design @ coef) ** 2)) / df
    se = math.sqrt(sigma2 * np.linalg.inv(design.T @ design)[2, 2])
    return empty | {"df": df, "pre_slope": float(coef[1]), "note": ""} | _coefficient(float(coef[2]), se, df)


def _coefficient(estimate: float, se: float, df: int) -> dict:
    if se == 0:
        return {"estimate": estimate, "se": 0.0, "note": "perfect fit"}
    t = estimate / se
    half = float(sps.t.ppf(0.5 + CI_LEVEL / 2, df)) * se
    return {
        "estimate": estimate,
        "se": se,
        "t": t,
        "p": float(2 * sps.t.sf(abs(t), df)),
        "ci95": [estimate - half, estimate + half],
    }
