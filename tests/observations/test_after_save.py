"""After a save the midwife is on Today (in the same round trip, with the next due mother one tap away), and
the pages she uses most do not load the chart library."""

import uuid

import pytest
from django.urls import reverse

from observations.models import Observation

pytestmark = pytest.mark.django_db


def _post(client, participant, day, values, **extra):
    data = {"idempotency_key": str(uuid.uuid4()), **values, **extra}
    return client.post(reverse("observations:form", args=[participant.pk, day]), data)


def test_a_first_entry_answers_with_today_and_the_saved_message_in_one_round_trip(client_for, participant, good_values):
    response = _post(client_for("midwife.srp1"), participant, 1, good_values(participant, 1))
    assert response.status_code == 200  # no redirect: on a phone network each round trip costs 400 ms
    assert response["Content-Location"] == reverse("observations:today")
    page = response.content.decode()
    assert 'data-testid="worklist-due"' in page
    assert "Hari ke-1 tersimpan" in page or "Day 1 saved" in page
    assert f'data-landed-url="{reverse("observations:today")}"' in page  # the address bar shows Today


def test_after_a_save_the_next_due_mother_is_one_tap_away(client_for, participant, good_values):
    response = _post(client_for("midwife.srp1"), participant, 1, good_values(participant, 1))
    next_due = response.context["next_due"]
    assert next_due == (response.context["worklist"].due + response.context["worklist"].overdue)[0]
    assert (next_due.participant, next_due.day) != (participant, 1)  # not the day just saved
    link = reverse("observations:form", args=[next_due.participant.pk, next_due.day])
    assert f'href="{link}" data-testid="next-due"' in response.content.decode()


def test_today_opened_by_itself_offers_no_next_due_button(client_for, participant):
    assert (
        'data-testid="next-due"' not in client_for("midwife.srp1").get(reverse("observations:today")).content.decode()
    )


def test_a_correction_returns_to_today(client_for, participant, good_values, record):
    observation = record(participant, 1)
    values = good_values(participant, 1, feeds_24h=13)
    response = _post(client_for("midwife.srp1"), participant, 1, values, version=observation.version, reason="typo")
    assert response["Content-Location"] == reverse("observations:today")
    assert Observation.objects.get(pk=observation.pk).feeds_24h == 13


def test_a_refused_save_has_no_content_location(client_for, participant, good_values):
    response = _post(client_for("midwife.srp1"), participant, 1, good_values(participant, 1, feeds_24h=""))
    assert response.status_code == 200
    assert "Content-Location" not in response


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
