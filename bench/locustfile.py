"""Who the load test plays (bench/loadtest.py runs this file; it can also be run with locust itself).

- Midwives sign in, open Today, open a day's form and save it: a new day when Today lists one
  that is due, otherwise a correction (with a reason) of a day already saved on a participant's
  timeline. She reads each page before the next (1–3 s: Today, the timeline, the form she fills
  in), as a person does; the saved form's answer is Today, read before the next round.
- Investigators open the results dashboard and poll its live fragment every 5 s, as the page's
  htmx does, with the fingerprint of what they last received.
- Coordinators open completeness and download the CSV export.

The server runs in production mode behind no proxy, so requests say they came through HTTPS
(X-Forwarded-Proto, as the documented proxy sets it); locust's FastHttpUser sends the Secure
cookies back over the loopback connection. FastHttpUser, not HttpUser: locust shares the two
cores with the server, and its cheaper client leaves more of them to the app.

What a person reads from a page and how an answer is judged (a save answers 200 with Today
itself and ``Content-Location``) is in bench/flows.py, tested against the app in
tests/trialsite/test_loadtest_flows.py.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

import gevent
from flows import (
    FORM_LINK,
    TIMELINE_LINK,
    Saved,
    filled,
    form_fields,
    is_correction,
    is_export,
    poll_url,
    recorded_as_missing,
    refusal,
    save_outcome,
    timelines_in_list,
    totp,
)
from locust import FastHttpUser, between, constant, events, task

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "")
TOTP_KEY = os.environ.get("LOADTEST_TOTP_KEY", "")
INVESTIGATORS = int(os.environ.get("LOADTEST_INVESTIGATORS", "5"))
COORDINATORS = int(os.environ.get("LOADTEST_COORDINATORS", "2"))


WARMUP = float(os.environ.get("LOADTEST_WARMUP", "0"))
SECONDS = float(os.environ.get("LOADTEST_SECONDS", "0"))
MEASURING = os.environ.get("LOADTEST_MEASURING", "")  # a file: written when the measured window starts
SETTLE = 10  # seconds after the last sign-in before measuring: the requests queued behind the sign-ins are served
signed_in: list[float] = []  # when each person finished signing in (monotonic)


@events.test_start.add_listener
def measure_after_the_warm_up(environment, **kwargs):
    """Statistics over LOADTEST_SECONDS, from the later of LOADTEST_WARMUP seconds and SETTLE seconds after the
    last person signed in: the sign-ins (a deliberate password hash each) are over. What the sign-ins took is
    written to LOADTEST_MEASURING when the window starts; the run ends by itself at the window's end."""
    if WARMUP and environment.runner is not None:
        gevent.spawn(_warm_up_then_measure, environment.runner, time.monotonic())


def _warm_up_then_measure(runner, started: float) -> None:
    gevent.sleep(WARMUP)
    while not runner.target_user_count or len(signed_in) < runner.target_user_count:
        gevent.sleep(0.5)
    gevent.sleep(max(0.0, max(signed_in) + SETTLE - time.monotonic()))
    sign_in = runner.stats.get("sign in", "POST")
    warm_up = {
        "people": len(signed_in),
        "all_signed_in_after": round(max(signed_in) - started, 1),
        "measured_from": round(time.monotonic() - started, 1),
        "sign_in_p50": sign_in.get_response_time_percentile(0.5),
        "sign_in_p95": sign_in.get_response_time_percentile(0.95),
        "sign_in_max": round(sign_in.max_response_time),
    }
    runner.stats.reset_all()
    if MEASURING:
        Path(MEASURING).write_text(json.dumps(warm_up))
    if SECONDS:
        gevent.spawn_later(SECONDS, runner.quit)


class LoopbackCookies(DefaultCookiePolicy):
    """Send the Secure cookies back over the loopback connection (the server believes it is behind HTTPS)."""

    def return_ok_secure(self, cookie, request):
        return True


class Person(FastHttpUser):
    abstract = True
    username = ""
    second_factor = True
    default_headers = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}

    def on_start(self):
        self.client.cookiejar.set_policy(LoopbackCookies())
        fields = form_fields(self.client.get("/accounts/login/", name="sign-in page").text)
        fields.update(username=self.username, password=PASSWORD)
        self.post("/accounts/login/", fields, name="sign in")
        if self.second_factor:  # investigators and coordinators (trialsite.roles.SECOND_FACTOR_ROLES)
            fields = form_fields(self.client.get("/accounts/two-factor/", name="second factor page").text)
            self.post("/accounts/two-factor/", fields | {"token": totp(TOTP_KEY)}, name="second factor")
        signed_in.append(time.monotonic())

    def post(self, path: str, data: dict, name: str, **kwargs):
        origin = f"https://{self.host.split('://', 1)[1]}"
        headers = {"Origin": origin, "Referer": origin + path}
        return self.client.post(path, data=data, headers=headers, name=name, allow_redirects=False, **kwargs)


