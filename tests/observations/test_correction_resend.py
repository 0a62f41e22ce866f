"""A correction sent twice (its answer lost on the way back) is applied once and answered as saved.

Each correction form carries its own key (``idempotency_key``); the audit trail records it with the
change. A resend of the same form by the same user finds its change already made: the answer is the
stored row, not a conflict, and nothing is written again. A different correction made against the
same stale version still conflicts.
"""

import uuid

import pytest
from django.urls import reverse

from observations.models import Observation
from trialsite.audit import event_model_for

pytestmark = pytest.mark.django_db

API = "/api/v1/observations/"


def _events(obs) -> int:
    return event_model_for(Observation).objects.filter(pgh_obj_id=obs.pk).count()


def _patch(client, obs, key, **values):
    data = {"version": 1, "reason": "Salah tulis", "idempotency_key": str(key), **values}
    return client.patch(f"{API}{obs.pk}/", data, content_type="application/json")


def test_an_api_correction_sent_again_with_its_key_is_answered_with_the_stored_row(client_for, participant, record):
    obs = record(participant, 1)
    client, key = client_for("midwife.srp1"), uuid.uuid4()
    first = _patch(client, obs, key, feeds_24h=5)
    assert first.status_code == 200
    events = _events(obs)
    again = _patch(client, obs, key, feeds_24h=5)
    assert again.status_code == 200
    assert again.json() == first.json()
    stored = Observation.objects.get()
    assert (stored.version, stored.feeds_24h) == (2, 5)
    assert _events(obs) == events  # nothing written again


def test_a_resent_correction_answers_with_the_row_as_it_is_now(client_for, participant, record):
    """Her correction was made, then someone else changed the day: her resend is answered with today's row."""
    obs = record(participant, 1)
    key = uuid.uuid4()
    assert _patch(client_for("midwife.srp1"), obs, key, feeds_24h=5).status_code == 200
    later = client_for("coordinator").patch(
        f"{API}{obs.pk}/", {"version": 2, "reason": "Hitung ulang", "feeds_24h": 6}, content_type="application/json"
    )
    assert later.status_code == 200
    again = _patch(client_for("midwife.srp1"), obs, key, feeds_24h=5)
    assert again.status_code == 200
    assert (again.json()["feeds_24h"], again.json()["version"]) == (6, 3)


def test_another_correction_against_a_stale_version_still_conflicts(client_for, participant, record):
    obs = record(participant, 1)
    client = client_for("midwife.srp1")
    assert _patch(client, obs, uuid.uuid4(), feeds_24h=5).status_code == 200
    other = _patch(client, obs, uuid.uuid4(), feeds_24h=5)  # same values, another form: she did not see v2
    assert other.status_code == 409
    no_key = client.patch(
        f"{API}{obs.pk}/", {"version": 1, "reason": "x", "feeds_24h": 5}, content_type="application/json"
    )
    assert no_key.status_code == 409
    assert Observation.objects.get().version == 2


def test_another_users_request_with_her_key_is_not_taken_for_her_resend(client_for, participant, record):
    obs = record(participant, 1)
    key = uuid.uuid4()
    assert _patch(client_for("midwife.srp1"), obs, key, feeds_24h=5).status_code == 200
    response = _patch(client_for("coordinator"), obs, key, feeds_24h=7)
    assert response.status_code == 409
    assert Observation.objects.get().feeds_24h == 5


def test_the_correction_form_posted_again_lands_on_today_as_saved(client_for, record, participant, good_values):
    obs = record(participant, 1)
    client, key = client_for("midwife.srp1"), str(uuid.uuid4())
    url = reverse("observations:form", args=[participant.pk, 1])
    data = {**good_values(participant, 1, feeds_24h=5), "idempotency_key": key, "version": 1, "reason": "Salah tulis"}
    first = client.post(url, data)
    assert first["Content-Location"] == reverse("observations:today")
    events = _events(obs)
    again = client.post(url, data)  # the browser sends the form again: its first answer never arrived
    assert again["Content-Location"] == reverse("observations:today")
    assert again.context.get("conflict") is None
    assert f'data-saved-entry="{key}"' in again.content.decode()  # the phone drops the copy it kept
    stored = Observation.objects.get()
    assert (stored.version, stored.feeds_24h) == (2, 5)
    assert _events(obs) == events


def test_a_saved_correction_names_its_key_on_today(client_for, record, participant, good_values):
    obs = record(participant, 1)
    key = str(uuid.uuid4())
    data = {**good_values(participant, 1, feeds_24h=5), "idempotency_key": key, "version": obs.version, "reason": "x"}
    response = client_for("midwife.srp1").post(reverse("observations:form", args=[participant.pk, 1]), data)
    assert f'data-saved-entry="{key}"' in response.content.decode()
