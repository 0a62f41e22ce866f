"""The safety API: adverse events, data queries and deviations, scoped by role and site like the pages."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from observations.safety.models import AdverseEvent, DataQuery, ProtocolDeviation

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(cast):
    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def _json(values: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


def test_a_midwife_creates_and_follows_up_an_event(api, midwife_srp1, participant, ae_values):
    client = api(midwife_srp1)
    created = client.post(
        "/api/v1/adverse-events/", _json(ae_values()) | {"participant": participant.pk}, format="json"
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    stale = client.patch(f"/api/v1/adverse-events/{pk}/", {"severity": "severe", "version": 5, "reason": "x"})
    assert stale.status_code == 400
    followed = client.patch(f"/api/v1/adverse-events/{pk}/", {"severity": "severe", "version": 1, "reason": "Worse"})
    assert followed.status_code == 200
    assert followed.json()["version"] == 2


def test_bad_event_values_answer_400_and_write_nothing(api, midwife_srp1, participant, ae_values):
    body = _json(ae_values(onset_date=participant.enrolled_on - timedelta(days=3))) | {"participant": participant.pk}
    response = api(midwife_srp1).post("/api/v1/adverse-events/", body, format="json")
    assert response.status_code == 400
    assert "onset_date" in response.json()
    assert not AdverseEvent.objects.exists()


def test_a_midwife_never_sees_another_sites_events(api, midwife_srp1, make_event, par_participant, midwife_par):
    theirs = make_event(par_participant, user=midwife_par)
    client = api(midwife_srp1)
    assert client.get("/api/v1/adverse-events/").json()["count"] == 0
    assert client.get(f"/api/v1/adverse-events/{theirs.pk}/").status_code == 404
    body = {"participant": par_participant.pk}
    assert client.post("/api/v1/adverse-events/", body, format="json").status_code in (400, 404)


@pytest.mark.parametrize("username", ["investigator", "monitor.srp1", "outsider"])
def test_only_entering_roles_create_events(api, cast, monitor, participant, ae_values, username):
    body = _json(ae_values()) | {"participant": participant.pk}
    assert api(cast[username]).post("/api/v1/adverse-events/", body, format="json").status_code == 403


def test_the_investigator_acknowledges_and_reports(api, investigator, midwife_srp1, participant, serious_values):
    body = _json(serious_values) | {"participant": participant.pk}
    pk = api(midwife_srp1).post("/api/v1/adverse-events/", body, format="json").json()["id"]
    assert api(midwife_srp1).post(f"/api/v1/adverse-events/{pk}/acknowledge/").status_code == 403
    client = api(investigator)
    assert client.post(f"/api/v1/adverse-events/{pk}/acknowledge/").json()["acknowledged_at"]
    assert client.post(f"/api/v1/adverse-events/{pk}/report/", {}).status_code == 400
    reported = client.post(f"/api/v1/adverse-events/{pk}/report/", {"reference": "KEPK-9"}).json()
    assert reported["reported_at"]
    assert reported["report_due_at"]


def test_queries_through_the_api_raise_answer_close(api, coordinator, midwife_srp1, participant, record):
    record(participant, 1)
    raised = api(coordinator).post(
        "/api/v1/data-queries/", {"participant": participant.pk, "day": 1, "field_name": "feeds_24h", "text": "40?"}
    )
    assert raised.status_code == 201, raised.json()
    pk = raised.json()["id"]
    assert api(midwife_srp1).post(f"/api/v1/data-queries/{pk}/close/").status_code == 403
    answered = api(midwife_srp1).post(
        f"/api/v1/data-queries/{pk}/answer/", {"answer": "Typo", "values": {"feeds_24h": 11}, "version": 1},
        format="json",
    )  # fmt: skip
    assert answered.status_code == 200
    assert answered.json()["correction_version"] == 2
    assert api(coordinator).post(f"/api/v1/data-queries/{pk}/close/").json()["status"] == "closed"


def test_monitors_raise_queries_but_midwives_and_investigators_do_not(
    api, monitor, midwife_srp1, investigator, participant
):
    body = {"participant": participant.pk, "text": "Consent date?"}
    assert api(monitor).post("/api/v1/data-queries/", body).status_code == 201
    assert api(midwife_srp1).post("/api/v1/data-queries/", body).status_code == 403
    assert api(investigator).get("/api/v1/data-queries/").status_code == 403


def test_queries_are_scoped_by_site(api, midwife_par, monitor, make_query, participant):
    query = make_query(participant)
    assert api(midwife_par).get("/api/v1/data-queries/").json()["count"] == 0
    assert api(midwife_par).get(f"/api/v1/data-queries/{query.pk}/").status_code == 404
    assert api(monitor).get(f"/api/v1/data-queries/{query.pk}/").status_code == 200


def test_deviations_through_the_api(api, coordinator, investigator, monitor, site_srp1, today):
    body = {
        "site": site_srp1.pk, "category": "consent", "grade": "major", "description": "Consent form v1 used",
        "occurred_on": (today - timedelta(days=2)).isoformat(), "identified_on": today.isoformat(),
    }  # fmt: skip
    created = api(coordinator).post("/api/v1/deviations/", body)
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert api(investigator).post("/api/v1/deviations/", body).status_code == 403
    assert api(monitor).get(f"/api/v1/deviations/{pk}/").status_code == 200
    assert api(coordinator).patch(f"/api/v1/deviations/{pk}/", {"resolved_on": today.isoformat()}).status_code == 400
    changed = api(coordinator).patch(
        f"/api/v1/deviations/{pk}/", {"resolved_on": today.isoformat(), "reason": "Re-consented"}
    )
    assert changed.status_code == 200
    assert changed.json()["resolved_on"] == today.isoformat()
    assert ProtocolDeviation.objects.get().resolved_on == today


def test_the_midwife_does_not_read_the_deviation_register(api, midwife_srp1):
    assert api(midwife_srp1).get("/api/v1/deviations/").status_code == 403


def test_a_monitor_cannot_write_observations_through_the_api(api, monitor, participant, good_values, record):
    observation = record(participant, 1)
    client = api(monitor)
    assert client.get(f"/api/v1/observations/{observation.pk}/").status_code == 200
    body = good_values(participant, 2) | {"participant": participant.pk, "day": 2}
    assert client.post("/api/v1/observations/", body).status_code == 403
    patch = {"feeds_24h": 9, "version": 1, "reason": "x"}
    assert client.patch(f"/api/v1/observations/{observation.pk}/", patch).status_code == 403
    assert DataQuery.objects.count() == 0
