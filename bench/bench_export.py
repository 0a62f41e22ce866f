"""Export 1,000,000 observation rows and compare with psql's own COPY of the same query, in the same run.

Run from the repository root:  .venv/bin/python bench/bench_export.py [--observations 1000000] [--runs 3] [--keep]

It creates a fresh database ``trialsite_bench_export`` on the same server (the embedded one when
DATABASE_URL is unset) with Django's test-database machinery, migrates it, and loads the demo
study with N/7 participants and 7 days each in SQL (``generate_series``; triggers off for the
load only, so the audit trail does not double the load time).

CSV, medians of --runs rounds; each round runs every step once, one after the other, so that the
reference and the export share the machine's load of that moment:

- the reference: ``psql -c "COPY (<the identified observations.csv query>) TO STDOUT (FORMAT csv)"``
  into a file, the exact query the export runs (formula escaping included); beside it the
  same query as a server-side ``COPY … TO '<file>'`` (as the server's superuser) and
  ``COPY observations_observation TO STDOUT`` (the bare table);
- the export's CSV files (``write_csv_table``): observations.csv identified and de-identified,
  the wide data.csv identified and de-identified; each also against psql's COPY of its own query.

"× ref" = the reference's median time / the step's median time (1.00 = as fast as psql's COPY of
the identified rows); "CPU ms" = CPU time of this Python process (the server's is not in it).

XLSX, SPSS and Stata (``--binary``, on by default): each format's data files and codebook
(``write_tables``, the bundle without the zip and the analysis JSON) in a child process run
under ``/usr/bin/time``, which reports its peak RSS; the child is this script with ``--write``
against the same database, inside one REPEATABLE READ transaction as the export runs.
``pyreadstat-sav:long`` / ``pyreadstat-dta:long`` write the same tables the way the exports
did before the row-by-row writers (a whole DataFrame handed to pyreadstat), for comparison.
``--skip-csv`` leaves out the CSV rounds.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: make the project importable
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialsite.settings")
os.environ["TEST_DATABASE_NAME"] = "trialsite_bench_export"

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from analysis.exports.columns import CATEGORY, DATE, DECIMAL, INTEGER, TEXT  # noqa: E402
from analysis.exports.services import ExportOptions, build_tables  # noqa: E402
from analysis.exports.writers import Table, write_codebook_csv, write_csv_table, write_tables  # noqa: E402
from enrollment.models import Participant, Study  # noqa: E402
from observations.demo import study as demo  # noqa: E402
from observations.models import Observation  # noqa: E402
from trialsite.roles import Role  # noqa: E402

PARTICIPANTS_SQL = """
INSERT INTO {participant} (study_id, site_id, arm_id, participant_id, enrolled_on, intervention_start, status,
    status_reason, excluded_from_analysis, excluded_from_per_protocol, exclusion_reason, full_name, phone,
    date_of_birth, age_years, parity, delivery_mode, infant_birth_weight_g, created_at)
SELECT %(study)s, CASE WHEN i %% 2 = 0 THEN %(site1)s ELSE %(site2)s END,
    CASE WHEN i %% 2 = 0 THEN %(arm1)s ELSE %(arm2)s END,
    'B-' || lpad(i::text, 6, '0'), DATE '2026-01-05', DATE '2026-01-05', 'completed', '', false, false, '',
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
    with superuser_connection() as conn, conn.cursor() as cursor:
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


def superuser_connection():
    """The bulk load skips the triggers, which only a superuser may (the embedded server's ``postgres``)."""
    import psycopg

    info = connection.ensure_connection() or connection.connection.info
    return psycopg.connect(host=info.host, port=info.port, user="postgres", dbname=info.dbname, autocommit=True)


def mogrified(query: tuple[str, list]) -> str:
    """``query`` with its parameters inlined, for psql."""
    with connection.cursor() as cursor:
        return cursor.cursor.mogrify(*query)


