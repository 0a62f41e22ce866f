"""Export 1,000,000 observation rows as CSV and compare with PostgreSQL's own COPY of the same rows.

Run from the repository root:  .venv/bin/python bench/bench_export.py [--observations 1000000] [--runs 3] [--keep]

It creates a fresh database ``trialsite_bench_export`` on the same server (the embedded one when
DATABASE_URL is unset) with Django's test-database machinery, migrates it, and loads the demo
study with N/7 participants and 7 days each in SQL (``generate_series``; triggers off for the
load only, so the audit trail does not double the load time). Then, medians of --runs runs:

- "COPY table": ``COPY observations_observation TO STDOUT (FORMAT csv)`` into a file: the
  fastest PostgreSQL can hand the same rows over, unformatted and unsorted;
- "export observations.csv": the export's own CSV of those rows (interchange columns, joined
  to participants, formatted, sorted), identified and de-identified;
- "whole bundle": ``export_dataset --format csv --layout long`` (both CSVs, codebook,
  compute_results JSON, manifest, zip), and the wide CSV alone and in a bundle (Python pivot
  over two server-side cursors).

Memory: tracemalloc peak of Python allocations during each export (in a separate run, as
tracemalloc slows Python down), and the process's peak RSS (ru_maxrss) at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: make the project importable
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialsite.settings")
os.environ["TEST_DATABASE_NAME"] = "trialsite_bench_export"

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402

from analysis.exports import columns  # noqa: E402
from analysis.exports.queries import Scope, observations_sql  # noqa: E402
from analysis.exports.services import ExportOptions, export_to_file  # noqa: E402
from analysis.exports.wide import wide_rows  # noqa: E402
from analysis.exports.writers import Table, write_csv_table  # noqa: E402
from enrollment.models import Participant  # noqa: E402
from observations.demo import study as demo  # noqa: E402
from observations.models import Observation  # noqa: E402
from trialsite.roles import Role  # noqa: E402

PARTICIPANTS_SQL = """
INSERT INTO {participant} (study_id, site_id, arm_id, participant_id, enrolled_on, intervention_start, status,
    status_reason, excluded_from_analysis, exclusion_reason, full_name, phone, date_of_birth, age_years, parity,
    delivery_mode, infant_birth_weight_g, created_at)
SELECT %(study)s, CASE WHEN i %% 2 = 0 THEN %(site1)s ELSE %(site2)s END,
    CASE WHEN i %% 2 = 0 THEN %(arm1)s ELSE %(arm2)s END,
    'B-' || lpad(i::text, 6, '0'), DATE '2026-01-05', DATE '2026-01-05', 'completed', '', false, '',
    'Ibu ' || i, '08' || (1000000000 + i), DATE '1996-01-01' + (i %% 3000), 19 + i %% 20, 1 + i %% 4,
    CASE WHEN i %% 3 = 0 THEN 'caesarean' ELSE 'vaginal' END, 2500 + i %% 1500, now()
FROM generate_series(0, %(n)s - 1) AS i
"""
OBSERVATIONS_SQL = """
INSERT INTO {observation} (participant_id, day, observed_on, feeds_24h, wet_diapers_24h, sleep_after_feed_hours,
    breast_full_then_soft, expressed_volume_ml, notes, adherence, massage_minutes, missing_reason, deviation_reason,
    out_of_window, score, version, idempotency_key, created_at, updated_at)
SELECT p.id, d, DATE '2026-01-05' + (d - 1), f, w, s, b, CASE WHEN (p.id + d) %% 2 = 0 THEN 20 + 10 * d END, '',
    'yes', NULL, '', '', false,
    1 + (f BETWEEN 8 AND 12)::int + (w >= 6)::int + (s >= 2)::int + b::int, 1, gen_random_uuid(), now(), now()
FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM {participant}) p
CROSS JOIN generate_series(1, 7) AS d
CROSS JOIN LATERAL (SELECT 4 + (p.id * 7 + d) %% 10 AS f, 2 + (p.id * 3 + d) %% 8 AS w,
                           ((p.id + d) %% 8) / 2.0 AS s, (p.id + d) %% 3 <> 0 AS b) AS v
