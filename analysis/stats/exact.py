"""Exact conditional p-values of the signed-rank and rank-sum tests, with ties and zeros.

"Exact" means the permutation distribution conditional on the observed mid-ranks: the share
of all 2^n sign assignments (signed rank) or all C(N, m) splits (rank sum) whose statistic is
at least as far from its mean as the observed one. Nothing is enumerated.

How it is computed
------------------
* Ranks are handled doubled (integers) and divided by their gcd, so observed and reference
  statistics are compared as integers: floating noise can never drop the observed point and no
  tolerance is needed.
* Signed rank: with tie groups g of |d| (t_g values sharing the doubled mid-rank r_g),
  2W+ = Σ_g r_g K_g with independent K_g ~ Binomial(t_g, 1/2). That distribution is symmetric
  about its mean, so the two-sided p is 2·P(2W+ ≥ max(obs, total − obs)).
* Rank sum: with tie groups g of the pooled sample, 2R = Σ_g r_g K_g with (K_g) multivariate
  hypergeometric (m drawn out of N). That equals independent K_g ~ Binomial(t_g, m/N)
  conditioned on Σ K_g = m, so the count j = Σ K_g is carried with the sum in one integer key
  (j·stride + sum). With ties the distribution is not symmetric: both tails are summed.
* Rank sum, two routes; the one estimated cheaper is taken:
  - halves: the tie groups are split into two halves, each built by convolving group by group
    (shifted adds on a dense array when the support is dense, sorted unique keys when it is
    sparse), joined row by row with cumulative tail sums ("meet in the middle");
  - pair: the largest tie group is never convolved (its count is drawn − j once the others are
    drawn), the next two form a closed-form (count, sum) table whose rows are arithmetic in one
    count, and only the rest is convolved; the join is arithmetic indexing, no search. This is
    the route for few, large tie groups (scores 1..5 at 500 + 500).
  The signed rank uses the halves. Only non-negative terms are added, so small p-values keep
  their relative accuracy (no FFT); probabilities below ~1e-300 underflow to 0. Sums of
  products use einsum, not BLAS: a threaded BLAS dot on a busy server cost 50× more.

Budget (decision)
-----------------
The work is estimated before anything is computed. Above EXACT_BUDGET (about one second of one
core) p is None and `method` explains why; an approximation is never returned under the name
exact. Limits measured with bench/bench_exact.py (CPU seconds in bench/README.md):
- signed rank: 5,000 differences with |d| in 1..4 in well under a second, and up to ~1,000
  untied differences;
- rank sum: 500 + 500 with scores 1..5 (5 tie groups) in ~0.1 s, up to ~1,000 + 1,000;
  change scores −4..4 (9 tie groups) up to ~130 + 130; three tie groups up to ~5,000 + 5,000.
- Not computed: 500 + 500 with 9 tie groups and more. The (count, sum) table of Σ r_g K_g has
  ~5·10^8 cells there, each updated for every count of every tie group; the known exact
  algorithms with ties (Mehta–Patel network, Streitberg–Röhmel shift) walk the same table
  (R's coin needs minutes at 500 + 500), there is no product formula with ties, and the faster
  routes (FFT, saddle point, Monte Carlo) are not exact. At those sizes p_asymptotic is
  accurate to many decimals.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal, NamedTuple

import numpy as np
from scipy.special import _ufuncs

from ._util import as_sample, doubled_midranks

Alternative = Literal["two-sided", "greater", "less"]
Dist = tuple[np.ndarray, np.ndarray]  # (ascending int64 support, float64 probabilities)

# Work is counted in rough nanoseconds on one core (calibrated with bench/bench_exact.py).
EXACT_BUDGET = 1.5e9  # estimates run 1–2.5× high, so real runs at the limit take ~0.6–1.5 s
_DENSE_FACTOR = 4  # build a dense array when its span is at most this many times the products
_COST_SHIFTED_ADD = 8  # per product when the support is contiguous (plain shifted adds)
_COST_SCATTER = 40  # per product when a sparse support is scattered into a dense array
_COST_SORTED = 200  # per product when products are sorted and merged (sparse support)
_COST_JOIN = 100  # per support point of either half in the final join
_COST_PAIR = 15  # per point of the convolved groups and count of the largest group (rank sum, pair join)
_COST_TABLE = 50  # per cell of the pair table (rank sum)
_MAX_TABLE = 4_000_000  # cells of the pair table (~32 MB per array); above it the halves are used
EXACT_METHOD = "exact, conditional on the observed mid-ranks"


def binomial_pmf(k: np.ndarray, size: int, p: float) -> np.ndarray:
    """Binomial(size, p) probabilities of k: the Boost function behind scipy.stats.binom.pmf.

    Called directly because importing scipy.stats costs more start-up than the whole analysis
    of a 1,000-participant study (tests check it against scipy.stats.binom.pmf).
    """
    return _ufuncs._binom_pmf(k, size, p)


class ExactP(NamedTuple):
    """An exact p-value, or None with the reason in `method`."""

    p: float | None
    method: str


class _OverBudget(Exception):
    def __init__(self, work: float) -> None:
        super().__init__(work)
        self.work = work


def signed_rank_exact_p(differences: Iterable[float], alternative: Alternative = "two-sided") -> ExactP:
    """Exact conditional p of the Wilcoxon signed-rank test on `differences` (zeros dropped).

    "greater" is P(W+ ≥ observed), "less" P(W+ ≤ observed). With no non-zero difference the
    only outcome is W+ = W− = 0, so p = 1.0.
    """
    _check_alternative(alternative)
    d = as_sample(differences, "differences")
    d = d[d != 0]
    if d.size == 0:
        return ExactP(1.0, EXACT_METHOD + " (no non-zero differences)")
    doubled = doubled_midranks(np.abs(d))
    observed, total = int(doubled[d > 0].sum()), int(doubled.sum())
    if alternative == "two-sided" and 2 * observed == total:
        return ExactP(1.0, EXACT_METHOD)
    try:
        if alternative == "two-sided":
            return _exact(2 * _signed_rank_upper_tail(doubled, max(observed, total - observed)))
        threshold = observed if alternative == "greater" else total - observed  # symmetry
        return _exact(_signed_rank_upper_tail(doubled, threshold))
    except _OverBudget as error:
        return _not_computed(error.work)


def rank_sum_exact_p(x: Iterable[float], y: Iterable[float], alternative: Alternative = "two-sided") -> ExactP:
    """Exact conditional p of the Mann–Whitney / Wilcoxon rank-sum test of x against y.

    "greater" is P(R_x ≥ observed) (x tends higher), "less" P(R_x ≤ observed); two-sided
    counts splits with |R_x − m(N + 1)/2| ≥ observed. An empty group gives p None.
    """
    _check_alternative(alternative)
    x, y = as_sample(x, "x"), as_sample(y, "y")
    if x.size == 0 or y.size == 0:
        return ExactP(None, "not computed: a group is empty")
    doubled = doubled_midranks(np.concatenate([x, y]))
    observed, mean = int(doubled[: x.size].sum()), x.size * (doubled.size + 1)
    if alternative == "two-sided" and observed == mean:
        return ExactP(1.0, EXACT_METHOD)
    upper, lower = _rank_sum_thresholds(observed, mean, alternative)
    drawn = x.size
    if y.size < x.size:  # track the smaller group (fewer states): 2R_y = total − 2R_x
        total = int(doubled.sum())
        upper, lower = (None if lower is None else total - lower), (None if upper is None else total - upper)
        drawn = y.size
    try:
        return _exact(sum(_rank_sum_tails(doubled, drawn, upper, lower)))
    except _OverBudget as error:
        return _not_computed(error.work)


def _check_alternative(alternative: str) -> None:
    if alternative not in ("two-sided", "greater", "less"):
        raise ValueError(f"alternative must be 'two-sided', 'greater' or 'less', not {alternative!r}")


def _exact(p: float) -> ExactP:
    return ExactP(float(min(1.0, max(0.0, p))), EXACT_METHOD)


def _not_computed(work: float) -> ExactP:
    return ExactP(
        None,
        f"not computed: the exact distribution needs about {work:.1e} operations, "
        f"above the budget of {EXACT_BUDGET:.1e} (about a second); use p_asymptotic",
    )


def _rank_sum_thresholds(observed: int, mean: int, alternative: str) -> tuple[int | None, int | None]:
    """(u, l) such that the rejection region is 2R ≥ u or 2R ≤ l (None: that tail is not used)."""
    if alternative == "greater":
        return observed, None
    if alternative == "less":
        return None, observed
    distance = abs(observed - mean)
    return mean + distance, mean - distance


def _signed_rank_upper_tail(doubled: np.ndarray, threshold: int) -> float:
    """P(Σ r_i B_i ≥ threshold) for the doubled ranks r_i and independent fair signs B_i."""
    ranks, counts = np.unique(doubled, return_counts=True)
    unit = int(np.gcd.reduce(ranks))
    parts = [_scaled_binomial(int(r) // unit, int(t), 0.5, int(t)) for r, t in zip(ranks, counts, strict=True)]
    limit = int(doubled.sum()) // unit
    first, second = _split_and_build(parts, limit)
    upper, _ = _join_rows(first, second, 0, limit + 1, -(-threshold // unit), None)
    return upper


def _rank_sum_tails(doubled: np.ndarray, drawn: int, upper: int | None, lower: int | None) -> tuple[float, float]:
    """(P(2R ≥ upper), P(2R ≤ lower)) for the sum 2R of `drawn` doubled ranks drawn at random.

    Keys are j·stride + s with s = Σ w_g K_g, w_g = (r_g − r_1)/unit and j the number drawn so
    far: subtracting the smallest rank per drawn item keeps each row of the (j, s) table short.
    Of two ways to the tails the one estimated cheaper is taken (see _rank_sum_plan).
    """
    ranks, counts = np.unique(doubled, return_counts=True)
    rank_unit = int(np.gcd.reduce(ranks))
    ranks = ranks // rank_unit
    base = int(ranks[0])
    unit = int(np.gcd.reduce(ranks - base)) or 1
    widths = (ranks - base) // unit  # 2R = (drawn·base + unit·s)·rank_unit
    stride = drawn * int(widths[-1]) + 1
    groups = [(int(w), int(t)) for w, t in zip(widths, counts, strict=True)]
    offset = drawn * base
    up = None if upper is None else -(-(-(-upper // rank_unit) - offset) // unit)
    low = None if lower is None else (lower // rank_unit - offset) // unit
    table = _RankSumTable(groups, drawn, drawn / doubled.size, stride)
    return table.tails(up, low)


class _RankSumTable:
    """The (count, sum) distribution of the tie groups of a rank sum, built the cheaper of two ways.

    * halves: all groups split into two halves, each convolved, joined row by row (_join_rows);
    * pair: the largest group is never convolved (its count is drawn − j once the others are
      drawn), the two next largest form a closed-form (count, sum) table whose rows are
      arithmetic in one count, and only the remaining groups are convolved; the join is then
      arithmetic indexing, no search. This wins for few, large tie groups (scores 1..5 at
      500 + 500), the halves for many groups.
    """

    def __init__(self, groups: list[tuple[int, int]], drawn: int, share: float, stride: int) -> None:
        self.groups, self.drawn, self.share, self.stride = groups, drawn, share, stride
        self.limit = (drawn + 1) * stride - 1

    def part(self, width: int, size: int) -> Dist:
        return _scaled_binomial(self.stride + width, size, self.share, min(size, self.drawn))

    def tails(self, upper: int | None, lower: int | None) -> tuple[float, float]:
        halves_work, halves = _halves_plan([self.part(w, t) for w, t in self.groups], self.limit)
        order = sorted(range(len(self.groups)), key=lambda g: -min(self.groups[g][1], self.drawn))
        last, pair, rest = order[0], order[1:3], [self.part(*self.groups[g]) for g in order[3:]]
        pair_work = _pair_cost(rest, self.limit, [min(self.groups[g][1], self.drawn) + 1 for g in order[:3]])
        if min(halves_work, pair_work) > EXACT_BUDGET:
            raise _OverBudget(min(halves_work, pair_work))
        if halves_work <= pair_work:
            first, second = _build_halves(halves, self.limit)
            return _join_rows(first, second, self.drawn, self.stride, upper, lower)
        pair_table = _PairTable([self.groups[g] for g in pair], self.drawn, self.share)
        width, size = self.groups[last]
        last_k, last_p = _scaled_binomial(1, size, self.share, min(size, self.drawn))
        return pair_table.join(_build(rest, self.limit), self.stride, (last_k, last_p, width), upper, lower)


def _pair_cost(rest: list[Dist], limit: int, counts: list[int]) -> float:
    """Estimated work of the pair route; `counts` are the numbers of possible counts of the last and the pair."""
    last, pair = counts[0], counts[1:] + [1] * (3 - len(counts))
    cells = (pair[0] + pair[1] - 1) * pair[1]
    if cells > _MAX_TABLE:
        return math.inf
    build, size = _build_cost(rest, limit)
    return build + _COST_PAIR * size * last + _COST_TABLE * cells


class _PairTable:
    """(count j, sum s) of two tie groups c, d: s = w_c·j + (w_d − w_c)·K_d, so each row is arithmetic in K_d."""

    def __init__(self, pair: list[tuple[int, int]], drawn: int, share: float) -> None:
        while len(pair) < 2:  # fewer than three groups: pad with empty ones (count always 0)
            pair = [*pair, (max((w for w, _ in pair), default=0) + 1, 0)]
        (w_c, t_c), (w_d, t_d) = sorted(pair)
        self.w_c, self.step, self.drawn = w_c, w_d - w_c, drawn
        p_c = _full_binomial(t_c, share, drawn)
        p_d = _full_binomial(t_d, share, drawn)
        rows, cols = len(p_c) + len(p_d) - 1, len(p_d)
        j, k = np.arange(rows)[:, None], np.arange(cols)[None, :]
        inside = (j - k >= 0) & (j - k < len(p_c))
        probs = np.where(inside, p_c[np.clip(j - k, 0, len(p_c) - 1)] * p_d[k], 0.0)
        self.tail = np.zeros((rows, cols + 1))
        self.tail[:, :cols] = np.cumsum(probs[:, ::-1], axis=1)[:, ::-1]
        self.head = np.zeros((rows, cols + 1))
        self.head[:, 1:] = np.cumsum(probs, axis=1)
        self.mass, self.cols = self.head[:, -1], cols

    def join(self, first: Dist, stride: int, last: tuple[np.ndarray, np.ndarray, int], upper, lower):
        """Tails of s₁ + s_pair + k·w over first ⊗ pair ⊗ last, given j₁ + j_pair + k = drawn.

        With j = drawn − k − j₁ the pair's column is ceil((upper − k·w − s₁ − w_c·j)/step), i.e.
        a per-k constant minus a per-point one: the loop over k is a few array operations.
        """
        j_first, s_first = np.divmod(first[0], stride)  # keys ascend, so j₁ ascends
        probs, width = first[1], self.cols + 1
        point = s_first - self.w_c * j_first
        flat = j_first * width
        tail, head, mass = self.tail.ravel(), self.head.ravel(), self.mass
        total = up = low = 0.0
        for k, weight in zip(last[0].tolist(), last[1].tolist(), strict=True):
            row = self.drawn - k  # j = row − j₁ must be a row of the pair table
            lo, hi = np.searchsorted(j_first, [row - len(mass) + 1, row + 1])
            if lo == hi:
                continue
            p, a, cell = probs[lo:hi], point[lo:hi], row * width - flat[lo:hi]
            total += weight * _dot(p, mass[row - j_first[lo:hi]])
            shift = k * last[2] + self.w_c * row
            if upper is not None:
                column = np.clip(-((a - (upper - shift)) // self.step), 0, self.cols)  # ceil((upper − shift − a)/step)
                up += weight * _dot(p, tail[cell + column])
            if lower is not None:
                column = np.clip((lower - shift - a) // self.step + 1, 0, self.cols)
                low += weight * _dot(p, head[cell + column])
        return up / total, low / total


def _full_binomial(size: int, p: float, drawn: int) -> np.ndarray:
    return binomial_pmf(np.arange(min(size, drawn) + 1), size, p)


def _scaled_binomial(step: int, size: int, p: float, k_max: int) -> Dist:
    """Values step·k for k = 0..k_max with Binomial(size, p) weights; underflowed zeros dropped."""
    k = np.arange(k_max + 1, dtype=np.int64)
    probs = binomial_pmf(k, size, p)
    keep = probs > 0
    return k[keep] * step, probs[keep]


def _split_and_build(parts: list[Dist], limit: int) -> tuple[Dist, Dist]:
    """Split the tie-group distributions into two halves and convolve each; keys above `limit` are dropped.

    Returns the smaller half first. Raises _OverBudget, before any real work, when the
    estimated work exceeds EXACT_BUDGET.
    """
    work, halves = _halves_plan(parts, limit)
    if work > EXACT_BUDGET:
        raise _OverBudget(work)
    return _build_halves(halves, limit)


def _halves_plan(parts: list[Dist], limit: int) -> tuple[float, tuple[list[Dist], list[Dist]]]:
    """(estimated work, the two halves) of building and joining two halves of `parts`."""
    halves = _split(parts, limit)
    costs = [_build_cost(half, limit) for half in halves]
    return sum(cost for cost, _ in costs) + _COST_JOIN * sum(size for _, size in costs), halves


def _build_halves(halves: tuple[list[Dist], list[Dist]], limit: int) -> tuple[Dist, Dist]:
    first, second = _build(halves[0], limit), _build(halves[1], limit)
    # The join searches the first half's points in the second's rows: searching is the dearer side.
    return (first, second) if len(first[0]) <= len(second[0]) else (second, first)


def _split(parts: list[Dist], limit: int) -> tuple[list[Dist], list[Dist]]:
    """Greedy balance: widest group first, each into the half whose support stays smaller."""
    halves: tuple[list[Dist], list[Dist]] = ([], [])
    state = [(1, 1), (1, 1)]  # (estimated support size, span) of each half
    for part in sorted(parts, key=_width, reverse=True):
        grown = [_grow(size, span, part, limit) for size, span in state]
        side = 0 if grown[0][0] <= grown[1][0] else 1
        halves[side].append(part)
        state[side] = grown[side]
    return halves


def _width(part: Dist) -> int:
    return int(part[0][-1] - part[0][0])


def _grow(size: float, span: int, part: Dist, limit: int) -> tuple[float, int]:
    new_span = min(span + _width(part), limit + 1)
    return min(size * len(part[0]), new_span), new_span


def _build_cost(half: list[Dist], limit: int) -> tuple[float, float]:
    """(estimated work, estimated support size) of _build(half), mirroring _convolve's choices."""
    size, span, work, contiguous = 1.0, 1, 0.0, True
    for part in sorted(half, key=_width):
        products = size * len(part[0])
        span = min(span + _width(part), limit + 1)
        if span <= _DENSE_FACTOR * products:
            work += span + products * (_COST_SHIFTED_ADD if contiguous else _COST_SCATTER)
            size, contiguous = span, True
        else:
            work += _COST_SORTED * products
            size, contiguous = products, False
    return work, size


