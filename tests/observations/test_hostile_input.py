"""Hostile input, generated: every write endpoint of the API, every form and the importer.

Whatever arrives (calendar edges, huge or empty strings, NUL and control characters, formula
prefixes, non-ASCII digits, wrong types, deep nesting): never a 5xx, nothing written when
the input is refused, and one rule gives one message on the form, the API and the import.
"""

import json
import uuid
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrollment import services as enrollment_services
from enrollment.models import Allocation, AllocationListEntry, Consent, Participant, Screening
from observations.importing import check_files
from observations.models import Observation
from tests.enrollment.conftest import ELIGIBLE_ANSWERS, mother

from .conftest import O_HEADER, P_HEADER

pytestmark = pytest.mark.django_db
EXAMPLES = settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

FORMULAS = ['=HYPERLINK("http://x","KLIK")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1", "\r=1"]
UNICODE_DIGITS = ["١٢", "¹", "１２", "²⁰", "٣.٥"]
EDGE_DATES = ["0001-01-01", "9999-12-31", "1899-12-31", "2024-02-29", "2025-02-29", "2026-13-01", "10000-01-01",
              "2026-1-1", " 2026-01-01 ", "today"]  # fmt: skip
hostile_text = st.one_of(
    st.just(""),
    st.just("x" * 100_000),
    st.text(max_size=30),
    st.text(alphabet=st.characters(max_codepoint=0x1F), min_size=1, max_size=4),
    st.sampled_from(FORMULAS + UNICODE_DIGITS + EDGE_DATES),
    st.dates().map(date.isoformat),
)
nested = st.recursive(
    st.integers(),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=2), inner, max_size=2),
    max_leaves=6,
)
wrong_types = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=False), nested,
    st.just(json.loads("[" * 25 + "1" + "]" * 25)),
)  # fmt: skip
hostile = st.one_of(hostile_text, wrong_types)


def overrides(fields, values=hostile):
    """1–4 of ``fields`` replaced by hostile values."""
    return st.dictionaries(st.sampled_from(fields), values, min_size=1, max_size=4)


def snapshot() -> tuple:
    return tuple(m.objects.count() for m in (Screening, Consent, Participant, Allocation, Observation,
                                             AllocationListEntry))  # fmt: skip


def english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.raise_request_exception = False
    return client


@pytest.fixture
def api(client_for):
    return lambda username="midwife.srp1": english(client_for(username))


def send_json(client, method, url, payload):
    body = json.dumps(payload, default=str)
    return getattr(client, method)(url, body, content_type="application/json")


def assert_refused_or_written(response, before):
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert snapshot() == before


# --- API --------------------------------------------------------------------------------------------


@pytest.fixture
def screening_payload(site_srp1, today):
    return {
        "site": site_srp1.pk, "screened_on": today.isoformat(), "full_name": "Sri", "phone": "0811",
        "date_of_birth": "1994-05-06", "delivery_date": (today - timedelta(days=2)).isoformat(),
        "delivery_mode": "vaginal", "parity": 2, "infant_birth_weight_g": 3100, "answers": ELIGIBLE_ANSWERS,
    }  # fmt: skip


@EXAMPLES
@given(bad=overrides(["site", "screened_on", "full_name", "phone", "date_of_birth", "delivery_date",
                      "delivery_mode", "parity", "infant_birth_weight_g", "answers"]))  # fmt: skip
def test_screening_api_survives_hostile_input(api, screening_payload, bad):
    before = snapshot()
    response = send_json(api(), "post", "/api/v1/screenings/", {**screening_payload, **bad})
    assert_refused_or_written(response, before)


@pytest.fixture
def eligible_screening(site_srp1, midwife_srp1, today):
    return enrollment_services.screen_mother(
        site=site_srp1, by=midwife_srp1, screened_on=today, mother=mother(screened_on=today), answers=ELIGIBLE_ANSWERS
    )


@EXAMPLES
@given(bad=overrides(["screening", "consented_on", "consent_form_version", "enrolled_on", "intervention_start",
                      "arm", "rationale"]))  # fmt: skip
def test_enrolment_api_survives_hostile_input(api, eligible_screening, today, bad):
    payload = {"screening": eligible_screening.pk, "consented_on": today.isoformat(), "consent_form_version": "1",
               "enrolled_on": today.isoformat(), "arm": "moringa", "rationale": "r"}  # fmt: skip
    before = snapshot()
    response = send_json(api(), "post", "/api/v1/participants/", {**payload, **bad})
    assert_refused_or_written(response, before)


