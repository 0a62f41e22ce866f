"""Load test: a production-mode server on loopback under midwives, investigators and coordinators.

Run from the repository root (locust first: .venv/bin/pip install -r bench/requirements.txt):
    .venv/bin/python bench/loadtest.py [--participants 500] [--steps 50,100,150,200,250]

One command does everything, and cleans up after itself:
1. creates a fresh database ``trialsite_load`` on the embedded server (or the server of
   DATABASE_URL), migrates it and seeds the demo study with --participants synthetic mothers;
2. collects static files and starts gunicorn in production mode (TRIALSITE_MODE=production,
   DEBUG off, --workers, bound to 127.0.0.1 only);
3. for each number of midwives in --steps runs locust headless: a warm-up while everyone signs in
   (at least --warmup seconds, and until 10 s after the last sign-in), then --seconds measured (plus
   --investigators polling the live dashboard and --coordinators on completeness and export,
   see bench/locustfile.py), sampling the database connections of the server every second;
4. prints, per step, p50/p95/p99 per endpoint, throughput, failures and the most database
   connections seen, and the first step where a midwife endpoint's p95 passed 1 s or more
   than 1% of requests failed (the breaking point); stops the server and drops the database.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil
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


def create_people(env: dict, args, password: str) -> None:
    """The investigators' and coordinators' own accounts with their authenticators (bench/load_people.py)."""
    code = (
        "from bench.load_people import create_people; "
        f"create_people(investigators={args.investigators}, coordinators={args.coordinators}, "
        f"password={password!r}, key={env['LOADTEST_TOTP_KEY']!r})"
    )
    manage(env, "shell", "-c", code)


def start_server(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(VENV / "gunicorn"),
            "trialsite.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
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


class CpuClock:
    """CPU seconds (user + system) a set of processes spent since ``restart()``, sampled as they run.

    A process first seen after the restart counts from zero (it was born since); one that ended
    between two samples keeps its last sample.
    """

    def __init__(self) -> None:
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def sample(self, pids, *, born_since: bool = True) -> None:
        for pid in pids:
            try:
                times = psutil.Process(pid).cpu_times()
            except psutil.Error:
                continue
            self.first.setdefault(pid, 0.0 if born_since else times.user + times.system)
            self.last[pid] = times.user + times.system

    def restart(self) -> None:
        self.first = dict(self.last)

    def seconds(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


class Sampler(threading.Thread):
    """Every second: the connections to the load database (the most seen), and the CPU of gunicorn, of the
    database's connections and of locust; the CPU counted from when ``measuring`` appears (the locustfile
    writes it when it resets its statistics, the warm-up over), as locust's statistics."""

    def __init__(self, dsn: dict, server: subprocess.Popen, locust: subprocess.Popen, measuring: Path) -> None:
        super().__init__(daemon=True)
        self.dsn, self.server, self.locust, self.most, self.running = dsn, server, locust, 0, True
        self.clocks = {"app": CpuClock(), "database": CpuClock(), "locust": CpuClock()}
        self.measuring = measuring

    def processes(self, conn) -> dict[str, list[int]]:
        master = psutil.Process(self.server.pid)
        database = [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [DB_NAME])]
        return {
            "app": [master.pid, *(c.pid for c in master.children())],
            "database": database,
            "locust": [self.locust.pid],
        }

    def run(self) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **self.dsn) as conn:
            warming = True
            while self.running:
                pids = self.processes(conn)
                self.most = max(self.most, len(pids["database"]))
                for name, clock in self.clocks.items():
                    clock.sample(pids[name], born_since=not warming)
                if warming and self.measuring.exists():
                    warming = False
                    for clock in self.clocks.values():
                        clock.restart()
                time.sleep(1)

    def stop(self) -> dict[str, float]:
        self.running = False
        self.join(5)
        return {name: clock.seconds() for name, clock in self.clocks.items()}


