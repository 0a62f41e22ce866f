"""Load test: a production-mode server on loopback under midwives, investigators and coordinators.

Run from the repository root (locust first: .venv/bin/pip install -r bench/requirements.txt):
    .venv/bin/python bench/loadtest.py [--participants 500] [--steps 50,100,150,200,250]

One command does everything, and cleans up after itself:
1. creates a fresh database ``trialsite_load`` on the embedded server (or the server of
   DATABASE_URL), migrates it and seeds the demo study with --participants synthetic mothers;
2. collects static files and starts gunicorn in production mode (TRIALSITE_MODE=production,
   DEBUG off, --workers, bound to 127.0.0.1 only);
3. for each number of midwives in --steps runs locust headless for --seconds (plus
   --investigators polling the live dashboard and --coordinators on completeness and export,
   see bench/locustfile.py), sampling the database connections of the server every second;
4. prints, per step, p50/p95/p99 per endpoint, throughput, failures and the most database
   connections seen, and the first step where a midwife endpoint's p95 passed 1 s or more
   than 1% of requests failed (the breaking point); stops the server and drops the database.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
DB_NAME = "trialsite_load"
MIDWIFE_ENDPOINTS = (
    "today",
    "form (new day) GET",
    "form (new day) POST",
    "form (correction) GET",
    "form (correction) POST",
    "timeline",
)


def server_dsn() -> dict:
    """Connection keywords of the PostgreSQL server the app would use (embedded unless DATABASE_URL)."""
    if os.environ.get("DATABASE_URL"):
        info = psycopg.conninfo.conninfo_to_dict(os.environ["DATABASE_URL"])
        return {k: v for k, v in info.items() if k in ("host", "port", "user", "password")}
    sys.path.insert(0, str(ROOT))
    from trialsite.dbserver import ensure_embedded_server

    host, port = ensure_embedded_server(str(ROOT / "var" / "pgdata"))
    return {"host": host, "port": port, "user": "postgres"}


def database_url(dsn: dict) -> str:
    password = f":{dsn['password']}" if dsn.get("password") else ""
    return f"postgres://{dsn['user']}{password}@/{DB_NAME}?host={dsn['host']}&port={dsn['port']}"


def recreate_database(dsn: dict) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database(dsn: dict) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def manage(env: dict, *args: str) -> None:
    subprocess.run([str(VENV / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(env: dict, participants: int, password: str) -> None:
    start = time.perf_counter()
    manage(env, "migrate", "--no-input")
    manage(env, "createcachetable")
    manage(env, "seed_demo", f"--participants={participants}", f"--password={password}")
    manage(env, "collectstatic", "--no-input")
    took = time.perf_counter() - start
    print(f"database {DB_NAME}: migrated and seeded with {participants} participants in {took:.0f} s")


def start_server(env: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(VENV / "gunicorn"),
            "trialsite.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=sys.stderr,
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer on /healthz")


class ConnectionSampler(threading.Thread):
    """The most connections to the load database seen in pg_stat_activity, sampled every second."""

    def __init__(self, dsn: dict) -> None:
        super().__init__(daemon=True)
        self.dsn, self.most, self.running = dsn, 0, True

    def run(self) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **self.dsn) as conn:
            while self.running:
                row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [DB_NAME]).fetchone()
                self.most = max(self.most, row[0])
                time.sleep(1)


def run_step(env: dict, dsn: dict, midwives: int, args, out: Path) -> list[dict]:
    users = midwives + args.investigators + args.coordinators
    prefix = out / f"step{midwives}"
    sampler = ConnectionSampler(dsn)
    sampler.start()
    subprocess.run(
        [
            str(VENV / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--host",
            f"http://127.0.0.1:{args.port}",
            "-u",
            str(users),
            "-r",
            str(max(1, users // 10)),
            "-t",
            f"{args.seconds}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "ERROR",
        ],
        cwd=ROOT,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sampler.running = False
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["db_connections"] = sampler.most
    return rows


def print_step(midwives: int, rows: list[dict], seconds: int) -> bool:
    """Print one step's table; True when it broke (a midwife p95 over 1 s, or more than 1% failures)."""
    print(f"\n{midwives} midwives, {seconds} s; most database connections: {rows[0]['db_connections']}")
    print("| endpoint | requests | failures | p50 ms | p95 ms | p99 ms | req/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    broke = False
    for row in rows:
        print(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | {row['95%']} "
            f"| {row['99%']} | {float(row['Requests/s']):.1f} |"
        )
        if row["Name"] in MIDWIFE_ENDPOINTS and float(row["95%"] or 0) > 1000:
            broke = True
        if row["Name"] == "Aggregated" and int(row["Failure Count"]) > 0.01 * int(row["Request Count"]):
            broke = True
    return broke


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--steps", default="50,100,150,200,250", help="numbers of midwives, one locust run each")
    parser.add_argument("--seconds", type=int, default=60, help="length of each step")
    parser.add_argument("--investigators", type=int, default=5)
    parser.add_argument("--coordinators", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true", help="keep the trialsite_load database")
    args = parser.parse_args()
    if not (VENV / "locust").exists():
        raise SystemExit("locust is not installed: .venv/bin/pip install -r bench/requirements.txt")
    dsn = server_dsn()
    password = secrets.token_urlsafe(16)
    env = os.environ | {
        "DATABASE_URL": database_url(dsn),
        "TRIALSITE_MODE": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
        "LOADTEST_PASSWORD": password,
    }
    recreate_database(dsn)
    server = None
    try:
        prepare(env, args.participants, password)
        server = start_server(env, args.port, args.workers)
        with tempfile.TemporaryDirectory() as out:
            for midwives in [int(n) for n in args.steps.split(",")]:
                rows = run_step(env, dsn, midwives, args, Path(out))
                if print_step(midwives, rows, args.seconds):
                    print(f"\nBreaking point: {midwives} concurrent midwives (p95 over 1 s or more than 1% failures)")
                    break
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        if not args.keep:
            drop_database(dsn)


if __name__ == "__main__":
    main()
