"""Who the load test plays (bench/loadtest.py runs this file; it can also be run with locust itself).

- Midwives sign in, open Today, open a day's form and save it: a new day when Today lists one
  that is due, otherwise a correction (with a reason) of a day already saved on a participant's
  timeline.
- Investigators open the results dashboard and poll its live fragment every 5 s, as the page's
  htmx does, with the fingerprint of what they last received.
- Coordinators open completeness and download the CSV export.

The server runs in production mode behind no proxy, so requests say they came through HTTPS
(X-Forwarded-Proto, as the documented proxy sets it) and the Secure cookies are sent back over
the loopback connection.
"""

from __future__ import annotations

import os
import random
import re
from html.parser import HTMLParser

from locust import HttpUser, between, constant, task

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "")
FORM_LINK = re.compile(r'href="(/observations/participant/(\d+)/day/(\d+)/)"')
TIMELINE_LINK = re.compile(r'href="(/observations/participant/(\d+)/)"')
FINGERPRINT = re.compile(r'data-fingerprint="([^"]*)"')
NEW_DAY = {
    "feeds_24h": "9",
    "wet_diapers_24h": "7",
    "sleep_after_feed_hours": "2.5",
    "breast_full_then_soft": "yes",
    "adherence": "yes",
    "massage_minutes": "15",
}


class FormFields(HTMLParser):
    """The name → value pairs a browser would submit for the first form with a CSRF token."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "checkbox", "radio"):
            self.fields[name] = a.get("value") or ""
        elif tag == "input" and name and a.get("type") in ("checkbox", "radio") and "checked" in a:
            self.fields[name] = a.get("value") or "on"
        elif tag == "select" and name:
            self.select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self.select and ("selected" in a or not self.fields[self.select]):
            self.fields[self.select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data


def form_fields(html: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


class Person(HttpUser):
    abstract = True
    username = ""

    def on_start(self):
        self.client.hooks["response"].append(self.keep_cookies)
        self.client.headers.update({"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"})
        page = self.client.get("/accounts/login/", name="sign-in page")
        fields = form_fields(page.text)
        fields.update(username=self.username, password=PASSWORD)
        self.post("/accounts/login/", fields, name="sign in")

    def keep_cookies(self, response, **kwargs):
        """Keep Secure cookies as plain ones: requests sends Secure cookies only over https."""
        for cookie in response.cookies:
            self.client.cookies.set(cookie.name, cookie.value)

    def post(self, path: str, data: dict, name: str, **kwargs):
        origin = f"https://{self.host.split('://', 1)[1]}"
        headers = {"Origin": origin, "Referer": origin + path}
        return self.client.post(path, data=data, headers=headers, name=name, allow_redirects=False, **kwargs)


class Midwife(Person):
    weight = 50
    wait_time = between(1, 3)
    username = "midwife.srp1"

    def on_start(self):
        super().on_start()
        self.timelines: list[str] = []

    @task
    def enter_a_day(self):
        today = self.client.get("/observations/today/", name="today").text
        due = FORM_LINK.findall(today)
        seen = {m[0] for m in TIMELINE_LINK.findall(today)} | {f"/observations/participant/{m[1]}/" for m in due}
        self.timelines = list(seen | set(self.timelines))[:50]
        if due:
            self.save(random.choice(due)[0], "form (new day)")
        elif self.timelines:
            timeline = self.client.get(random.choice(self.timelines), name="timeline").text
            saved = FORM_LINK.findall(timeline)
            if saved:
                self.save(random.choice(saved)[0], "form (correction)")

    def save(self, path: str, name: str):
        fields = form_fields(self.client.get(path, name=f"{name} GET").text)
        correction = "reason" in fields
        if not correction:
            massage = "massage_minutes" in fields
            fields.update({k: v for k, v in NEW_DAY.items() if k != "massage_minutes" or massage})
        else:
            fields["reason"] = "koreksi hitungan popok"
            fields["wet_diapers_24h"] = str(random.choice([5, 6, 7, 8]))
        fields.pop("missing_reason", None)
        with self.post(path, fields, f"{name} POST", catch_response=True) as response:
            if response.status_code == 200 and not correction:  # visited out of its window: say why, as she would
                response.success()
                fields["deviation_reason"] = "kunjungan terlambat"
                self.save_late(path, fields)
            elif response.status_code != 302:
                response.failure(f"not saved: {response.status_code}")

    def save_late(self, path: str, fields: dict):
        """A day outside its window needs a deviation reason; failing again means another midwife saved it first."""
        with self.post(path, fields, "form (new day, late) POST", catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"not saved: {response.status_code}")


class Investigator(Person):
    weight = 5
    wait_time = constant(5)
    username = "investigator"

    def on_start(self):
        super().on_start()
        page = self.client.get("/analysis/", name="dashboard").text
        found = FINGERPRINT.search(page)
        self.fingerprint = found.group(1) if found else ""

    @task
    def poll(self):
        response = self.client.get(
            "/analysis/live/",
            params={"fingerprint": self.fingerprint},
            headers={"HX-Request": "true"},
            name="live poll",
        )
        found = FINGERPRINT.search(response.text) if response.status_code == 200 else None
        if found:
            self.fingerprint = found.group(1)


class Coordinator(Person):
    weight = 2
    wait_time = between(5, 15)
    username = "coordinator"

    @task(3)
    def completeness(self):
        self.client.get("/observations/completeness/", name="completeness")

    @task(1)
    def export(self):
        page = self.client.get("/analysis/export/", name="export page")
        fields = form_fields(page.text)
        fields.update(file_format="csv", layout="long")
        with self.post("/analysis/export/download/", fields, "export download", catch_response=True) as response:
            if response.status_code != 200 or not response.content.startswith(b"PK"):
                response.failure(f"no export: {response.status_code}")
