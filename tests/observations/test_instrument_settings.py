"""Scoring rules are per study, editable until the first observation, locked after it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse

from observations.models import InstrumentLocked, InstrumentSettings, instrument_for
from tests.conftest import sign_in_fully

pytestmark = pytest.mark.django_db


def test_settings_are_created_with_the_defaults_of_the_instrument(study):
    settings = instrument_for(study)
    assert (settings.feeds_min, settings.feeds_max, settings.wet_diapers_min) == (8, 12, 6)
    assert settings.sleep_hours_min == Decimal("2.0")


def test_settings_can_change_before_the_first_observation(study):
    settings = instrument_for(study)
    settings.feeds_min = 7
    settings.full_clean()
    settings.save()
    assert InstrumentSettings.objects.get().feeds_min == 7


def test_changed_thresholds_score_new_observations(study, record, participant):
    settings = instrument_for(study)
    settings.wet_diapers_min = 8
    settings.save()
    assert record(participant, 1).score == 4  # 7 wet diapers no longer meets I2


def test_settings_are_locked_by_clean_after_the_first_observation(study, record, participant):
    record(participant, 1)
    settings = InstrumentSettings.objects.get(study=study)
    settings.feeds_max = 14
    with pytest.raises(ValidationError):
        settings.full_clean()
    with pytest.raises(InstrumentLocked):
        settings.save()


def test_the_database_refuses_changing_locked_settings(study, record, participant):
    record(participant, 1)
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic():
        InstrumentSettings.objects.filter(study=study).update(feeds_max=14)
    assert InstrumentSettings.objects.get(study=study).feeds_max == 12


def test_admin_refuses_changing_locked_settings(client, study, record, participant, django_user_model):
    record(participant, 1)
    settings = InstrumentSettings.objects.get(study=study)
    admin = django_user_model.objects.create_superuser("admin", password="x-Admin-Password-1")
    sign_in_fully(client, admin)
    url = reverse("admin:observations_instrumentsettings_change", args=[settings.pk])
    data = {"study": study.pk, "feeds_min": 8, "feeds_max": 14, "wet_diapers_min": 6, "sleep_hours_min": "2.0",
            "breast_met_when": "on"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert InstrumentSettings.objects.get().feeds_max == 12
