"""After a save the midwife is back on Today, and the pages she uses most do not load the chart library."""

import uuid

import pytest
from django.urls import reverse

from observations.models import Observation

pytestmark = pytest.mark.django_db


def _post(client, participant, day, values, **extra):
    data = {"idempotency_key": str(uuid.uuid4()), **values, **extra}
    return client.post(reverse("observations:form", args=[participant.pk, day]), data)


def test_a_first_entry_returns_to_today_with_the_saved_message(client_for, participant, good_values):
    client = client_for("midwife.srp1")
    response = _post(client, participant, 1, good_values(participant, 1))
    assert response.status_code == 302
    assert response.url == reverse("observations:today")
    page = client.get(response.url).content.decode()
    assert "Hari ke-1 tersimpan" in page or "Day 1 saved" in page


def test_a_correction_returns_to_today(client_for, participant, good_values, record):
    observation = record(participant, 1)
    values = good_values(participant, 1, feeds_24h=13)
    response = _post(client_for("midwife.srp1"), participant, 1, values, version=observation.version, reason="typo")
    assert response.status_code == 302
    assert response.url == reverse("observations:today")
    assert Observation.objects.get(pk=observation.pk).feeds_24h == 13


@pytest.mark.parametrize("page", ["today", "form", "empty_timeline"])
def test_pages_without_a_chart_do_not_load_the_chart_library(client_for, participant, page):
    url = {
        "today": reverse("observations:today"),
        "form": reverse("observations:form", args=[participant.pk, 1]),
        "empty_timeline": reverse("observations:timeline", args=[participant.pk]),
    }[page]
    assert "chart.umd" not in client_for("midwife.srp1").get(url).content.decode()


def test_the_timeline_with_scores_loads_the_chart_library(client_for, participant, record):
    record(participant, 1)
    response = client_for("midwife.srp1").get(reverse("observations:timeline", args=[participant.pk]))
    assert "chart.umd" in response.content.decode()