def _build(half: list[Dist], limit: int) -> Dist:
    dist: Dist = (np.zeros(1, dtype=np.int64), np.ones(1))
    for part in sorted(half, key=_width):  # narrow first: the support grows slowly
        dist = _convolve(dist, part, limit)
    return dist


def _convolve(dist: Dist, part: Dist, limit: int) -> Dist:
    """Distribution of X + Y for independent X ~ dist, Y ~ part, without values above `limit`."""
    low = int(dist[0][0] + part[0][0])
    span = min(int(dist[0][-1] + part[0][-1]), limit) - low + 1
    if span <= _DENSE_FACTOR * len(dist[0]) * len(part[0]):
        return _convolve_dense(dist, part, low, span)
    return _convolve_sparse(dist, part, limit)


def _convolve_dense(dist: Dist, part: Dist, low: int, span: int) -> Dist:
    values, probs = dist
    out = np.zeros(span)
    offsets = values - low
    contiguous = len(values) == int(values[-1] - values[0]) + 1
    scaled = np.empty_like(probs)
    for shift, weight in zip(part[0].tolist(), part[1].tolist(), strict=True):
        start = int(offsets[0]) + shift
        if start >= span:
            break  # part values ascend: every later shift is out of range too
        if contiguous:  # a plain shifted add, the fast path
            stop = min(start + len(probs), span)
            np.multiply(probs[: stop - start], weight, out=scaled[: stop - start])
            out[start:stop] += scaled[: stop - start]
        else:  # indices are distinct within one shift, so fancy-index += is safe
            index = offsets + shift
            keep = index < span
            out[index[keep]] += weight * probs[keep]
    return np.arange(low, low + span, dtype=np.int64), out


