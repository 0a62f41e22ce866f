"""Tests of met/not-met indicators: McNemar within a group, Fisher between groups, Holm's adjustment.

numpy and ``scipy.special`` only (importing ``scipy.stats`` or ``scipy.optimize`` would cost more start-up
than a whole 1,000-participant analysis: parametric.py); the numbers match R's ``binom.test``,
``mcnemar.test``, ``fisher.test`` and ``p.adjust(method = "holm")`` (tests/analysis/r_reference.R).

McNemar's rule: the test uses only the discordant pairs, b (met on the first day, not on the
second) and c (not met, then met). When b + c < MCNEMAR_EXACT_BELOW (25) the p-value is the
exact two-sided binomial test of b out of b + c at 1/2 (``binom.test(b, b + c)``); from 25
discordant pairs on it is McNemar's chi-square with continuity correction (``mcnemar.test``),
which is then close to the exact p. Both p-values are always reported; ``p`` is the one the
rule picks and ``method`` names it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy import special

from ._util import brent_root, finite_or_none

MCNEMAR_EXACT_BELOW = 25
CI_LEVEL = 0.95
FISHER_RELATIVE_TOLERANCE = 1 + 1e-7  # fisher.test's relErr: a table this close to the observed one counts as equal


def mcnemar(before: Iterable[bool], after: Iterable[bool]) -> dict:
    """McNemar's test of paired met/not-met values (``before[i]``, ``after[i]`` of one participant).

    Keys: n, met_before, met_after, b (met → not met), c (not met → met), p_exact, chi2,
    p_chi2, p (by the module's rule), method ("exact binomial" | "chi-square, continuity
    corrected" | "no discordant pairs"). Without discordant pairs there is no evidence of
    change: p = p_exact = 1.0 and chi2, p_chi2 are None (R's mcnemar.test gives NaN there).
    """
    first, second = (np.asarray(v if isinstance(v, np.ndarray) else list(v), dtype=bool) for v in (before, after))
    if first.size != second.size:
        raise ValueError(f"before and after must be paired: {first.size} vs {second.size} values")
    b, c = int(np.sum(first & ~second)), int(np.sum(~first & second))
    result = {"n": int(first.size), "met_before": int(first.sum()), "met_after": int(second.sum()), "b": b, "c": c}
    if b + c == 0:
        return result | {"p_exact": 1.0, "chi2": None, "p_chi2": None, "p": 1.0, "method": "no discordant pairs"}
    # binom.test(b, b + c): the binomial at 1/2 is symmetric, so the outcomes no more likely than b are
    # the two tails beyond min(b, c) and max(b, c).
    p_exact = min(1.0, float(2 * special.bdtr(min(b, c), b + c, 0.5)))
    chi2 = (abs(b - c) - 1) ** 2 / (b + c)
    p_chi2 = float(special.chdtrc(1, chi2))  # scipy.stats.chi2.sf(chi2, 1)
    exact = b + c < MCNEMAR_EXACT_BELOW
    return result | {
        "p_exact": p_exact,
        "chi2": float(chi2),
        "p_chi2": p_chi2,
        "p": p_exact if exact else p_chi2,
        "method": "exact binomial" if exact else "chi-square, continuity corrected",
    }


def fisher_exact(table: Sequence[Sequence[int]]) -> dict:
    """Fisher's exact test of a 2×2 table [[a, b], [c, d]] (rows: groups; columns: met, not met).

    As ``fisher.test``: two-sided p (tables no more likely than the observed one, R's relative
    tolerance), conditional maximum-likelihood odds ratio with its exact 95% CI. Keys: table,
    p, odds_ratio, ci95; odds_ratio/ci95 None for an empty row or column (R gives NaN/0/Inf there),
    infinite bounds as None.
    """
    counts = np.asarray(table, dtype=np.int64)
    if counts.shape != (2, 2) or np.any(counts < 0):
        raise ValueError(f"a 2x2 table of counts is needed, got {table!r}")
    conditional = _ConditionalOddsRatio(counts)
    result = {"table": counts.tolist(), "p": conditional.two_sided_p(), "odds_ratio": None, "ci95": None}
    if np.any(counts.sum(axis=0) == 0) or np.any(counts.sum(axis=1) == 0):
        return result
    alpha = (1 - CI_LEVEL) / 2
    return result | {
        "odds_ratio": finite_or_none(conditional.estimate()),
        "ci95": [finite_or_none(conditional.lower(alpha)), finite_or_none(conditional.upper(alpha))],
    }


class _ConditionalOddsRatio:
    """The conditional maximum-likelihood odds ratio of a 2×2 table and its exact confidence bounds, as R's
    ``fisher.test`` finds them: the top-left cell follows Fisher's noncentral hypergeometric distribution
    given the margins, written over its whole support in log space (R's ``dnhyper``), and each equation is
    solved by root-finding. scipy's ``odds_ratio(kind="conditional")`` gives the same numbers but evaluates
    that distribution one point at a time: 24 s for the tables of 100,000 participants, milliseconds here."""

    def __init__(self, counts: np.ndarray) -> None:
        (a, b), (c, d) = (int(v) for v in counts[0]), (int(v) for v in counts[1])
        met, not_met, first_row = a + c, b + d, a + b
        self.x = a
        self.support = np.arange(max(0, first_row - not_met), min(first_row, met) + 1, dtype=float)
        x = self.support
        self.log_central = (
            _log_choose(met, x) + _log_choose(not_met, first_row - x) - _log_choose(met + not_met, first_row)
        )

    def _density(self, odds: float) -> np.ndarray:
        weights = self.log_central + np.log(odds) * self.support
        weights = np.exp(weights - weights.max())
        return weights / weights.sum()

    def _mean(self, odds: float) -> float:
        if odds == 0:
            return float(self.support[0])
        if np.isinf(odds):
            return float(self.support[-1])
        return float(np.dot(self.support, self._density(odds)))

    def two_sided_p(self) -> float:
        """Fisher's two-sided p: the tables (at odds 1) no more likely than the observed one, R's tolerance."""
        density = self._density(1.0)
        observed = density[self.x - int(self.support[0])]
        return min(1.0, float(density[density <= observed * FISHER_RELATIVE_TOLERANCE].sum()))

    def _tail(self, odds: float, *, upper: bool) -> float:
        density = self._density(odds)
        return float(density[self.support >= self.x].sum() if upper else density[self.support <= self.x].sum())

    def estimate(self) -> float:
        if self.x == self.support[0]:
            return 0.0
        if self.x == self.support[-1]:
            return float("inf")
        return _solve_over_odds(lambda odds: self._mean(odds) - self.x, rising=True)

    def lower(self, alpha: float) -> float:
        if self.x == self.support[0]:
            return 0.0
        return _solve_over_odds(lambda odds: self._tail(odds, upper=True) - alpha, rising=True)

    def upper(self, alpha: float) -> float:
        if self.x == self.support[-1]:
            return float("inf")
        return _solve_over_odds(lambda odds: self._tail(odds, upper=False) - alpha, rising=False)


def _log_choose(n: int, k: np.ndarray | int) -> np.ndarray:
    return special.gammaln(n + 1) - special.gammaln(np.asarray(k) + 1) - special.gammaln(n - np.asarray(k) + 1)


def _solve_over_odds(f, *, rising: bool) -> float:
    """The odds at which ``f`` (monotone in the odds: rising or falling) is 0, as R's fisher.test searches:
    below 1 as t in (0, 1), above 1 as 1/t."""
    at_one = f(1.0)
    if at_one == 0:
        return 1.0
    tiny = np.finfo(float).eps
    if (at_one > 0) == rising:  # the root is below 1
        return brent_root(f, tiny, 1.0)
    return 1.0 / brent_root(lambda t: f(1.0 / t), tiny, 1.0)


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values (as ``p.adjust(p, "holm")``), in the input order.

    None entries (a test that could not be computed) stay None and do not count in the family.
    """
    present = [(i, p) for i, p in enumerate(p_values) if p is not None]
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    m = len(present)
    for step, (index, p) in enumerate(sorted(present, key=lambda item: item[1])):
        running = max(running, min(1.0, (m - step) * p))
        adjusted[index] = running
    return adjusted
