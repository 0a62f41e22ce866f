"""Every broken rule of a day is reported in one round: on the form and on the API."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from observations.models import Observation

pytestmark = pytest.mark.django_db


def post_form(client, participant, day, values):
    data = {"idempotency_key": str(uuid.uuid4()), **values}
    return client.post(reverse("observations:form", args=[participant.pk, day]), data)


def test_the_form_shows_feeds_wet_diapers_and_sleep_errors_together(client_for, participant, good_values):
    values = good_values(participant, 2, feeds_24h=99, wet_diapers_24h=-1, sleep_after_feed_hours=30)
    response = post_form(client_for("midwife.srp1"), participant, 2, values)
    assert {"feeds_24h", "wet_diapers_24h", "sleep_after_feed_hours"} <= set(response.context["form"].errors)
    assert not Observation.objects.exists()


def test_the_form_shows_a_range_error_and_a_schedule_error_together(client_for, participant, good_values, today):
    values = good_values(participant, 2, feeds_24h=99, observed_on=(today + timedelta(days=1)).isoformat())
    response = post_form(client_for("midwife.srp1"), participant, 2, values)
    assert {"feeds_24h", "observed_on"} <= set(response.context["form"].errors), response.context["form"].errors
    assert not Observation.objects.exists()


def test_the_form_shows_a_range_error_and_a_missing_required_answer_together(client_for, participant, good_values):
    values = good_values(participant, 2, feeds_24h=99)
    values.pop("breast_full_then_soft")
    response = post_form(client_for("midwife.srp1"), participant, 2, values)
    assert {"feeds_24h", "breast_full_then_soft"} <= set(response.context["form"].errors)


def test_the_api_reports_a_type_error_and_a_schedule_error_together(client_for, participant, good_values, today):
    payload = {"participant": participant.pk, "day": 2, **good_values(participant, 2), "breast_full_then_soft": True,
               "feeds_24h": 99, "observed_on": (today + timedelta(days=1)).isoformat()}  # fmt: skip
    response = client_for("midwife.srp1").post("/api/v1/observations/", payload, content_type="application/json")
    assert response.status_code == 400
    assert {"feeds_24h", "observed_on"} <= set(response.json()), response.json()
    assert not Observation.objects.exists()


def test_form_and_api_give_the_same_message_for_a_future_date(client_for, participant, good_values, today):
    future = (today + timedelta(days=1)).isoformat()
    form = post_form(client_for("midwife.srp1"), participant, 2, good_values(participant, 2, observed_on=future))
    payload = {"participant": participant.pk, "day": 2, **good_values(participant, 2), "breast_full_then_soft": True,
               "observed_on": future}  # fmt: skip
    api = client_for("midwife.srp1").post("/api/v1/observations/", payload, content_type="application/json")
    assert form.context["form"].errors["observed_on"] == api.json()["observed_on"]


def test_form_and_api_give_the_same_message_for_a_too_long_note(client_for, participant, good_values):
    note = "n" * 2001
    form = post_form(client_for("midwife.srp1"), participant, 2, good_values(participant, 2, notes=note))
    payload = {"participant": participant.pk, "day": 2, **good_values(participant, 2), "breast_full_then_soft": True,
               "notes": note}  # fmt: skip
    api = client_for("midwife.srp1").post("/api/v1/observations/", payload, content_type="application/json")
    assert form.context["form"].errors["notes"] == api.json()["notes"]
