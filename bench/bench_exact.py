"""Time the exact conditional p-values of analysis.stats on seeded, heavily tied data.

Run from the repository root:  .venv/bin/python bench/bench_exact.py
Prints a markdown table (median CPU seconds of several runs) for bench/README.md.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: make `analysis` importable

from analysis.stats import mann_whitney, rank_sum_exact_p, signed_rank_exact_p, wilcoxon_signed_rank

RUNS = 5


def heavy_tied_differences(n: int, seed: int) -> np.ndarray:
    """n non-zero differences with |d| in 1..4 (4 tie groups) and random signs."""
    rng = np.random.default_rng(seed)
    return rng.integers(1, 5, n) * rng.choice([-1, 1], n)


def change_scores(n: int, seed: int) -> np.ndarray:
    """n integer change scores in −4..4 (9 tie groups), as scores 1–5 on two days give."""
    rng = np.random.default_rng(seed)
    return rng.integers(1, 6, n) - rng.integers(1, 6, n)


def median_seconds(function, *args) -> tuple[float, object]:
    """Median CPU seconds of this process (wall time follows the other jobs on a shared machine)."""
    times, result = [], None
    for _ in range(RUNS):
        start = time.process_time()
        result = function(*args)
        times.append(time.process_time() - start)
    return statistics.median(times), result


def signed_rank_row(label: str, d: np.ndarray) -> str:
    exact_time, exact = median_seconds(signed_rank_exact_p, d)
    full_time, _ = median_seconds(wilcoxon_signed_rank, np.zeros(d.size), d)
    return _row(label, f"{d.size:,}", len(np.unique(np.abs(d))), exact, exact_time, full_time)


def rank_sum_row(label: str, x: np.ndarray, y: np.ndarray) -> str:
    exact_time, exact = median_seconds(rank_sum_exact_p, x, y)
    full_time, _ = median_seconds(mann_whitney, {"a": x, "b": y})
    groups = len(np.unique(np.concatenate([x, y])))
    return _row(label, f"{x.size:,} + {y.size:,}", groups, exact, exact_time, full_time)


def _row(label, size, groups, exact, exact_time, full_time) -> str:
    p = f"{exact.p:.6g}" if exact.p is not None else "None (over budget)"
    return f"| {label} | {size} | {groups} | {p} | {exact_time:.4f} | {full_time:.4f} |"


def main() -> None:
    print("| test | n | tie groups | p_exact | exact p (s) | whole test (s) |")
    print("|---|---:|---:|---|---:|---:|")
    for n in (50, 200, 1_000, 5_000):
        print(signed_rank_row("Wilcoxon, \\|d\\| in 1..4", heavy_tied_differences(n, seed=n)))
    print(signed_rank_row("Wilcoxon, no ties", np.random.default_rng(1).normal(size=1_000)))
    for n in (17, 100, 130, 500, 5_000):
        print(rank_sum_row("Mann–Whitney, change −4..4", change_scores(n, seed=n), change_scores(n, seed=n + 1)))
    for n in (500, 1_000):
        rng = np.random.default_rng(n)
        print(rank_sum_row("Mann–Whitney, scores 1..5", rng.integers(1, 6, n), rng.integers(1, 6, n)))
    rng = np.random.default_rng(3)
    print(rank_sum_row("Mann–Whitney, scores −1..1", rng.integers(-1, 2, 5_000), rng.integers(-1, 2, 5_000)))


if __name__ == "__main__":
    main()