def psql(sql: str, *, user: str | None = None, output: Path | None = None) -> None:
    settings = connection.settings_dict
    host, port = connection.connection.info.host, connection.connection.info.port
    command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", str(port),
               "-U", user or settings["USER"], "-d", settings["NAME"], "-c", sql]  # fmt: skip
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    with output.open("wb") if output else open(os.devnull, "wb") as out:
        subprocess.run(command, stdout=out, check=True, env=env)


def psql_copy(query: tuple[str, list], path: Path) -> None:
    psql(f"COPY ({mogrified(query)}) TO STDOUT (FORMAT csv, HEADER true)", output=path)


def server_copy(query: tuple[str, list], path: Path) -> None:
    """COPY to a file written by the server itself (needs a superuser: the embedded server's ``postgres``)."""
    psql(f"COPY ({mogrified(query)}) TO '{path}' (FORMAT csv, HEADER true)", user="postgres")


def export_csv(table: Table, path: Path) -> None:
    write_csv_table(table, path)


def tables(study, layout: str, deidentified: bool) -> list[Table]:
    return build_tables(study, ExportOptions("csv", layout, deidentified), masked=False)


def csv_steps(study, folder: Path) -> dict:
    long_id, long_de = tables(study, "long", False)[1], tables(study, "long", True)[1]
    wide_id, wide_de = tables(study, "wide", False)[0], tables(study, "wide", True)[0]
    server_file = Path(tempfile.gettempdir()) / f"bench-export-server-{os.getpid()}.csv"
    return {
        "psql COPY (observations.csv query) TO STDOUT": lambda: psql_copy(long_id.query, folder / "ref.csv"),
        "server-side COPY (same query) TO file": lambda: server_copy(long_id.query, server_file),
        "psql COPY observations table TO STDOUT": lambda: psql(
            f"COPY {Observation._meta.db_table} TO STDOUT (FORMAT csv)", output=folder / "table.csv"),
        "export observations.csv": lambda: export_csv(long_id, folder / "obs.csv"),
        "export observations.csv, de-identified": lambda: export_csv(long_de, folder / "obs-d.csv"),
        "  psql COPY of its own query": lambda: psql_copy(long_de.query, folder / "ref-d.csv"),
        "export data.csv, wide": lambda: export_csv(wide_id, folder / "wide.csv"),
        "  psql COPY of its own query ": lambda: psql_copy(wide_id.query, folder / "ref-w.csv"),
        "export data.csv, wide, de-identified": lambda: export_csv(wide_de, folder / "wide-d.csv"),
        "  psql COPY of its own query  ": lambda: psql_copy(wide_de.query, folder / "ref-wd.csv"),
    }  # fmt: skip


def client_cpu() -> float:
    """CPU seconds of this process and of its finished children (psql): the client side of a step."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def run_csv(study, runs: int, folder: Path, n_rows: int) -> None:
    steps = csv_steps(study, folder)
    walls: dict[str, list[float]] = {name: [] for name in steps}
    cpus: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(runs):
        for name, step in steps.items():
            wall, cpu = time.perf_counter(), client_cpu()
            step()
            walls[name].append(time.perf_counter() - wall)
            cpus[name].append(client_cpu() - cpu)
        for f in folder.iterdir():
            f.unlink()
    reference = statistics.median(next(iter(walls.values())))
    print(f"{'step':46} {'median s':>9} {'best s':>7} {'× ref':>6} {'rows/s':>10} {'client CPU ms':>13}")
    for name in steps:
        median = statistics.median(walls[name])
        print(f"{name:46} {median:9.2f} {min(walls[name]):7.2f} {reference / median:6.2f} "
              f"{n_rows / median:10,.0f} {statistics.median(cpus[name]) * 1000:13.0f}")  # fmt: skip


def write_binary(study, spec: str, folder: Path) -> None:
    """Child process: write one format's data files (``xlsx:long``) and print the time it took."""
    file_format, layout = spec.split(":")
    start, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic():
        connection.cursor().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        fmt = file_format.removeprefix("pyreadstat-")
        tables = build_tables(study, ExportOptions(fmt, layout, False), masked=False)
        if fmt == file_format:
            written = write_tables(file_format, tables, folder)
        else:
            written = [write_with_pyreadstat(table, folder / f"{table.name}.{fmt}") for table in tables]
            write_codebook_csv(tables, folder / "codebook.csv")
    size = sum(p.stat().st_size for p in written) / 2**20
    print(f"{spec}: {time.perf_counter() - start:.1f} s wall, {time.process_time() - cpu:.1f} s CPU, {size:.0f} MB")


