"""Time the full analysis (compute_results) of a 10,000-participant study.

Run from the repository root:  .venv/bin/python bench/bench_analyze.py [--participants 10000] [--runs 5] [--keep]

It creates a fresh database ``trialsite_bench`` on the same server (the embedded one when
DATABASE_URL is unset) with Django's test-database machinery, migrates it, loads the demo study
with N participants (two arms, N/2 each) and 7 days of observations each with ``bulk_create``
(scores computed by observations.scoring, ~4% missing days, ~2% late visits, some non-adherence),
then times compute_results: "database" = queries + frames (load_analysis_data), "statistics"
= results_from_data, "total" = compute_results. Medians of --runs runs, seconds. The database
is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import resource
import statistics
import sys
import time
import tracemalloc
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: make the project importable
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialsite.settings")
os.environ["TEST_DATABASE_NAME"] = "trialsite_bench"

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from analysis.results import compute_results, load_analysis_data, results_from_data  # noqa: E402
from enrollment.models import Participant  # noqa: E402
from observations.demo import study as demo  # noqa: E402
from observations.models import Adherence, Observation  # noqa: E402
from observations.scoring import compute_score  # noqa: E402

START = date(2026, 1, 5)
BATCH = 5_000


def observation(rng: random.Random, participant: Participant, day: int, massage: bool) -> Observation:
    """One observed or missing day; an indicator is met more often later, and more often with the massage."""
    if rng.random() < 0.04:
        return Observation(participant=participant, day=day, missing_reason="not_visited")
    chance = min(0.95, 0.2 + (0.55 if massage else 0.4) * (day - 1) / 6)
    met = [rng.random() < chance for _ in range(4)]
    fields = {
        "feeds_24h": 10 if met[0] else 5,
        "wet_diapers_24h": 7 if met[1] else 3,
        "sleep_after_feed_hours": Decimal("3.0") if met[2] else Decimal("1.0"),
        "breast_full_then_soft": met[3],
    }
    late = rng.random() < 0.02
    given = rng.random() < 0.93
    return Observation(
        participant=participant,
        day=day,
        observed_on=START + timedelta(days=day - 1 + (3 if late else 0)),
        out_of_window=late,
        deviation_reason="visited late" if late else "",
        adherence=Adherence.YES if given else Adherence.NO,
        massage_minutes=(15 if given else None) if massage else None,
        score=compute_score(**fields),
        **fields,
    )


@transaction.atomic
def load(n: int, seed: int):
    """The demo study with ``n`` participants (alternating arms) and 7 days of observations each.

    Triggers are off while loading (session_replication_role = replica: no audit events, no
    foreign-key triggers) — the generated rows are consistent by construction and the audit
    trail of a throw-away benchmark database is not needed; it made loading five times slower.
    """
    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    study = demo.seed_study()
    arms, site = list(study.arms.order_by("order")), study.sites.order_by("order").first()
    people = Participant.objects.bulk_create(
        [
            Participant(
                study=study,
                site=site,
                arm=arms[i % 2],
                participant_id=f"B-{i:05}",
                enrolled_on=START,
                intervention_start=START,
            )
            for i in range(n)
        ],
        batch_size=BATCH,
    )
    rows = [observation(rng, p, day, i % 2 == 1) for i, p in enumerate(people) for day in range(1, study.n_days + 1)]
    Observation.objects.bulk_create(rows, batch_size=BATCH)
    return study, len(rows)


def median_time(function, runs: int):
    """Median and best wall time, median CPU time of this process (not the database server's), last value."""
    times, cpu, value = [], [], None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        value = function()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), min(times), statistics.median(cpu), value


def report(study, runs: int, population: str) -> None:
    with CaptureQueriesContext(connection) as queries:
        compute_results(study, population=population)
    db_time, db_best, db_cpu, data = median_time(lambda: load_analysis_data(study, population=population), runs)
    stats_time, stats_best, stats_cpu, result = median_time(lambda: results_from_data(data), runs)
    total, total_best, total_cpu, _ = median_time(lambda: compute_results(study, population=population), runs)
    print(
        f"\n{population}: {len(queries)} queries; analysed "
        + ", ".join(f"{g['code']} {g['n_complete']}/{g['n_enrolled']}" for g in result["groups"])
    )
    print(f"  database (queries + frames): median {db_time:.3f} s (best {db_best:.3f}, Python CPU {db_cpu:.3f})")
    print(f"  statistics:                  median {stats_time:.3f} s (best {stats_best:.3f}, CPU {stats_cpu:.3f})")
    print(f"  total compute_results:       median {total:.3f} s (best {total_best:.3f}, Python CPU {total_cpu:.3f})")
    tracemalloc.start()
    compute_results(study, population=population)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  memory: Python allocations peak {peak / 2**20:.1f} MB; process peak RSS so far {rss:.0f} MB")
    for group in result["groups"]:
        w = group["wilcoxon"]
        print(
            f"  Wilcoxon {group['code']}: z {w['z']:.3f}, p_asymptotic {w['p_asymptotic']:.3g}, "
            f"p_exact {w['p_exact']} ({w['p_exact_method']})"
        )
    for key, test in result["mann_whitney"].items():
        print(
            f"  Mann-Whitney {key}: z {test['z']:.3f}, p_asymptotic {test['p_asymptotic']:.3g}, "
            f"p_exact {test['p_exact']} ({test['p_exact_method']})"
        )


@contextmanager
def as_superuser():
    """The load turns the triggers off, which only a superuser may (the embedded server's ``postgres``); the
    app's own role may not (docs/database.md), and the analysis runs as the app afterwards."""
    original = connection.settings_dict
    connection.close()
    connection.settings_dict = {**original, "USER": "postgres", "PASSWORD": ""}
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the trialsite_bench database")
    parser.add_argument("--profile", action="store_true", help="print the 20 costliest calls of compute_results")
    args = parser.parse_args()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        start = time.perf_counter()
        with as_superuser():
            study, n_obs = load(args.participants, args.seed)
        print(
            f"Loaded {args.participants:,} participants and {n_obs:,} observations into "
            f"{connection.settings_dict['NAME']} in {time.perf_counter() - start:.1f} s"
        )
        for population in ("complete_cases", "per_protocol"):
            report(study, args.runs, population)
        if args.profile:
            cProfile.runctx("compute_results(study)", globals(), {"study": study}, "/tmp/bench_analyze.prof")
            pstats.Stats("/tmp/bench_analyze.prof").sort_stats("tottime").print_stats(20)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
