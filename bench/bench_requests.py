"""CPU time and queries per request on the midwife's path and the live poll, in-process, at 500 participants.

Run from the repository root:  .venv/bin/python bench/bench_requests.py [--participants 500] [--runs 30]
                                [--profile today] [--queries poll_unchanged]

Settings: production's (TRIALSITE_MODE=production), as the load test's gunicorn runs them.
The machine is shared, so wall times say more about the other jobs than about the code: this
measures what survives contention. Each request goes through Django's test client in this process
(every middleware, the session and sign-in checks, the view, the templates, gzip as a browser asks
for it, DEBUG off), and for each endpoint it prints the median **CPU ms of this process** per
request (``time.process_time``: the Python side), the median **CPU ms of the database connection's
server process** (``db ms``: from ``/proc/<pid>/schedstat``, in nanoseconds, so a local server
only), the number of SQL queries, the response size, and the median wall ms for reference.

Data: a fresh database ``trialsite_bench_requests`` (created and dropped by the script), the demo
study seeded with ``seed_demo --participants N``; the midwife is ``midwife.srp1``, the poller the
demo investigator (signed in with her second factor passed). ``--profile NAME`` prints the costliest
functions of 5 requests of that endpoint (cProfile on CPU time, cumulative and own); ``--queries NAME``
its SQL, one line a query.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: make the project importable
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialsite.settings")
# Production's settings (DEBUG off, secure cookies, HSTS, SSL redirect), as bench/loadtest.py's gunicorn runs;
# the client says it came through the HTTPS proxy (X-Forwarded-Proto), as the documented proxy does.
os.environ |= {"TRIALSITE_MODE": "production", "DEBUG": "false", "ALLOWED_HOSTS": "testserver"}
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from analysis import dashboard  # noqa: E402
from analysis.dashboard import data_fingerprint  # noqa: E402
from observations.models import Observation  # noqa: E402
from trialsite.accounts import second_factor_required  # noqa: E402

DATABASE = "trialsite_bench_requests"
FORM_LINK = re.compile(r'href="(/observations/participant/(\d+)/day/(\d+)/)"')
NEW_DAY = {"feeds_24h": "9", "wet_diapers_24h": "7", "sleep_after_feed_hours": "2.5",
           "breast_full_then_soft": "yes", "adherence": "yes", "massage_minutes": "15"}  # fmt: skip
INPUT = re.compile(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"')
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
POLLER = re.compile(r'data-fingerprint="([0-9.]+)"')


def signed_in(username: str) -> Client:
    user = get_user_model().objects.get(username=username)
    client = Client(headers={"X-Forwarded-Proto": "https"})
    client.force_login(user)
    if second_factor_required(user):
        session = client.session
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def saved(response) -> bool:
    """A save answers with Today itself (200 naming its address in Content-Location), not a redirect."""
    return response.status_code == 200 and "Content-Location" in response


def database_ns() -> int | None:
    """CPU nanoseconds the server process of this connection has run (None when it is not on this machine)."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        with open(f"/proc/{pid}/schedstat") as stat:
            return int(stat.read().split()[0])
    except OSError:
        return None


def measure(request, prepare=None) -> tuple[float, float, int, int, float | None]:
    """(CPU ms, wall ms, queries, bytes, database CPU ms) of one request; ``prepare()`` gives its arguments
    (not measured)."""
    arguments = prepare() if prepare else ()
    with CaptureQueriesContext(connection) as queries:
        database = database_ns()
        wall, cpu = time.perf_counter(), time.process_time()
        response = request(*arguments)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        after = database_ns()
    body = b"".join(response.streaming_content) if response.streaming else response.content
    database = (after - database) / 1e6 if None not in (database, after) else None
    return cpu * 1000, wall * 1000, len(queries), len(body), database


