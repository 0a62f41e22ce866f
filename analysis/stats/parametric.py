"""Parametric sensitivity analyses: paired and Welch t-tests, Shapiro–Wilk, ANCOVA (numpy/scipy only).

Only ``scipy.special`` is used (the t distribution's ``stdtr``/``stdtrit``, the normal's ``ndtr``/``ndtri``):
importing ``scipy.stats`` takes 0.3–0.4 s, more than everything else ``manage.py analyze`` does for a
1,000-participant study, and every analysis plan runs these tests. Shapiro–Wilk is therefore written here
(``_shapiro_wilk``, Royston's algorithm as R's ``swilk.c`` computes it); the t-tests call the same
functions ``scipy.stats.t`` calls, so their numbers are scipy's (tests/analysis/test_stats_agreement.py).

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
from scipy import special

from ._util import as_sample, finite_or_none

CI_LEVEL = 0.95
SHAPIRO_MIN, SHAPIRO_MAX = 3, 5000  # R's shapiro.test limits: Royston's approximation holds there


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
    half = _t_quantile(n - 1) * se
    return result | {
        "t": t,
        "p": _two_sided_t_p(t, n - 1),
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
    half = _t_quantile(df) * se
    return result | {
        "t": float(t),
        "df": float(df),
        "p": _two_sided_t_p(t, df),
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
    """Shapiro–Wilk test of normality (as ``shapiro.test``: Royston's algorithm with R's exact normal quantiles).

    Keys: n, w, p, note. Outside 3..5000 values, or all values equal, w and p are None (R
    refuses those samples) and note says why.
    """
    x = as_sample(values, "values")
    n = int(x.size)
    if not SHAPIRO_MIN <= n <= SHAPIRO_MAX:
        return {"n": n, "w": None, "p": None, "note": f"needs {SHAPIRO_MIN} to {SHAPIRO_MAX} values"}
    if np.ptp(x) == 0:
        return {"n": n, "w": None, "p": None, "note": "all values are equal"}
    w, p = _shapiro_wilk(np.sort(x))
    return {"n": n, "w": finite_or_none(w), "p": finite_or_none(p), "note": ""}


# Royston (1992, 1995; Applied Statistics algorithm AS R94): the polynomial approximations of the
# extreme coefficients (in 1/sqrt(n)) and of the mean and log-sd of the normalising transform of
# 1 − W (in n for n ≤ 11, in log n above), lowest power first.
_ROYSTON_A1 = (0.0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056)
_ROYSTON_A2 = (0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633)
_ROYSTON_GAMMA_SMALL = (-2.273, 0.459)
_ROYSTON_MEAN_SMALL = (0.544, -0.39978, 0.025054, -6.714e-4)
_ROYSTON_LOGSD_SMALL = (1.3822, -0.77857, 0.062767, -0.0020322)
_ROYSTON_MEAN_LARGE = (-1.5861, -0.31082, -0.083751, 0.0038915)
_ROYSTON_LOGSD_LARGE = (-0.4803, -0.082676, 0.0030302)
_P_BEYOND_APPROXIMATION = 1e-99  # R's value when 1 − W is beyond the small-sample transform's range


def _polynomial(coefficients: tuple[float, ...], x: float) -> float:
    result = 0.0
    for coefficient in reversed(coefficients):
        result = result * x + coefficient
    return result


def _shapiro_wilk_coefficients(n: int) -> np.ndarray:
    """The n Shapiro–Wilk coefficients (antisymmetric, ascending order of the sample), Royston's approximation.

    The expected normal order statistics are approximated by Blom's scores Φ⁻¹((i − 3/8)/(n + 1/4)),
    normalised to unit length, with the one (n ≤ 5) or two outermost replaced by Royston's polynomials.
    """
    half = n // 2
    if n == 3:
        upper = np.array([math.sqrt(0.5)])
    else:
        scores = special.ndtri((np.arange(1, half + 1) - 0.375) / (n + 0.25))  # the lower half: negative
        sum_squares = 2.0 * float(np.dot(scores, scores))
        root = math.sqrt(sum_squares)
        outer = [_polynomial(_ROYSTON_A1, 1 / math.sqrt(n)) - scores[0] / root]
        if n > 5:
            outer.append(_polynomial(_ROYSTON_A2, 1 / math.sqrt(n)) - scores[1] / root)
        replaced = len(outer)
        scale = math.sqrt(
            (sum_squares - 2.0 * float(np.dot(scores[:replaced], scores[:replaced])))
            / (1.0 - 2.0 * sum(a * a for a in outer))
        )
        upper = np.concatenate([outer, -scores[replaced:] / scale])
    middle = [0.0] if n % 2 else []
    return np.concatenate([-upper, middle, upper[::-1]])


def _shapiro_wilk(ordered: np.ndarray) -> tuple[float, float]:
    """W and its p-value for a sorted sample of 3..5000 values that are not all equal.

    As R's ``swilk.c``: W is the squared correlation of the sample with the coefficients, computed as
    1 − W first so that W near 1 keeps its digits; the p-value is exact for n = 3, otherwise the upper
    normal tail of Royston's transform of 1 − W.
    """
    n = ordered.size
    coefficients = _shapiro_wilk_coefficients(n)
    scaled = ordered / (ordered[-1] - ordered[0])
    a = coefficients - coefficients.mean()
    x = scaled - scaled.mean()
    ssa, ssx, sax = float(np.dot(a, a)), float(np.dot(x, x)), float(np.dot(a, x))
    root = math.sqrt(ssa * ssx)
    one_minus_w = (root - sax) * (root + sax) / (ssa * ssx)
    w = 1.0 - one_minus_w
    if n == 3:
        return w, max(0.0, 6 / math.pi * (math.asin(math.sqrt(w)) - math.pi / 3))
    y = math.log(one_minus_w)
    if n <= 11:
        gamma = _polynomial(_ROYSTON_GAMMA_SMALL, n)
        if y >= gamma:
            return w, _P_BEYOND_APPROXIMATION
        y = -math.log(gamma - y)
        mean, sd = _polynomial(_ROYSTON_MEAN_SMALL, n), math.exp(_polynomial(_ROYSTON_LOGSD_SMALL, n))
    else:
        log_n = math.log(n)
        mean, sd = _polynomial(_ROYSTON_MEAN_LARGE, log_n), math.exp(_polynomial(_ROYSTON_LOGSD_LARGE, log_n))
    return w, float(special.ndtr((mean - y) / sd))


def _t_quantile(df: float) -> float:
    """The t distribution's quantile for a two-sided CI_LEVEL interval (``scipy.stats.t.ppf``'s function)."""
    return float(special.stdtrit(df, 0.5 + CI_LEVEL / 2))


def _two_sided_t_p(t: float, df: float) -> float:
    """Two-sided p of t with df degrees of freedom (``2 * scipy.stats.t.sf(|t|, df)``)."""
    return float(2 * special.stdtr(df, -abs(t)))


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
    half = _t_quantile(df) * se
    return {
        "estimate": estimate,
        "se": se,
        "t": t,
        "p": _two_sided_t_p(t, df),
        "ci95": [estimate - half, estimate + half],
    }
