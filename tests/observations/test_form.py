"""The daily form: every rule checked on the server, nothing partial saved, score computed."""

import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from observations import services
from observations.models import Observation

pytestmark = pytest.mark.django_db


def form_url(participant, day):
    return reverse("observations:form", args=[participant.pk, day])


def saved(response) -> bool:
    """A save answers with Today itself (no redirect), naming it in Content-Location."""
    return response.status_code == 200 and response.get("Content-Location") == reverse("observations:today")


def post(client, participant, day, values, **extra):
    data = {"idempotency_key": str(uuid.uuid4()), **values, **extra}
    return client.post(form_url(participant, day), {k: v for k, v in data.items() if v is not None})


def test_midwife_enters_day_1_and_the_score_is_computed(client_for, participant, good_values):
    response = post(client_for("midwife.srp1"), participant, 1, good_values(participant, 1, feeds_24h=13))
    assert saved(response)
    obs = Observation.objects.get(participant=participant, day=1)
    assert obs.score == 4
    assert obs.version == 1


def test_a_typed_in_score_is_ignored(client_for, participant, good_values):
    post(client_for("midwife.srp1"), participant, 1, good_values(participant, 1, wet_diapers_24h=5), score="5")
    assert Observation.objects.get(participant=participant, day=1).score == 4


def test_form_page_renders_thresholds_for_the_live_score(client_for, participant):
    content = client_for("midwife.srp1").get(form_url(participant, 1)).content.decode()
    assert 'data-feeds-min="8"' in content
    assert 'data-feeds-max="12"' in content
    assert 'data-wet-min="6"' in content
    assert 'data-sleep-min="2.0"' in content  # not localized ("2,0" is not a number to the script)


@pytest.mark.parametrize("day", [0, 8])
def test_a_day_outside_1_to_n_days_is_rejected(client_for, participant, good_values, day):
    response = post(client_for("midwife.srp1"), participant, day, good_values(participant, 1))
    assert response.status_code == 200
    assert "1" in response.context["form"].non_field_errors()[0]
    assert not Observation.objects.exists()


def test_a_date_before_day_1_is_rejected(client_for, participant, good_values):
    before = (participant.intervention_start - timedelta(days=1)).isoformat()
    response = post(client_for("midwife.srp1"), participant, 1, good_values(participant, 1, observed_on=before))
    assert "observed_on" in response.context["form"].errors
    assert not Observation.objects.exists()


def test_a_future_date_is_rejected(client_for, make_participant, good_values, today):
    future_participant = make_participant(start=today)
    tomorrow = (today + timedelta(days=1)).isoformat()
    response = post(
        client_for("midwife.srp1"), future_participant, 2, good_values(future_participant, 2, observed_on=tomorrow)
    )
    assert "observed_on" in response.context["form"].errors
    assert not Observation.objects.exists()


def test_no_observation_after_withdrawal(client_for, make_participant, good_values, today):
    withdrawn = make_participant(
        start=today - timedelta(days=5),
        status="withdrawn",
        status_date=today - timedelta(days=3),
        status_reason="moved",
    )
    response = post(client_for("midwife.srp1"), withdrawn, 4, good_values(withdrawn, 4))
    assert "observed_on" in response.context["form"].errors
    assert not Observation.objects.exists()


def test_an_observation_on_the_withdrawal_date_is_accepted(client_for, make_participant, good_values, today):
    withdrawn = make_participant(
        start=today - timedelta(days=5),
        status="withdrawn",
        status_date=today - timedelta(days=4),
        status_reason="moved",
    )
    assert saved(post(client_for("midwife.srp1"), withdrawn, 2, good_values(withdrawn, 2)))


def test_a_date_outside_the_window_needs_a_deviation_reason(client_for, participant, good_values):
    late = (participant.intervention_start + timedelta(days=2)).isoformat()  # day 1 target + 2 > window 1
    response = post(client_for("midwife.srp1"), participant, 1, good_values(participant, 1, observed_on=late))
    assert "deviation_reason" in response.context["form"].errors
    assert not Observation.objects.exists()


def test_a_date_outside_the_window_with_a_reason_is_saved_as_a_deviation(client_for, participant, good_values):
    late = (participant.intervention_start + timedelta(days=2)).isoformat()
    values = good_values(participant, 1, observed_on=late, deviation_reason="Ibu pulang kampung")
    assert saved(post(client_for("midwife.srp1"), participant, 1, values))
    assert Observation.objects.get().out_of_window is True
    page = client_for("coordinator").get(reverse("observations:deviations")).content.decode()
    assert "Ibu pulang kampung" in page


def test_a_date_inside_the_window_is_not_a_deviation(client_for, participant, good_values):
    edge = (participant.intervention_start + timedelta(days=1)).isoformat()
    post(client_for("midwife.srp1"), participant, 1, good_values(participant, 1, observed_on=edge))
    assert Observation.objects.get().out_of_window is False


@pytest.mark.parametrize("field", ["feeds_24h", "wet_diapers_24h", "sleep_after_feed_hours", "breast_full_then_soft"])
def test_every_indicator_field_is_required_unless_missing(client_for, participant, good_values, field):
    response = post(client_for("midwife.srp1"), participant, 1, good_values(participant, 1, **{field: None}))
    assert field in response.context["form"].errors
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("feeds_24h", 41), ("wet_diapers_24h", -1), ("sleep_after_feed_hours", "2.3"), ("sleep_after_feed_hours", "25"),
     ("expressed_volume_ml", 2001), ("infant_weight_g", 999)],
)  # fmt: skip
def test_values_out_of_range_are_rejected(client_for, participant, good_values, field, value):
    response = post(client_for("midwife.srp1"), participant, 1, good_values(participant, 1, **{field: value}))
    assert field in response.context["form"].errors
    assert not Observation.objects.exists()