def run_step(env: dict, dsn: dict, server: subprocess.Popen, midwives: int, args, out: Path) -> dict:
    """One locust run of warm-up + --seconds; its statistics after the warm-up (the later of --warmup seconds
    and 10 s after the last sign-in: bench/locustfile.py), what the sign-ins took, failures, and the CPU
    seconds of the app, the database and locust in the same window."""
    users = midwives + args.investigators + args.coordinators
    prefix = out / f"step{midwives}"
    command = [
        str(VENV / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
        "--host", f"http://127.0.0.1:{args.port}", "-u", str(users), "-r", str(args.spawn_rate or max(1, users // 10)),
        "-t", f"{args.warmup + args.seconds + 600}s", "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR",
    ]  # fmt: skip
    measuring = out / f"step{midwives}_measuring.json"
    step_env = env | {
        "LOADTEST_WARMUP": str(args.warmup),
        "LOADTEST_SECONDS": str(args.seconds),
        "LOADTEST_MEASURING": str(measuring),
    }
    with tempfile.TemporaryFile("w+") as errors:
        locust = subprocess.Popen(command, cwd=ROOT, env=step_env, stdout=subprocess.DEVNULL, stderr=errors, text=True)
        sampler = Sampler(dsn, server, locust, measuring)
        sampler.start()
        locust.wait()
        cpu = sampler.stop()
        errors.seek(0)
        stderr = errors.read()
    stats, failures = Path(f"{prefix}_stats.csv"), Path(f"{prefix}_failures.csv")
    if not stats.exists():
        raise SystemExit(f"locust wrote no statistics (exit {locust.returncode}):\n{stderr[-3000:]}")
    if not measuring.exists():
        raise SystemExit(f"the warm-up never ended: not everyone signed in within {args.warmup + args.seconds + 600} s")
    return {
        "rows": _read_csv(stats),
        "failures": _read_csv(failures) if failures.exists() else [],
        "connections": sampler.most,
        "warm_up": json.loads(measuring.read_text()),
        **{f"cpu_{name}": seconds for name, seconds in cpu.items()},
    }


def _read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def print_step(midwives: int, step: dict, seconds: int) -> bool:
    """Print one step's table; True when it broke (a midwife p95 over 1 s, or more than 1% failures)."""
    rows, total = step["rows"], step["rows"][-1]
    requests = int(total["Request Count"]) or 1
    load = " / ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\n{midwives} midwives, {seconds} s after the warm-up; most database connections: {step['connections']}; "
          f"load average after the step {load}")  # fmt: skip
    cpu = {part: step[f"cpu_{part}"] for part in ("app", "database", "locust")}
    each = ", ".join(f"{part} {1000 * seconds / requests:.1f} ms" for part, seconds in cpu.items())
    print(f"CPU per request: {each} ({' + '.join(f'{s:.0f}' for s in cpu.values())} s for {requests} requests)")
    w = step["warm_up"]
    print(
        f"Warm-up: {w['people']} people signed in within {w['all_signed_in_after']} s (sign-in p50 / p95 / max "
        f"{w['sign_in_p50']} / {w['sign_in_p95']} / {w['sign_in_max']} ms); measured from {w['measured_from']} s on"
    )
    print("| endpoint | requests | failures | p50 ms | p95 ms | p99 ms | req/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    broke = False
    for row in rows:
        print(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | {row['95%']} "
            f"| {row['99%']} | {float(row['Requests/s']):.1f} |"
        )
        if row["Name"] in MIDWIFE_ENDPOINTS and row["95%"] not in ("", "N/A") and float(row["95%"]) > 1000:
            broke = True
    if int(total["Failure Count"]) > 0.01 * requests:
        broke = True
    for failure in step["failures"]:
        print(f"  failed {failure['Occurrences']}×: {failure['Name']}: {failure['Error']}")
    return broke


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--steps", default="50,100,150,200,250", help="numbers of midwives, one locust run each")
    parser.add_argument("--seconds", type=int, default=60, help="length of each step, measured after the warm-up")
    parser.add_argument("--warmup", type=int, default=30, help="seconds before measuring: everyone signs in")
    parser.add_argument("--investigators", type=int, default=5)
    parser.add_argument("--coordinators", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (more than 1: gthread)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--spawn-rate", type=float, help="users started per second (default: all in 10 s)")
    parser.add_argument("--keep", action="store_true", help="keep the trialsite_load database")
    parser.add_argument("--reuse", action="store_true", help="use the trialsite_load database a --keep run left")
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
        "LOADTEST_TOTP_KEY": secrets.token_hex(20),
        "LOADTEST_INVESTIGATORS": str(args.investigators),
        "LOADTEST_COORDINATORS": str(args.coordinators),
    }
    if not args.reuse:
        recreate_database(dsn)
    server = None
    try:
        if args.reuse:
            manage(env, "seed_demo", f"--password={password}")  # the demo users' passwords of this run
        else:
            prepare(env, args.participants, password)
        create_people(env, args, password)
        server = start_server(env, args.port, args.workers, args.threads)
        with tempfile.TemporaryDirectory() as out:
            for midwives in [int(n) for n in args.steps.split(",")]:
                step = run_step(env, dsn, server, midwives, args, Path(out))
                if print_step(midwives, step, args.seconds):
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