class Endpoints:
    """The requests of the midwife's path and of the live poll, each returning a fresh response."""

    def __init__(self, midwife: Client, investigator: Client):
        self.midwife, self.investigator = midwife, investigator
        today = midwife.get("/observations/today/").content.decode()
        self.due = [link for link, *_ in FORM_LINK.findall(today)]
        saved = Observation.objects.filter(participant__site__code="SRP1", missing_reason="").order_by("-pk")
        self.saved = [f"/observations/participant/{o.participant_id}/day/{o.day}/" for o in saved[:200]]
        self.timelines = sorted({link.rsplit("/day/", 1)[0] + "/" for link in self.saved})

    def today(self):
        return self.midwife.get("/observations/today/", **GZIP)

    def form_new_get(self):
        return self.midwife.get(self.due[0], **GZIP)

    def prepare_form_new_post(self):
        path = self.due.pop(0)
        return path, {**dict(INPUT.findall(self.midwife.get(path).content.decode())), **NEW_DAY}

    def form_new_post(self, path, data):
        response = self.midwife.post(path, data)
        if not saved(response):  # out of its window: the midwife gives the reason (two requests)
            response = self.midwife.post(path, {**data, "deviation_reason": "kunjungan terlambat"})
        assert saved(response), re.findall(r"invalid-feedback[^>]*>([^<]+)", response.content.decode())
        return response

    def form_correction_get(self):
        return self.midwife.get(self.saved[0], **GZIP)

    def prepare_form_correction_post(self):
        path = self.saved.pop(0)
        fields = dict(INPUT.findall(self.midwife.get(path).content.decode()))
        return path, {**fields, **NEW_DAY, "wet_diapers_24h": "6", "reason": "koreksi hitungan popok"}

    def form_correction_post(self, path, data):
        response = self.midwife.post(path, data)
        assert saved(response), response.status_code
        return response

    def timeline(self):
        return self.midwife.get(self.timelines[len(self.due) % len(self.timelines)], **GZIP)

    def poll_unchanged(self):
        fingerprint = data_fingerprint()
        return self.investigator.get("/analysis/live/", {"fingerprint": fingerprint}, HTTP_HX_REQUEST="true", **GZIP)

    def prepare_poll_after_change(self):
        dashboard.POLL_SECONDS = 0  # a poll interval has passed since the results were last computed
        _change()
        return ()

    def poll_after_change(self):
        return self.investigator.get("/analysis/live/", {"fingerprint": "stale"}, HTTP_HX_REQUEST="true", **GZIP)

    def prepare_poll_within_interval(self):
        """A save since the poller's results, within the interval after the last computation (the load test's
        usual case: a save every second, a poll every five)."""
        if dashboard.POLL_SECONDS == 0:
            dashboard.POLL_SECONDS = 3600  # the run stays within the interval
            fragment = self.investigator.get("/analysis/live/", {"fingerprint": "stale"}, HTTP_HX_REQUEST="true")
            self.held = POLLER.search(fragment.content.decode()).group(1)
        _change()
        return (self.held,)

    def poll_within_interval(self, held):
        return self.investigator.get("/analysis/live/", {"fingerprint": held}, HTTP_HX_REQUEST="true", **GZIP)


def _change() -> None:
    observation = Observation.objects.filter(missing_reason="").order_by("pk").first()
    Observation.objects.filter(pk=observation.pk).update(notes=f"bench {time.perf_counter()}")


def run(endpoints: Endpoints, runs: int, profile: str | None, queries: str | None = None) -> None:
    names = ["today", "form_new_get", "form_new_post", "form_correction_get", "form_correction_post",
             "timeline", "poll_unchanged", "poll_after_change", "poll_within_interval"]  # fmt: skip
    print(f"{'endpoint':22} {'CPU ms':>8} {'best':>6} {'db ms':>6} {'queries':>8} {'KB':>6} {'wall ms':>8}")
    for name in names:
        request, prepare = getattr(endpoints, name), getattr(endpoints, f"prepare_{name}", None)
        measure(request, prepare)  # warm-up: caches, first-use imports
        samples = [measure(request, prepare) for _ in range(runs if "after_change" not in name else max(3, runs // 5))]
        cpu = [s[0] for s in samples]
        database = [s[4] for s in samples if s[4] is not None]
        database = f"{statistics.median(database):6.1f}" if database else f"{'–':>6}"
        print(f"{name:22} {statistics.median(cpu):8.1f} {min(cpu):6.1f} {database} {samples[-1][2]:8d} "
              f"{samples[-1][3] / 1024:6.1f} {statistics.median(s[1] for s in samples):8.1f}")  # fmt: skip
        if name == queries:
            with CaptureQueriesContext(connection) as captured:
                request(*(prepare() if prepare else ()))
            for number, query in enumerate(captured, 1):
                print(f"  {number:3d}. {query['sql'][:240]}")
        if name in (profile or "").split(","):
            profiler = cProfile.Profile(time.process_time)  # CPU, not the wait for PostgreSQL
            for _ in range(5):
                profiler.runcall(request, *(prepare() if prepare else ()))
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", help="endpoints to profile, e.g. today,form_new_get")
    parser.add_argument("--queries", help="endpoint whose SQL to print, e.g. poll_unchanged")
    args = parser.parse_args()
    # No setup_test_environment(): it instruments every template render (a signal with a copy of the
    # context, for the test client's response.context), which production does not pay.
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = DATABASE
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        call_command("seed_demo", participants=args.participants, password="bench-Password-2026", verbosity=0)
        endpoints = Endpoints(signed_in("midwife.srp1"), signed_in("investigator"))
        print(f"{args.participants} participants; Today lists {len(endpoints.due)} due days for midwife.srp1\n")
        run(endpoints, args.runs, args.profile, args.queries)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