class Midwife(Person):
    weight = 50
    second_factor = False
    wait_time = between(1, 3)
    username = "midwife.srp1"

    def on_start(self):
        super().on_start()
        self.timelines: list[str] = []

    @task
    def enter_a_day(self):
        today = self.client.get("/observations/today/", name="today").text
        self.wait()  # she reads Today
        due = FORM_LINK.findall(today)
        seen = {m[0] for m in TIMELINE_LINK.findall(today)} | {f"/observations/participant/{m[1]}/" for m in due}
        self.timelines = list(seen | set(self.timelines))[:50]
        if not due and not self.timelines:  # nothing on Today: her mothers are on the participant list
            self.timelines = timelines_in_list(self.client.get("/enrollment/participants/", name="participants").text)
        if due:
            self.save(random.choice(due)[0], "form (new day)")
        elif self.timelines:
            timeline = self.client.get(random.choice(self.timelines), name="timeline").text
            self.wait()  # she finds the day to correct
            saved = FORM_LINK.findall(timeline)
            if saved:
                self.save(random.choice(saved)[0], "form (correction)")

    def save(self, path: str, name: str):
        fields = form_fields(self.client.get(path, name=f"{name} GET").text)
        if recorded_as_missing(fields):
            return
        # Judged by the form the app gave, not by where its link was: a timeline lists days not yet saved too,
        # and such a first entry, overtaken by another midwife's save, rightly comes back asking for a reason.
        first_entry = not is_correction(fields)
        fields = filled(fields, random.choice([5, 6, 7, 8]))
        self.wait()  # she fills the form in
        with self.post(path, fields, f"{name} POST", catch_response=True) as response:
            outcome = self.judge(response, first_entry=first_entry)
        if outcome is Saved.NEEDS_DEVIATION_REASON:  # visited out of its window: say why, as she would
            self.wait()
            with self.post(path, fields | {"deviation_reason": "kunjungan terlambat"}, "form (new day, late) POST",
                           catch_response=True) as response:  # fmt: skip
                self.judge(response, first_entry=True)

    @staticmethod
    def judge(response, *, first_entry: bool) -> Saved:
        """Saved, or asked for a reason: a success. Taken meanwhile by another simulated midwife: a success
        listed under its own name. Anything else: a failure, with the form's first error."""
        outcome = save_outcome(response.status_code, response.headers, response.text, first_entry=first_entry)
        if outcome is Saved.TAKEN:
            response.request_meta["name"] += " (taken meanwhile)"
        if outcome is Saved.REFUSED:
            response.failure(f"not saved: {refusal(response.status_code, response.text)}")
        else:
            response.success()
        return outcome


class Investigator(Person):
    fixed_count = INVESTIGATORS  # the midwives are the rest of -u
    wait_time = constant(5)
    numbers = itertools.count()

    @property
    def username(self) -> str:  # one account each (bench/load_people.py): a code of an authenticator works once
        if not hasattr(self, "_username"):
            self._username = f"investigator.load{next(self.numbers) % INVESTIGATORS + 1}"
        return self._username

    def on_start(self):
        super().on_start()
        self.poll_url = poll_url(self.client.get("/analysis/", name="dashboard").text) or "/analysis/live/"

    @task
    def poll(self):
        """As the page's htmx does: a 204 keeps the poller; a 200 brings a new one (and the changed sections)."""
        response = self.client.get(self.poll_url, headers={"HX-Request": "true"}, name="live poll")
        if response.status_code == 200:
            self.poll_url = poll_url(response.text) or self.poll_url


class Coordinator(Person):
    fixed_count = COORDINATORS
    wait_time = between(5, 15)
    numbers = itertools.count()

    @property
    def username(self) -> str:
        if not hasattr(self, "_username"):
            self._username = f"coordinator.load{next(self.numbers) % COORDINATORS + 1}"
        return self._username

    @task(3)
    def completeness(self):
        self.client.get("/observations/completeness/", name="completeness")

    @task(1)
    def export(self):
        fields = form_fields(self.client.get("/analysis/export/", name="export page").text)
        fields.update(file_format="csv", layout="long")
        with self.post("/analysis/export/download/", fields, "export download", catch_response=True) as response:
            if not is_export(response.status_code, response.headers, response.content):
                response.failure(f"no export: {response.status_code} {response.text[:150]!r}")
