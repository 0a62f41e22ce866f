"""/api/v1/observations/: scoped like the pages; the same rules as the form; 409 on a stale version."""

import uuid
from datetime import timedelta

import pytest

from observations.models import Observation

pytestmark = pytest.mark.django_db
URL = "/api/v1/observations/"


def body(participant, day, values, **extra):
    data = {"participant": participant.pk, "day": day, **values, **extra}
    data["breast_full_then_soft"] = (
        data.get("breast_full_then_soft") == "yes" if "breast_full_then_soft" in data else None
    )
    return {k: v for k, v in data.items() if v is not None}


def create(client, participant, day, values, **extra):
    return client.post(URL, body(participant, day, values, **extra), content_type="application/json")


def test_midwife_creates_an_observation_and_gets_the_score(client_for, participant, good_values):
    response = create(client_for("midwife.srp1"), participant, 1, good_values(participant, 1, feeds_24h=7))
    assert response.status_code == 201
    assert response.json()["score"] == 4
    assert response.json()["version"] == 1


def test_a_score_sent_by_the_client_is_ignored(client_for, participant, good_values):
    create(client_for("midwife.srp1"), participant, 1, good_values(participant, 1, feeds_24h=7), score=5)
    assert Observation.objects.get().score == 4


def test_a_resend_with_the_same_key_returns_the_stored_row(client_for, participant, good_values):
    client, key = client_for("midwife.srp1"), str(uuid.uuid4())
    first = create(client, participant, 1, good_values(participant, 1), idempotency_key=key)
    second = create(client, participant, 1, good_values(participant, 1), idempotency_key=key)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Observation.objects.count() == 1


@pytest.mark.parametrize(
    ("day", "changes", "field"),
    [(8, {}, "day"), (1, {"observed_on": "2000-01-01"}, "observed_on"), (1, {"feeds_24h": 41}, "feeds_24h"),
     (1, {"massage_minutes": 10}, "massage_minutes"), (1, {"missing_reason": "refused"}, "observed_on")],
)  # fmt: skip
def test_api_rejects_what_the_form_rejects(client_for, participant, good_values, day, changes, field):
    response = create(client_for("midwife.srp1"), participant, day, good_values(participant, 1, **changes))
    assert response.status_code == 400
    assert field in response.json()
    assert not Observation.objects.exists()


def test_api_rejects_a_future_date(client_for, participant, good_values, today):
    tomorrow = (today + timedelta(days=1)).isoformat()
    response = create(client_for("midwife.srp1"), participant, 4, good_values(participant, 4, observed_on=tomorrow))
    assert response.status_code == 400
    assert "observed_on" in response.json()


def test_api_rejects_a_second_observation_of_the_same_day(client_for, participant, good_values, record):
    record(participant, 1)
    response = create(client_for("midwife.srp1"), participant, 1, good_values(participant, 1))
    assert response.status_code == 400
    assert "day" in response.json()


def test_api_rejects_an_observation_after_withdrawal(client_for, make_participant, good_values, today):
    gone = make_participant(status="withdrawn", status_date=today - timedelta(days=3), status_reason="moved")
    response = create(client_for("midwife.srp1"), gone, 3, good_values(gone, 3))
    assert response.status_code == 400
    assert "observed_on" in response.json()


def test_api_out_of_window_needs_a_deviation_reason(client_for, participant, good_values):
    late = (participant.intervention_start + timedelta(days=3)).isoformat()
    response = create(client_for("midwife.srp1"), participant, 1, good_values(participant, 1, observed_on=late))
    assert "deviation_reason" in response.json()


def test_update_needs_a_reason(client_for, participant, record):
    obs = record(participant, 1)
    response = client_for("midwife.srp1").patch(
        f"{URL}{obs.pk}/", {"feeds_24h": 5, "version": 1}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()


def test_update_with_reason_and_version_changes_the_row(client_for, participant, record):
    obs = record(participant, 1)
    response = client_for("midwife.srp1").patch(
        f"{URL}{obs.pk}/", {"feeds_24h": 5, "version": 1, "reason": "Salah tulis"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert (response.json()["feeds_24h"], response.json()["score"], response.json()["version"]) == (5, 4, 2)


def test_a_stale_version_is_a_409_with_both_versions(client_for, participant, record):
    obs = record(participant, 1)
    client = client_for("midwife.srp1")
    client.patch(f"{URL}{obs.pk}/", {"feeds_24h": 9, "version": 1, "reason": "a"}, content_type="application/json")
    response = client.patch(
        f"{URL}{obs.pk}/", {"feeds_24h": 11, "version": 1, "reason": "b"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["current"]["feeds_24h"] == 9
    assert response.json()["submitted"]["feeds_24h"] == 11
    assert Observation.objects.get().feeds_24h == 9


def test_list_filters_by_participant_and_day(client_for, participant, massage_participant, record):
    record(participant, 1)
    record(participant, 2)
    record(massage_participant, 1)
    client = client_for("coordinator")
    assert client.get(URL, {"participant": participant.pk}).json()["count"] == 2
    assert client.get(URL, {"participant": participant.pk, "day": 2}).json()["count"] == 1
    assert client.get(URL, {"day": "x"}).status_code == 400


@pytest.mark.parametrize(("username", "count"), [("midwife.srp1", 1), ("midwife.par", 0), ("coordinator", 1),
                                                 ("investigator", 1), ("outsider", 0)])  # fmt: skip
def test_list_is_scoped_by_site(client_for, participant, record, username, count):
    record(participant, 1)
    assert client_for(username).get(URL).json()["count"] == count


@pytest.mark.parametrize(("username", "status"), [("midwife.srp1", 200), ("coordinator", 200), ("investigator", 200),
                                                  ("midwife.par", 404), ("outsider", 404)])  # fmt: skip
def test_retrieve_is_scoped_by_site(client_for, participant, record, username, status):
    obs = record(participant, 1)
    assert client_for(username).get(f"{URL}{obs.pk}/").status_code == status


@pytest.mark.parametrize(("username", "status"), [("midwife.par", 404), ("investigator", 403), ("outsider", 403)])
def test_writes_outside_the_role_or_site_are_refused(client_for, participant, record, good_values, username, status):
    obs = record(participant, 1)
    client = client_for(username)
    assert create(client, participant, 2, good_values(participant, 2)).status_code == status
    patch = client.patch(
        f"{URL}{obs.pk}/", {"feeds_24h": 5, "version": 1, "reason": "x"}, content_type="application/json"
    )
    assert patch.status_code == status
    assert Observation.objects.count() == 1
    assert Observation.objects.get().feeds_24h == 10


def test_delete_is_not_offered(client_for, participant, record):
    obs = record(participant, 1)
    assert client_for("coordinator").delete(f"{URL}{obs.pk}/").status_code == 405


def test_anonymous_gets_no_data(client, participant, record):
    record(participant, 1)
    assert client.get(URL).status_code in (401, 403)


def test_a_key_reused_for_another_day_is_a_409_naming_the_key(client_for, participant, good_values):
    client, key = client_for("midwife.srp1"), str(uuid.uuid4())
    create(client, participant, 1, good_values(participant, 1), idempotency_key=key)
    response = create(client, participant, 2, good_values(participant, 2), idempotency_key=key)
    assert response.status_code == 409
    assert list(response.json()) == ["idempotency_key"]
    assert response.json()["idempotency_key"]
    assert Observation.objects.count() == 1