def _convolve_sparse(dist: Dist, part: Dist, limit: int) -> Dist:
    keys = (part[0][:, None] + dist[0][None, :]).ravel()
    weights = (part[1][:, None] * dist[1][None, :]).ravel()
    keep = keys <= limit
    support, inverse = np.unique(keys[keep], return_inverse=True)
    return support, np.bincount(inverse, weights=weights[keep], minlength=len(support))


def _rows(dist: Dist, stride: int) -> dict[int, Dist]:
    """Split keys j·stride + s into {j: (s values, probabilities)}; keys are sorted, so rows are runs."""
    keys, probs = dist
    rows = keys // stride
    starts = np.flatnonzero(np.diff(rows, prepend=-1))
    ends = np.append(starts[1:], len(keys))
    return {int(rows[a]): (keys[a:b] - rows[a] * stride, probs[a:b]) for a, b in zip(starts, ends, strict=True)}


def _join_rows(
    first: Dist, second: Dist, drawn: int, stride: int, upper: int | None, lower: int | None
) -> tuple[float, float]:
    """(P(s₁ + s₂ ≥ upper | j₁ + j₂ = drawn), P(s₁ + s₂ ≤ lower | j₁ + j₂ = drawn)) for independent halves.

    Tails are cumulated within each row of the second half, never as differences of global
    cumulative sums, so tiny tail probabilities are not lost to cancellation.
    """
    rows = _rows(second, stride)
    total = up = low = 0.0
    for count, (sums, probs) in _rows(first, stride).items():
        if (row := rows.get(drawn - count)) is None:
            continue
        other_sums, other_probs = row
        head = np.concatenate(([0.0], np.cumsum(other_probs)))
        total += float(probs.sum()) * head[-1]
        if upper is not None:
            tail = np.append(np.cumsum(other_probs[::-1])[::-1], 0.0)
            up += _dot(probs, tail[np.searchsorted(other_sums, upper - sums, side="left")])
        if lower is not None:
            low += _dot(probs, head[np.searchsorted(other_sums, lower - sums, side="right")])
    return up / total, low / total


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Σ a·b without BLAS: a threaded BLAS dot of a few thousand terms costs ~50× more on a busy server."""
    return float(np.einsum("i,i->", a, b))


def untied_signed_rank_cdf(n: int) -> np.ndarray:
    """P(V ≤ v) for v = 0..n(n+1)/2, V the signed-rank statistic of n untied non-zero values."""
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1.0
    for rank in range(1, n + 1):
        shifted = counts[:-rank].copy()
        counts[rank:] += shifted
    return np.cumsum(counts) / 2.0**n


def untied_rank_sum_cdf(m: int, n: int) -> np.ndarray:
    """P(U ≤ u) for u = 0..mn, U the Mann–Whitney count of untied samples of sizes m and n.

    Recursion on the largest observation: P_{a,b}(u) = a/(a+b)·P_{a−1,b}(u − b) + b/(a+b)·P_{a,b−1}(u).
    """
    size = m * n + 1
    point = np.zeros(size)
    point[0] = 1.0
    previous = [point] * (n + 1)  # a = 0: U = 0 for every b
    for a in range(1, m + 1):
        current = [point]  # b = 0
        for b in range(1, n + 1):
            pmf = (b / (a + b)) * current[b - 1]
            pmf[b:] += (a / (a + b)) * previous[b][:-b]
            current.append(pmf)
        previous = current
    return np.cumsum(previous[n])
