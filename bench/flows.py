"""What the load test's people read from a page and how they judge an answer, without locust.

bench/locustfile.py plays these steps under load; tests/trialsite/test_loadtest_flows.py plays them
through Django's test client, so that a change of what the app answers (a save answered with Today
itself, 200 and ``Content-Location``, instead of a redirect) shows up as a failing test, not as a
load test full of "failures" that are the load test's own.
"""

from __future__ import annotations

import hmac
import re
import struct
import time
from enum import Enum
from hashlib import sha1
from html import unescape
from html.parser import HTMLParser

FORM_LINK = re.compile(r'href="(/observations/participant/(\d+)/day/(\d+)/)"')
TIMELINE_LINK = re.compile(r'href="(/observations/participant/(\d+)/)"')
PARTICIPANT_LINK = re.compile(r'href="/enrollment/participants/(\d+)/"')
POLLER = re.compile(r'<div id="dashboard-poll"[^>]*hx-get="([^"]+)"')
NEW_DAY = {
    "feeds_24h": "9",
    "wet_diapers_24h": "7",
    "sleep_after_feed_hours": "2.5",
    "breast_full_then_soft": "yes",
    "adherence": "yes",
    "massage_minutes": "15",
}
DEVIATION_REASON = "kunjungan terlambat"
CORRECTION_REASON = "koreksi hitungan popok"


class Saved(Enum):
    SAVED = "saved"
    NEEDS_DEVIATION_REASON = "the day is outside its window: the form asks why"
    TAKEN = "someone else saved this day meanwhile: the form shows it, nothing of hers was saved"
    REFUSED = "refused"


class MainFormFields(HTMLParser):
    """The name → value pairs a browser would submit for the first form inside ``<main>``.

    The page's other forms (sign-out in the menu, the language switch in the footer) are not read.
    """

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.in_main = self.in_form = self.done = False
        self.select: str | None = None
        self.first_option = False
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "main":
            self.in_main = True
        elif tag == "form" and self.in_main and not self.done:
            self.in_form = True
        elif self.in_form:
            self._field(tag, a)

    def _field(self, tag: str, a: dict) -> None:
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "checkbox", "radio"):
            self.fields[name] = a.get("value") or ""
        elif tag == "input" and name and "checked" in a:
            self.fields[name] = a.get("value") or "on"
        elif tag == "select" and name:
            self.select, self.first_option = name, True
        elif tag == "option" and self.select and ("selected" in a or self.first_option):
            self.fields[self.select] = a.get("value") or ""  # the selected option, else the first (a browser's choice)
            self.first_option = False
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data


def poll_url(html: str) -> str | None:
    """The address the dashboard's poller asks every 5 s (htmx's ``hx-get``: fingerprint and section digests)."""
    found = POLLER.search(html)
    return unescape(found.group(1)) if found else None


def form_fields(html: str) -> dict[str, str]:
    parser = MainFormFields()
    parser.feed(html)
    return parser.fields


def is_correction(fields: dict[str, str]) -> bool:
    """A saved day's form asks for the reason of the change."""
    return "reason" in fields


def timelines_in_list(html: str) -> list[str]:
    """The timelines of the participants on a page of the participant list."""
    return [f"/observations/participant/{pk}/" for pk in PARTICIPANT_LINK.findall(html)]


def recorded_as_missing(fields: dict[str, str]) -> bool:
    """A saved day recorded as not observed (with its reason): the load test's midwives leave it alone."""
    return bool(fields.get("missing_reason"))


def filled(fields: dict[str, str], wet_diapers: int = 6) -> dict[str, str]:
    """The form as a midwife submits it: a new day's values, or a correction of the diapers with a reason."""
    fields = dict(fields)
    fields.pop("missing_reason", None)
    if is_correction(fields):
        return fields | {"reason": CORRECTION_REASON, "wet_diapers_24h": str(wet_diapers)}
    values = {k: v for k, v in NEW_DAY.items() if k != "massage_minutes" or "massage_minutes" in fields}
    return fields | values


def save_outcome(status: int, headers, body: str, *, first_entry: bool) -> Saved:
    """A save is answered with Today itself (200, ``Content-Location``); a form shown again was not saved.

    Two simulated midwives often pick the same day: the second one's first entry comes back as the
    saved day's form ("already saved", a reason asked), her correction as a version conflict. The app
    is right to refuse both; they are counted apart from real refusals.
    """
    if status == 200 and headers.get("Content-Location"):
        return Saved.SAVED
    if status != 200:
        return Saved.REFUSED
    if "is-invalid" in _field_html(body, "deviation_reason"):
        return Saved.NEEDS_DEVIATION_REASON
    if 'data-testid="conflict"' in body or (first_entry and 'data-testid="editing-notice"' in body):
        return Saved.TAKEN
    return Saved.REFUSED


def _field_html(body: str, name: str) -> str:
    found = re.search(rf'<[^>]*name="{name}"[^>]*>', body)
    return found.group(0) if found else ""


def refusal(status: int, body: str) -> str:
    """Why a save was refused, for the load test's failure table: the status, the form's first error and the
    field it is on (``id_reason`` …), or the page's alert."""
    field = re.search(r'id="([^"]*)_error" class="invalid-feedback"[^>]*>(.*?)</div>', body, re.S)
    error = field or re.search(r'role="alert"[^>]*>()(.*?)</', body, re.S)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", error.group(2))).split()) if error else "no form error"
    return f"{status}: {field.group(1) + ': ' if field else ''}{text}"[:200]


def totp(key_hex: str, at: float | None = None) -> str:
    """The current 6-digit code of an authenticator (RFC 6238: HMAC-SHA1, 30-s steps), as the phone shows it."""
    counter = struct.pack(">Q", int((time.time() if at is None else at) // 30))
    mac = hmac.new(bytes.fromhex(key_hex), counter, sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(int.from_bytes(mac[offset : offset + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


def is_export(status: int, headers, content: bytes) -> bool:
    """The export answers with the bundle as an attachment: a zip."""
    return status == 200 and "attachment" in headers.get("Content-Disposition", "") and content.startswith(b"PK")