def test_a_missing_day_is_saved_with_its_reason_and_no_score(client_for, participant):
    response = post(client_for("midwife.srp1"), participant, 2, {"missing_reason": "unreachable"})
    assert saved(response)
    obs = Observation.objects.get()
    assert (obs.missing_reason, obs.score, obs.observed_on) == ("unreachable", None, None)


def test_a_missing_day_with_measurements_is_rejected(client_for, participant):
    response = post(client_for("midwife.srp1"), participant, 2, {"missing_reason": "refused", "feeds_24h": 9})
    assert "feeds_24h" in response.context["form"].errors
    assert not Observation.objects.exists()


def test_a_day_still_to_come_cannot_be_marked_missing(client_for, participant):
    response = post(client_for("midwife.srp1"), participant, 6, {"missing_reason": "not_visited"})
    assert "missing_reason" in response.context["form"].errors
    assert not Observation.objects.exists()


def test_massage_group_records_minutes(client_for, massage_participant, good_values):
    values = good_values(massage_participant, 1, massage_minutes=20)
    assert saved(post(client_for("midwife.srp1"), massage_participant, 1, values))
    assert Observation.objects.get().massage_minutes == 20


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"adherence": "partly"}, "adherence"), ({"massage_minutes": 121}, "massage_minutes"),
     ({"massage_minutes": None}, "massage_minutes"), ({"adherence": "no", "massage_minutes": 10}, "massage_minutes")],
)  # fmt: skip
def test_massage_adherence_rules(client_for, massage_participant, good_values, changes, field):
    response = post(client_for("midwife.srp1"), massage_participant, 1, good_values(massage_participant, 1, **changes))
    assert field in response.context["form"].errors
    assert not Observation.objects.exists()


def test_moringa_group_answers_yes_partly_or_no(client_for, participant, good_values):
    post(client_for("midwife.srp1"), participant, 1, good_values(participant, 1, adherence="partly"))
    assert Observation.objects.get().adherence == "partly"


def test_the_database_refuses_a_second_observation_of_the_same_day(record, participant):
    obs = record(participant, 1)
    duplicate = Observation(participant=participant, day=1, observed_on=obs.observed_on, feeds_24h=9,
                            wet_diapers_24h=6, sleep_after_feed_hours=2, breast_full_then_soft=True)  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_the_database_refuses_deleting_an_observation(record, participant):
    obs = record(participant, 1)
    with pytest.raises(Exception, match=r"observation_never_deleted|permission denied"), transaction.atomic():
        obs.delete()
    assert Observation.objects.filter(pk=obs.pk).exists()


def test_a_double_submit_stores_one_row(client_for, participant, good_values):
    client = client_for("midwife.srp1")
    data = {"idempotency_key": str(uuid.uuid4()), **good_values(participant, 1)}
    first = client.post(form_url(participant, 1), data)
    second = client.post(form_url(participant, 1), data)
    assert saved(first)
    assert saved(second)
    assert Observation.objects.count() == 1
    assert Observation.objects.get().version == 1


def test_the_form_key_of_another_day_is_not_replayed(client_for, participant, good_values):
    client = client_for("midwife.srp1")
    key = str(uuid.uuid4())
    client.post(form_url(participant, 1), {"idempotency_key": key, **good_values(participant, 1)})
    response = client.post(form_url(participant, 2), {"idempotency_key": key, **good_values(participant, 2)})
    assert response.status_code == 200
    assert Observation.objects.count() == 1


def test_the_form_proposes_today_inside_the_window_and_the_target_date_after_it(client_for, participant, today):
    client = client_for("midwife.srp1")
    assert client.get(form_url(participant, 4)).context["form"]["observed_on"].value() == today
    assert client.get(form_url(participant, 1)).context["form"]["observed_on"].value() == participant.intervention_start


def test_a_first_entry_of_a_day_saved_meanwhile_comes_back_as_that_days_correction(
    client_for, participant, good_values, cast, monkeypatch
):
    """Another midwife's save lands between the page's read and this save: the form, as it is now."""
    real = services.record_observation

    def saved_first_by_another_midwife(**kwargs):
        theirs = {**good_values(participant, 1, feeds_24h=7), "breast_full_then_soft": True}
        real(**{**kwargs, "values": theirs, "by": cast["midwife.par"], "idempotency_key": uuid.uuid4()})
        return real(**kwargs)

    monkeypatch.setattr(services, "record_observation", saved_first_by_another_midwife)
    data = {"idempotency_key": str(uuid.uuid4()), **good_values(participant, 1, feeds_24h=11)}
    response = client_for("midwife.srp1").post(form_url(participant, 1), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="editing-notice"' in page, response.context["form"].errors
    assert "reason" in response.context["form"].errors
    assert response.context["form"]["feeds_24h"].value() == "11"
    stored = Observation.objects.get(participant=participant, day=1)
    assert (stored.feeds_24h, stored.version) == (7, 1)
