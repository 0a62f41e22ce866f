"""Every observation string has an Indonesian translation; the pages work in both languages."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

CATALOG = Path(settings.BASE_DIR) / "observations" / "locale" / "id" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated_and_none_is_fuzzy():
    catalog = polib.pofile(str(CATALOG))
    assert catalog.untranslated_entries() == []
    assert catalog.fuzzy_entries() == []
    assert len(catalog) > 100


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "text"), [("id", "Jadwal hari ini"), ("en", "Due today")])
def test_today_speaks_her_language(client_for, participant, language, text):
    client = client_for("midwife.srp1")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert text in client.get(reverse("observations:today")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"),
    [("id", "Tanggal observasi tidak boleh di masa depan."), ("en", "The observation date cannot be in the future.")],
)
def test_rule_messages_are_in_her_language(client_for, participant, good_values, today, language, text):
    client = client_for("midwife.srp1")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    values = good_values(participant, 4, observed_on=today.replace(year=today.year + 1).isoformat())
    values["idempotency_key"] = "7d1e4b1c-5a6f-4f7e-9a0e-2b1d3c4e5f60"
    response = client.post(reverse("observations:form", args=[participant.pk, 4]), values)
    assert text in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_page_renders_in_both_languages(client_for, participant, record, language):
    record(participant, 1)
    client = client_for("coordinator")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for url in (
        reverse("observations:today"),
        reverse("observations:form", args=[participant.pk, 1]),
        reverse("observations:timeline", args=[participant.pk]),
        reverse("observations:completeness"),
        reverse("observations:deviations"),
        reverse("observations:import"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.content.decode()