OBSERVATION_FIELDS = ["participant", "day", "observed_on", "feeds_24h", "wet_diapers_24h", "sleep_after_feed_hours",
                      "breast_full_then_soft", "expressed_volume_ml", "infant_weight_g", "notes", "adherence",
                      "massage_minutes", "missing_reason", "deviation_reason", "idempotency_key"]  # fmt: skip


@EXAMPLES
@given(bad=overrides(OBSERVATION_FIELDS))
def test_observation_api_survives_hostile_input(api, participant, good_values, bad):
    payload = {"participant": participant.pk, "day": 3, **good_values(participant, 3), "breast_full_then_soft": True}
    before = snapshot()
    response = send_json(api(), "post", "/api/v1/observations/", {**payload, **bad})
    assert_refused_or_written(response, before)


@EXAMPLES
@given(bad=overrides([*OBSERVATION_FIELDS[2:-1], "version", "reason"]))
def test_observation_correction_survives_hostile_input(api, participant, record, bad):
    observation = Observation.objects.filter(participant=participant, day=1).first() or record(participant, 1)
    stored = Observation.objects.values().get(pk=observation.pk)
    payload = {"version": observation.version, "reason": "typo", **bad}
    response = send_json(api(), "patch", f"/api/v1/observations/{observation.pk}/", payload)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert Observation.objects.values().get(pk=observation.pk) == stored


@EXAMPLES
@given(body=st.one_of(hostile, st.fixed_dictionaries({"username": hostile, "password": hostile})))
def test_token_endpoint_survives_hostile_input(db, body):
    response = send_json(english(Client()), "post", "/api/v1/token/", body)
    assert response.status_code in (400, 401, 403, 429)