WHERE p.k * 7 + d <= %(n)s
"""


def load(n_observations: int):
    """The demo study with ceil(N/7) participants and exactly N observations, loaded in SQL."""
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    study = demo.seed_study()
    demo.seed_users(study, "bench-Password-2026")
    sites, arms = list(study.sites.order_by("order")), list(study.arms.order_by("order"))
    n_people = -(-n_observations // 7)
    tables = {"participant": Participant._meta.db_table, "observation": Observation._meta.db_table}
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # load only: no audit-trail triggers
        cursor.execute(
            PARTICIPANTS_SQL.format(**tables),
            {
                "study": study.pk,
                "site1": sites[0].pk,
                "site2": sites[1].pk,
                "arm1": arms[0].pk,
                "arm2": arms[1].pk,
                "n": n_people,
            },
        )
        cursor.execute(OBSERVATIONS_SQL.format(**tables), {"n": n_observations})
        cursor.execute("SET session_replication_role = origin")
        cursor.execute("ANALYZE")
    return study


def timed(function, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def copy_table(path: Path) -> None:
    with (
        path.open("wb") as out,
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Observation._meta.db_table} TO STDOUT (FORMAT csv)") as copy,
    ):
        for chunk in copy:
            out.write(bytes(chunk))


def export_observations(study, path: Path, deidentified: bool) -> None:
    variables = columns.observation_variables(deidentified=deidentified)
    query = observations_sql(variables, Scope(study.pk, study.slug, None, deidentified))
    write_csv_table(Table("observations", variables, lambda: iter(()), query), path)


def export_wide(study, path: Path) -> None:
    people = columns.participant_variables(layout="wide", deidentified=False)
    people = columns.bind_study(people, study, list(study.sites.all()), list(study.arms.all()))
    fields = columns.wide_day_fields(deidentified=False)
    scope = Scope(study.pk, study.slug)
    header = people + columns.wide_day_variables(fields, study.n_days)
    write_csv_table(Table("data", header, lambda: wide_rows(people, fields, study.n_days, scope)), path)


def peak_python_memory(function) -> float:
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def run(study, runs: int, folder: Path, n_rows: int) -> None:
    coordinator = get_user_model().objects.get(username="coordinator")
    steps = {
        "COPY table (PostgreSQL)": lambda: copy_table(folder / "copy.csv"),
        "export observations.csv": lambda: export_observations(study, folder / "obs.csv", False),
        "export observations.csv, de-identified": lambda: export_observations(study, folder / "obs-d.csv", True),
        "export data.csv, wide (Python pivot)": lambda: export_wide(study, folder / "wide.csv"),
        "whole bundle, csv long": lambda: export_to_file(
            study=study, by=coordinator, options=ExportOptions("csv", "long", False), output=folder / "long.zip"),
        "whole bundle, csv wide": lambda: export_to_file(
            study=study, by=coordinator, options=ExportOptions("csv", "wide", False), output=folder / "wide.zip"),
    }  # fmt: skip
    baseline = None
    print(f"{'step':42} {'median s':>9} {'best s':>8} {'speed vs COPY':>14} {'rows/s':>10} {'Python peak MB':>15}")
    for name, step in steps.items():
        median, best = timed(step, runs)
        baseline = baseline or median
        peak = peak_python_memory(step)
        print(f"{name:42} {median:9.2f} {best:8.2f} {baseline / median:14.2f} {n_rows / median:10,.0f} {peak:15.1f}")
        for f in folder.iterdir():
            f.unlink()
    print(f"peak RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the trialsite_bench_export database")
    args = parser.parse_args()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        start = time.perf_counter()
        study = load(args.observations)
        n = Observation.objects.count()
        print(f"Loaded {Participant.objects.count():,} participants and {n:,} observations into "
              f"{connection.settings_dict['NAME']} in {time.perf_counter() - start:.1f} s\n")  # fmt: skip
        with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
            run(study, args.runs, Path(folder), n)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
