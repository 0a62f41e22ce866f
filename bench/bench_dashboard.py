"""Time the results dashboard (server side) for a 10,000-participant study.

Run from the repository root:  .venv/bin/python bench/bench_dashboard.py [--participants 10000] [--runs 5]

Reuses the data builder of bench/bench_analyze.py (the demo study, N participants, 7 days of
observations each) in a fresh database ``trialsite_bench_dashboard``, signs in the demo
investigator with Django's test client (the whole request: middleware, access checks, view,
templates) and times, as medians of --runs runs:

- cold: GET /analysis/ right after the cache is cleared (compute_results + flow + baseline +
  completeness + rendering);
- warm: GET /analysis/ with the bundle cached for the current data fingerprint;
- poll unchanged: the htmx poll of /analysis/live/ with the current fingerprint (answers 204);
- poll after a change: the poll right after one observation is corrected (recomputes).
"""

from __future__ import annotations

import argparse
import statistics
import time

import bench_analyze  # sets up Django and holds the data builder  # isort: skip
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from analysis.dashboard import data_fingerprint
from observations.demo import study as demo
from observations.models import Observation

DATABASE = "trialsite_bench_dashboard"


def timed(function, runs: int, before=None) -> tuple[float, float, object]:
    times, value = [], None
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), value


def touch_one_observation() -> None:
    """A correction as the app makes it: an UPDATE (the audit trigger writes an event)."""
    observation = Observation.objects.filter(missing_reason="").order_by("pk").first()
    Observation.objects.filter(pk=observation.pk).update(notes=f"bench {time.perf_counter()}")


def measure(client: Client, runs: int) -> None:
    get = lambda: client.get("/analysis/")  # noqa: E731
    cold, cold_best, response = timed(get, runs, before=cache.clear)
    assert response.status_code == 200, response.status_code
    warm, warm_best, _ = timed(get, runs)
    with CaptureQueriesContext(connection) as queries:
        get()
    poll = lambda: client.get("/analysis/live/", {"fingerprint": data_fingerprint()}, headers={"HX-Request": "true"})  # noqa: E731
    idle, idle_best, idle_response = timed(poll, runs)
    assert idle_response.status_code == 204
    changed = lambda: client.get("/analysis/live/", {"fingerprint": "stale"}, headers={"HX-Request": "true"})  # noqa: E731
    after, after_best, _ = timed(changed, runs, before=touch_one_observation)
    print(f"  dashboard cold (cache cleared): median {cold:.3f} s (best {cold_best:.3f})")
    print(f"  dashboard warm (cached):        median {warm:.3f} s (best {warm_best:.3f}), {len(queries)} queries")
    print(f"  poll, nothing changed (204):    median {idle * 1000:.1f} ms (best {idle_best * 1000:.1f})")
    print(f"  poll after a correction:        median {after:.3f} s (best {after_best:.3f})")
    print(f"  page size: {len(response.content) / 1024:.0f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = DATABASE
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        study, n_obs = bench_analyze.load(args.participants, args.seed)
        demo.seed_users(study, "bench-Password-2026")
        client = Client()
        client.force_login(get_user_model().objects.get(username="investigator"))
        print(f"{args.participants:,} participants, {n_obs:,} observations in {DATABASE}")
        measure(client, args.runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
