"""The coordinator sets the scoring thresholds and each arm's adherence kind until the first observation."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from pghistory.models import Events

from enrollment.models import Arm
from observations import setup
from observations.models import InstrumentSettings, instrument_for

pytestmark = pytest.mark.django_db

URL = reverse("observations:setup_instrument")


def instrument_data(study, **changes) -> dict:
    data = {"feeds_min": 8, "feeds_max": 12, "wet_diapers_min": 6, "sleep_hours_min": "2.0", "breast_met_when": "on",
            "reason": "Ambang baru"}  # fmt: skip
    data.update({f"adherence_{arm.pk}": arm.adherence for arm in study.arms.all()})
    return {**data, **changes}


def stored(study) -> tuple:
    settings = InstrumentSettings.objects.get(pk=instrument_for(study).pk)
    return (settings.feeds_min, settings.feeds_max, settings.wet_diapers_min, settings.sleep_hours_min,
            dict(study.arms.values_list("code", "adherence")))  # fmt: skip


@pytest.mark.parametrize("username", ["midwife.srp1", "investigator", "outsider"])
def test_only_the_coordinator_sets_the_thresholds_and_adherence(client_for, cast, study, username):
    before = stored(study)
    client = client_for(username)
    assert client.get(URL).status_code == 403
    assert client.post(URL, instrument_data(study, feeds_min=5)).status_code == 403
    assert stored(study) == before
    with pytest.raises(PermissionDenied):
        setup.set_up_instrument(by=cast[username], study=study, thresholds={"feeds_min": 5}, adherence={},
                                reason="x")  # fmt: skip
    assert stored(study) == before


def test_thresholds_and_adherence_change_with_a_reason_and_are_audited(client_for, cast, study, arm_moringa):
    changes = {"feeds_min": 6, "sleep_hours_min": "1.5", f"adherence_{arm_moringa.pk}": "massage"}
    assert client_for("coordinator").post(URL, instrument_data(study, **changes)).status_code == 302
    feeds_min, _max, _wet, sleep, adherence = stored(study)
    assert (feeds_min, sleep) == (6, Decimal("1.5"))
    assert adherence["moringa"] == "massage"
    for model in ("observations.InstrumentSettingsEvent", "enrollment.ArmEvent"):
        event = Events.objects.filter(pgh_model=model, pgh_label="update").order_by("-pgh_id")[0]
        assert event.pgh_context["reason"] == "Ambang baru"
        assert event.pgh_context["user"] == cast["coordinator"].pk


def test_the_daily_form_asks_what_the_arm_now_records(client_for, cast, study, participant, arm_moringa):
    client = client_for("coordinator")
    client.post(URL, instrument_data(study, **{f"adherence_{arm_moringa.pk}": "massage"}))
    form = client.get(reverse("observations:form", args=[participant.pk, 1])).context["form"]
    assert "massage_minutes" in form.fields


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"feeds_min": 14, "feeds_max": 8}, "feeds_max", "cannot be below the minimum"),
        ({"feeds_max": 50}, "feeds_max", "less than or equal to 40"),
        ({"wet_diapers_min": 41}, "wet_diapers_min", "less than or equal to 40"),
        ({"sleep_hours_min": "25"}, "sleep_hours_min", "less than or equal to 24"),
        ({"sleep_hours_min": "-1"}, "sleep_hours_min", "greater than or equal to 0"),
        ({"feeds_min": "delapan"}, "feeds_min", "whole number"),
        ({"reason": ""}, "reason", "required"),
    ],
)
def test_bad_thresholds_get_a_clear_message_and_change_nothing(client_for, cast, study, changes, field, message):
    before = stored(study)
    client = client_for("coordinator")
    client.post("/language/", {"language": "en"})
    response = client.post(URL, instrument_data(study, **changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert stored(study) == before


def test_an_unknown_adherence_kind_gets_a_clear_message(client_for, cast, study, arm_moringa):
    before = stored(study)
    client = client_for("coordinator")
    client.post("/language/", {"language": "en"})
    response = client.post(URL, instrument_data(study, **{f"adherence_{arm_moringa.pk}": "injection"}))
    assert "valid choice" in " ".join(response.context["form"].errors[f"adherence_{arm_moringa.pk}"])
    assert stored(study) == before


def test_an_arm_outside_the_study_is_refused(cast, study):
    before = stored(study)
    with pytest.raises(ValidationError, match="not in the study"):
        setup.set_up_instrument(by=cast["coordinator"], study=study, thresholds={"feeds_min": 5},
                                adherence={999_999: "dose"}, reason="x")  # fmt: skip
    assert stored(study) == before


def test_thresholds_and_adherence_lock_with_the_reason_once_an_observation_exists(
    client_for, cast, study, participant, record, arm_moringa
):
    record(participant, 1)
    before = stored(study)
    client = client_for("coordinator")
    client.post("/language/", {"language": "en"})
    page = client.get(URL)
    assert "Locked: 1 observations" in page.content.decode()
    assert page.context["form"].fields["feeds_min"].disabled
    assert page.context["form"].fields[f"adherence_{arm_moringa.pk}"].disabled
    client.post(URL, instrument_data(study, feeds_min=5, **{f"adherence_{arm_moringa.pk}": "massage"}))
    assert stored(study) == before  # disabled fields: the posted values are ignored
    with pytest.raises(ValidationError, match="Locked"):
        setup.set_up_instrument(by=cast["coordinator"], study=study, thresholds={"feeds_min": 5}, adherence={},
                                reason="x")  # fmt: skip
    with pytest.raises(ValidationError, match="Locked"):
        setup.set_up_instrument(by=cast["coordinator"], study=study, thresholds={},
                                adherence={arm_moringa.pk: "massage"}, reason="x")  # fmt: skip
    assert stored(study) == before


def test_the_database_refuses_changing_an_arms_adherence_after_the_first_observation(
    study, participant, record, arm_moringa, arm_massage
):
    """Through the app's own connection, past every Python check."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE enrollment_arm SET adherence = 'massage' WHERE id = %s", [arm_moringa.pk])
        transaction.set_rollback(True)  # allowed before the first observation
    record(participant, 1)
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE enrollment_arm SET adherence = 'massage' WHERE id = %s", [arm_moringa.pk])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE enrollment_arm SET label_en = 'Moringa leaf' WHERE id = %s", [arm_moringa.pk])
    assert Arm.objects.get(pk=arm_moringa.pk).adherence == "dose"