def write_with_pyreadstat(table: Table, path: Path) -> Path:
    """The former SPSS/Stata writer: the table as one DataFrame (float64 arrays, shared objects), then pyreadstat."""
    import numpy as np
    import pandas as pd
    import pyreadstat

    def coded(v, value):
        if value is None:
            return {TEXT: "", DATE: None}.get(v.kind, np.nan)
        if v.kind == CATEGORY:
            return float(next(code for key, code, _label in v.codes if key == value))
        return date.fromisoformat(value) if v.kind == DATE else value if v.kind == TEXT else float(value)

    numeric = [v.kind in (INTEGER, DECIMAL, CATEGORY) for v in table.variables]
    columns, seen = [array("d") if n else [] for n in numeric], {}
    for row in table.rows():
        for v, column, value in zip(table.variables, columns, row, strict=True):
            key = (v.name, value)
            column.append(seen[key] if key in seen else seen.setdefault(key, coded(v, value)))
    frame = pd.DataFrame({v.name: np.frombuffer(c, dtype="float64") if n else np.array(c, dtype=object)
                          for v, c, n in zip(table.variables, columns, numeric, strict=True)})  # fmt: skip
    limit = 80 if path.suffix == ".dta" else None
    labels = [str(v.label)[:limit] for v in table.variables]
    value_labels = {v.name: {code: str(label) for _k, code, label in v.codes} for v in table.variables if v.codes}
    writer = pyreadstat.write_sav if path.suffix == ".sav" else pyreadstat.write_dta
    writer(frame, str(path), column_labels=labels, variable_value_labels=value_labels)
    return path


def run_binary(specs: list[str]) -> None:
    """Each format in a child process under /usr/bin/time (peak RSS of that process alone)."""
    database = connection.settings_dict["NAME"]
    for spec in specs:
        command = ["/usr/bin/time", "-f", "peak RSS %M KB, %e s wall, %U s user, %S s sys", sys.executable,
                   __file__, "--reuse", database, "--write", spec]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        lines = (result.stdout + result.stderr).strip().splitlines()
        print("  " + " | ".join(line for line in lines if ": " in line or line.startswith("peak")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the trialsite_bench_export database")
    parser.add_argument(
        "--binary",
        default="xlsx:long,sav:long,dta:long,sav:wide",
        help="format:layout list written in child processes ('' for none)",
    )
    parser.add_argument("--skip-csv", action="store_true", help="leave out the CSV rounds")
    parser.add_argument("--reuse", metavar="DATABASE", help="use this loaded database (no load, no drop)")
    parser.add_argument("--write", metavar="FORMAT:LAYOUT", help="child mode: write one format and stop")
    args = parser.parse_args()
    if args.reuse:
        connection.settings_dict["NAME"] = args.reuse
        with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
            write_binary(Study.objects.get(), args.write, Path(folder))
        return
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        start = time.perf_counter()
        study = load(args.observations)
        n = Observation.objects.count()
        print(f"Loaded {Participant.objects.count():,} participants and {n:,} observations into "
              f"{connection.settings_dict['NAME']} in {time.perf_counter() - start:.1f} s\n")  # fmt: skip
        if not args.skip_csv:
            with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
                run_csv(study, args.runs, Path(folder), n)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak RSS of this process (CSV steps): {rss:.0f} MB")
        if args.binary:
            run_binary(args.binary.split(","))
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
