"""A saved day reopened names that day, in both languages (it once said "today is saved" on every day)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected", "wrong"),
    [("id", "Hari ke-2 sudah tersimpan", "Hari ini sudah tersimpan"), ("en", "Day 2 is already saved", "This day")],
)
def test_a_saved_past_day_says_which_day_is_saved(client_for, participant, record, language, expected, wrong):
    record(participant, 2)
    url = reverse("observations:form", args=[participant.pk, 2])
    page = client_for("midwife.srp1").get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert expected in page
    assert wrong not in page
