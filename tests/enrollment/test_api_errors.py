"""One API error shape for every app (trialsite/api_errors.py): a broken rule answers 400 with
{field: [messages]}, messages of no field under non_field_errors; other errors {"detail": ...}."""

from datetime import timedelta

from enrollment.models import Participant


def test_a_service_rule_of_enrolment_answers_in_the_field_shape(client_for, screen, site_srp1, midwife_srp1):
    screening = screen(site_srp1, midwife_srp1)
    payload = {"screening": screening.pk, "arm": "moringa", "rationale": "r"}
    response = client_for("midwife.srp1").post("/api/v1/participants/", payload, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["non_field_errors"]
    assert all(isinstance(message, str) for message in body["non_field_errors"])
    assert not Participant.objects.exists()


def test_a_service_rule_of_observations_answers_in_the_same_shape(client_for, enroll, site_srp1, midwife_srp1):
    participant = enroll(site_srp1, midwife_srp1)
    future = (participant.intervention_start + timedelta(days=400)).isoformat()
    payload = {"participant": participant.pk, "day": 1, "observed_on": future, "feeds_24h": 10,
               "wet_diapers_24h": 7, "sleep_after_feed_hours": "2.5", "breast_full_then_soft": True,
               "adherence": "yes"}  # fmt: skip
    response = client_for("midwife.srp1").post("/api/v1/observations/", payload, content_type="application/json")
    assert response.status_code == 400
    assert isinstance(response.json()["observed_on"], list)


def test_a_forbidden_call_answers_with_detail(client_for):
    response = client_for("midwife.srp1").get("/api/v1/analysis/")
    assert response.status_code == 403
    assert list(response.json()) == ["detail"]
