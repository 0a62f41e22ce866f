"""A verified (locked) day opens read-only: who verified it and when, and how to ask for an unlock."""

import pytest
from django.urls import reverse

from observations import services
from observations.models import Observation

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(participant, record, coordinator):
    observation = record(participant, 1)
    services.verify_observations(observations=Observation.objects.filter(pk=observation.pk), by=coordinator)
    return Observation.objects.get(pk=observation.pk)


def _form_page(client, participant, day=1) -> str:
    url = reverse("observations:form", args=[participant.pk, day])
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_verified_day_has_no_form_to_fill(client_for, participant, verified):
    page = _form_page(client_for("midwife.srp1"), participant)
    assert 'data-testid="observation-form"' not in page
    assert 'name="feeds_24h"' not in page
    assert 'data-testid="verified-day"' in page


def test_a_verified_day_says_who_verified_it_when_and_how_to_ask_for_an_unlock(client_for, participant, verified):
    page = _form_page(client_for("midwife.srp1"), participant)
    assert "coordinator" in page
    assert verified.verified_at.astimezone().strftime("%Y-%m-%d") in page
    assert "ask the coordinator to unlock" in page.lower()
    assert "Breastfeeds in 24 hours" in page
    assert ">10<" in page


def test_a_verifier_sees_the_unlock_form_on_the_verified_day(client_for, participant, verified):
    page = _form_page(client_for("coordinator"), participant)
    assert reverse("observations:unlock", args=[verified.pk]) in page
    assert 'name="reason"' in page


def test_a_verified_day_still_refuses_a_posted_correction(client_for, participant, verified, good_values):
    values = good_values(participant, 1, feeds_24h=13)
    data = {"idempotency_key": "5d0b5a55-0000-4000-8000-000000000001", **values, "version": verified.version}
    client_for("midwife.srp1").post(reverse("observations:form", args=[participant.pk, 1]), {**data, "reason": "x"})
    assert Observation.objects.get(pk=verified.pk).feeds_24h == 10
