"""/api/v1/screenings/ and /api/v1/participants/: same rules and scoping as the pages."""

import pytest

from enrollment.deidentify import pseudonyms
from enrollment.models import Participant, Screening
from observations.demo.study import DEMO_SLUG

from .conftest import ELIGIBLE_ANSWERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def srp1_participant(enroll, site_srp1, midwife_srp1):
    return enroll(site_srp1, midwife_srp1, name="Dewi Lestari")


PSEUDONYM = pseudonyms(DEMO_SLUG, ["SRP1-001"])["SRP1-001"]


@pytest.mark.parametrize(
    ("username", "list_ids", "detail"),
    [
        ("midwife.srp1", ["SRP1-001"], 200),
        ("coordinator", ["SRP1-001"], 200),
        ("investigator", [PSEUDONYM], 200),  # de-identified: the pseudonym of her export
        ("midwife.par", [], 404),
        ("outsider", None, 403),
    ],
)
def test_participant_endpoints_by_role_and_site(client_for, srp1_participant, username, list_ids, detail):
    client = client_for(username)
    listing = client.get("/api/v1/participants/")
    if list_ids is None:
        assert listing.status_code == 403
    else:
        assert [p["participant_id"] for p in listing.json()["results"]] == list_ids
    assert client.get(f"/api/v1/participants/{srp1_participant.pk}/").status_code == detail


def test_investigator_gets_no_identifiers(client_for, srp1_participant):
    body = client_for("investigator").get(f"/api/v1/participants/{srp1_participant.pk}/").json()
    assert body["participant_id"] == PSEUDONYM
    assert not {"full_name", "phone", "date_of_birth"} & set(body)
    assert body["enrolled_on"] == (srp1_participant.enrolled_on - srp1_participant.intervention_start).days
    assert "Dewi" not in str(client_for("investigator").get("/api/v1/participants/").json())


def test_midwife_gets_identifiers(client_for, srp1_participant):
    body = client_for("midwife.srp1").get(f"/api/v1/participants/{srp1_participant.pk}/").json()
    assert body["full_name"] == "Dewi Lestari"
    assert body["arm"] == "moringa"
    assert body["allocation_method"] == "assigned"


@pytest.fixture
def screening_payload(site_srp1):
    return {
        "site": site_srp1.pk,
        "screened_on": "2026-03-10",
        "full_name": "Sri Wahyuni",
        "phone": "0811",
        "date_of_birth": "1994-05-06",
        "delivery_date": "2026-03-07",
        "delivery_mode": "caesarean",
        "parity": 3,
        "infant_birth_weight_g": 3300,
        "answers": ELIGIBLE_ANSWERS,
    }


def test_screen_then_enrol_by_api(client_for, screening_payload):
    client = client_for("midwife.srp1")
    created = client.post("/api/v1/screenings/", screening_payload, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["eligible"] is True
    enrol = {
        "screening": created.json()["id"],
        "consented_on": "2026-03-10",
        "consent_form_version": "1.0",
        "enrolled_on": "2026-03-10",
        "arm": "oxytocin_massage",
        "rationale": "Prefers massage",
    }
    response = client.post("/api/v1/participants/", enrol, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["participant_id"] == "SRP1-001"
    assert response.json()["arm"] == "oxytocin_massage"
    assert response.json()["intervention_start"] == "2026-03-10"


def test_api_screening_with_an_unanswered_criterion_is_not_eligible(client_for, screening_payload):
    screening_payload["answers"] = {**ELIGIBLE_ANSWERS, "catchment_area": None}
    response = client_for("coordinator").post("/api/v1/screenings/", screening_payload, content_type="application/json")
    assert response.status_code == 201
    failed = [a["criterion"] for a in response.json()["answers"] if a["failed"]]
    assert failed == ["catchment_area"]


def test_api_refuses_enrolment_without_consent(client_for, screen, site_srp1, midwife_srp1):
    screening = screen(site_srp1, midwife_srp1)
    payload = {"screening": screening.pk, "arm": "moringa", "rationale": "r"}
    response = client_for("midwife.srp1").post("/api/v1/participants/", payload, content_type="application/json")
    assert response.status_code == 400
    assert not Participant.objects.exists()


@pytest.mark.parametrize(("username", "expected"), [("investigator", 403), ("midwife.par", 404), ("outsider", 403)])
def test_api_enrolment_is_refused_outside_ones_rights(client_for, screen, site_srp1, midwife_srp1, username, expected):
    screening = screen(site_srp1, midwife_srp1)
    payload = {
        "screening": screening.pk,
        "consented_on": screening.screened_on.isoformat(),
        "consent_form_version": "1",
        "arm": "moringa",
        "rationale": "r",
    }
    response = client_for(username).post("/api/v1/participants/", payload, content_type="application/json")
    assert response.status_code == expected
    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    ("username", "expected"),
    [("midwife.srp1", 200), ("coordinator", 200), ("investigator", 403), ("midwife.par", 404), ("outsider", 403)],
)
def test_screening_endpoint_by_role_and_site(client_for, screen, site_srp1, midwife_srp1, username, expected):
    screening = screen(site_srp1, midwife_srp1)
    assert client_for(username).get(f"/api/v1/screenings/{screening.pk}/").status_code == expected


def test_midwife_cannot_screen_at_another_site_by_api(client_for, screening_payload):
    response = client_for("midwife.par").post("/api/v1/screenings/", screening_payload, content_type="application/json")
    assert response.status_code == 404
    assert not Screening.objects.exists()


def test_investigator_cannot_screen_by_api(client_for, screening_payload):
    response = client_for("investigator").post(
        "/api/v1/screenings/", screening_payload, content_type="application/json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("username", "names"),
    [
        ("midwife.srp1", ["Dewi Lestari"]),
        ("coordinator", ["Dewi Lestari"]),
        ("midwife.par", []),
        ("investigator", None),
        ("outsider", None),
    ],
)
def test_screening_list_by_role_and_site(client_for, srp1_participant, username, names):
    response = client_for(username).get("/api/v1/screenings/")
    if names is None:
        assert response.status_code == 403
    else:
        assert [s["full_name"] for s in response.json()["results"]] == names