@EXAMPLES
@given(raw=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
def test_raw_bodies_never_break_the_api(api, raw):
    before = snapshot()
    for url in ("/api/v1/screenings/", "/api/v1/participants/", "/api/v1/observations/"):
        response = api().post(url, raw, content_type="application/json")
        assert response.status_code == 400, (url, response.status_code)
    assert snapshot() == before


# --- Forms ------------------------------------------------------------------------------------------

form_text = st.one_of(hostile_text, st.integers(min_value=-(2**70), max_value=2**70).map(str))


@EXAMPLES
@given(bad=overrides(["site", "screened_on", "full_name", "phone", "date_of_birth", "delivery_date",
                      "delivery_mode", "parity", "infant_birth_weight_g", "c_catchment_area"], form_text))  # fmt: skip
def test_screening_form_survives_hostile_input(api, screening_payload, bad):
    data = {k: v for k, v in screening_payload.items() if k != "answers"}
    data.update({f"c_{code}": "yes" if ok else "no" for code, ok in ELIGIBLE_ANSWERS.items()})
    before = snapshot()
    response = api().post(reverse("enrollment:screening_new"), {**data, **bad})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert snapshot() == before


@EXAMPLES
@given(bad=overrides(["consented_on", "consent_form_version", "enrolled_on", "intervention_start", "arm",
                      "rationale"], form_text))  # fmt: skip
def test_enrol_form_survives_hostile_input(api, eligible_screening, arm_moringa, today, bad):
    data = {"consented_on": today.isoformat(), "consent_form_version": "1", "enrolled_on": today.isoformat(),
            "intervention_start": "", "arm": arm_moringa.pk, "rationale": "r"}  # fmt: skip
    before = snapshot()
    response = api().post(reverse("enrollment:enroll", args=[eligible_screening.pk]), {**data, **bad})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert snapshot() == before


@EXAMPLES
@given(bad=overrides(["status", "on", "reason"], form_text))
def test_withdraw_form_survives_hostile_input(api, participant, today, bad):
    stored = Participant.objects.values().get(pk=participant.pk)
    data = {"status": "withdrawn", "on": today.isoformat(), "reason": "moved"}
    response = api().post(reverse("enrollment:withdraw", args=[participant.pk]), {**data, **bad})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert Participant.objects.values().get(pk=participant.pk) == stored


@EXAMPLES
@given(bad=overrides([f for f in OBSERVATION_FIELDS if f not in ("participant", "day")], form_text))
def test_daily_form_survives_hostile_input(api, participant, good_values, bad):
    data = {"idempotency_key": str(uuid.uuid4()), **good_values(participant, 3), **bad}
    before = snapshot()
    response = api().post(reverse("observations:form", args=[participant.pk, 3]), data)
    assert response.status_code == 200
    if "Content-Location" not in response:  # a saved day is answered with Today itself, a refused one with the form
        assert snapshot() == before


def _list_file(rows) -> bytes:
    return ("site,block,arm\n" + "\n".join(",".join(r) for r in rows)).encode("utf-8", "surrogatepass")


@EXAMPLES
@given(
    content=st.one_of(
        st.binary(max_size=300), st.lists(st.tuples(hostile_text, form_text, hostile_text), max_size=4).map(_list_file)
    )
)
def test_allocation_list_upload_survives_hostile_files(api, study, content):
    before = snapshot()
    file = SimpleUploadedFile("list.csv", content)
    response = api("coordinator").post(reverse("enrollment:allocation_list"), {"upload": "1", "file": file})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert snapshot() == before


# --- Import -----------------------------------------------------------------------------------------


@EXAMPLES
@given(cells=st.lists(form_text, min_size=12, max_size=12), raw=st.binary(max_size=100))
def test_import_survives_hostile_files(api, participant, cells, raw):
    observations = O_HEADER + "\n" + ",".join(c.replace(",", ";").replace("\n", " ") for c in cells) + "\n"
    before = snapshot()
    for text in (observations.encode("utf-8", "surrogatepass"), raw):
        response = api("coordinator").post(reverse("observations:import"), {
            "participants_file": SimpleUploadedFile("p.csv", (P_HEADER + "\n").encode()),
            "observations_file": SimpleUploadedFile("o.csv", text),
        })  # fmt: skip
        assert response.status_code == 200
        assert snapshot() == before


# --- One rule, one message, on every path -------------------------------------------------------------


def _form_errors(api, participant, good_values, **changes):
    data = {"idempotency_key": str(uuid.uuid4()), **good_values(participant, 3, **changes)}
    return api().post(reverse("observations:form", args=[participant.pk, 3]), data).context["form"].errors


def _api_errors(api, participant, good_values, **changes):
    payload = {"participant": participant.pk, "day": 3, **good_values(participant, 3), "breast_full_then_soft": True,
               **changes}  # fmt: skip
    return send_json(api(), "post", "/api/v1/observations/", payload).json()


def _import_errors(study, participant, good_values, **changes):
    values = {**good_values(participant, 3), **changes}
    header = O_HEADER + ",notes"
    row = [participant.participant_id, "3", *(str(values.get(c, "")) for c in header.split(",")[2:])]
    row[header.split(",").index("score")] = ""
    text = header + "\n" + ",".join(row) + "\n"
    with translation.override("en"):
        files = {"participants": ("p.csv", P_HEADER + "\n"), "observations": ("o.csv", text)}
        plan = check_files(study=study, files=files, today=timezone.localdate())
    errors: dict[str, list[str]] = {}
    for error in plan.errors:
        errors.setdefault(error.column, []).append(error.message)
    return errors


@EXAMPLES
@given(ahead=st.integers(min_value=1, max_value=(date.max - date.today()).days - 1))
def test_a_future_date_gives_one_message_on_form_api_and_import(api, study, participant, good_values, ahead):
    future = (timezone.localdate() + timedelta(days=ahead)).isoformat()
    form = _form_errors(api, participant, good_values, observed_on=future)["observed_on"]
    assert form == _api_errors(api, participant, good_values, observed_on=future)["observed_on"]
    assert form == _import_errors(study, participant, good_values, observed_on=future)["observed_on"]
    assert not Observation.objects.exists()


@EXAMPLES
@given(value=st.integers(min_value=41, max_value=32767))
def test_an_out_of_range_count_gives_one_message_on_form_api_and_import(api, study, participant, good_values, value):
    form = _form_errors(api, participant, good_values, feeds_24h=value)["feeds_24h"]
    assert form == _api_errors(api, participant, good_values, feeds_24h=value)["feeds_24h"]
    assert form == _import_errors(study, participant, good_values, feeds_24h=value)["feeds_24h"]


@EXAMPLES
@given(extra=st.integers(min_value=1, max_value=5000))
def test_a_too_long_note_gives_one_message_on_form_api_and_import(api, study, participant, good_values, extra):
    note = "n" * (2000 + extra)
    form = _form_errors(api, participant, good_values, notes=note)["notes"]
    assert form == _api_errors(api, participant, good_values, notes=note)["notes"]
    assert form == _import_errors(study, participant, good_values, notes=note)["notes"]
