"""Impossible dates and ages are refused by the services, with the same message on the form, the API and the import."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enrollment import services
from enrollment.models import Consent, Participant, Screening

from .conftest import ELIGIBLE_ANSWERS, mother

pytestmark = pytest.mark.django_db

FUTURE = "The date cannot be in the future."


@pytest.fixture
def client_for(client_for):
    """The cast's clients, reading English (the messages are compared in English)."""

    def make(username):
        client = client_for(username)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


def screening_data(site, **changes) -> dict:
    today = timezone.localdate()
    values = {
        "site": site.pk,
        "screened_on": today.isoformat(),
        "full_name": "Sri Wahyuni",
        "phone": "0811",
        "date_of_birth": "1994-05-06",
        "delivery_date": (today - timedelta(days=2)).isoformat(),
        "delivery_mode": "caesarean",
        "parity": 3,
        "infant_birth_weight_g": 3300,
    }
    return {**values, **changes}


def form_post(client, site, **changes):
    data = screening_data(site, **changes)
    data.update({f"c_{code}": "yes" if ok else "no" for code, ok in ELIGIBLE_ANSWERS.items()})
    return client.post(reverse("enrollment:screening_new"), data)


def api_post(client, site, **changes):
    payload = {**screening_data(site, **changes), "answers": ELIGIBLE_ANSWERS}
    return client.post("/api/v1/screenings/", payload, content_type="application/json")


def test_the_service_refuses_a_screening_in_year_9999(site_srp1, midwife_srp1):
    with pytest.raises(services.EnrollmentError) as error:
        services.screen_mother(
            site=site_srp1, by=midwife_srp1, screened_on=date(9999, 12, 31),
            mother=mother(screened_on=date(9999, 12, 28)), answers=ELIGIBLE_ANSWERS,
        )  # fmt: skip
    assert FUTURE in error.value.message_dict["screened_on"]
    assert not Screening.objects.exists()


def test_the_form_refuses_a_screening_in_year_9999(client_for, site_srp1):
    response = form_post(client_for("midwife.srp1"), site_srp1, screened_on="9999-12-31", delivery_date="9999-12-30")
    assert response.status_code == 200
    assert FUTURE in response.context["form"].errors["screened_on"]
    assert not Screening.objects.exists()


def test_the_api_refuses_a_screening_in_year_9999_with_field_errors(client_for, site_srp1):
    response = api_post(client_for("midwife.srp1"), site_srp1, screened_on="9999-12-31", delivery_date="9999-12-30")
    assert response.status_code == 400
    assert FUTURE in response.json()["screened_on"]
    assert not Screening.objects.exists()


def test_a_screening_before_the_study_started_is_refused(study, client_for, site_srp1):
    study.start_date = date(2020, 1, 1)
    study.save(update_fields=["start_date"])
    response = api_post(client_for("midwife.srp1"), site_srp1, screened_on="2019-12-31", delivery_date="2019-12-30")
    assert response.status_code == 400
    assert response.json()["screened_on"] == ["The date cannot be before the study started (2020-01-01)."]


def test_a_screening_before_the_plausible_lower_bound_is_refused_without_a_study_start(client_for, site_srp1):
    response = api_post(client_for("midwife.srp1"), site_srp1, screened_on="1899-01-02", delivery_date="1899-01-01")
    assert response.status_code == 400
    assert "screened_on" in response.json()


def test_historical_paper_data_still_screens_without_a_study_start(client_for, site_srp1):
    response = api_post(client_for("midwife.srp1"), site_srp1, screened_on="2015-06-01", delivery_date="2015-05-30",
                        date_of_birth="1990-01-01")  # fmt: skip
    assert response.status_code == 201, response.content


def test_the_api_refuses_a_mother_born_in_year_1(client_for, site_srp1):
    response = api_post(client_for("midwife.srp1"), site_srp1, date_of_birth="0001-01-01")
    assert response.status_code == 400
    assert response.json()["date_of_birth"] == ["The mother must be between 12 and 60 years old at screening."]
    assert not Screening.objects.exists()


def test_form_and_api_give_the_same_age_message(client_for, site_srp1):
    form = form_post(client_for("midwife.srp1"), site_srp1, date_of_birth="2020-01-01")
    api = api_post(client_for("midwife.srp1"), site_srp1, date_of_birth="2020-01-01")
    assert form.context["form"].errors["date_of_birth"] == api.json()["date_of_birth"]


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@pytest.mark.parametrize(
    ("years", "extra_days", "ok"), [(12, 0, True), (12, -1, False), (61, -1, True), (61, 0, False)]
)
def test_age_limits_are_12_and_60_years_at_screening(client_for, site_srp1, years, extra_days, ok):
    birthday = years_before(timezone.localdate(), years) - timedelta(days=extra_days)
    response = api_post(client_for("midwife.srp1"), site_srp1, date_of_birth=birthday.isoformat())
    assert (response.status_code == 201) is ok, response.content


def test_every_broken_screening_rule_is_reported_at_once(client_for, site_srp1):
    response = api_post(
        client_for("midwife.srp1"), site_srp1, screened_on="9999-12-31", delivery_date="9999-12-31",
        date_of_birth="0001-01-01", full_name="x" * 201,
    )  # fmt: skip
    assert response.status_code == 400
    assert {"screened_on", "full_name"} <= set(response.json()), response.json()


def test_the_api_refuses_an_enrolment_dated_9999_12_31(client_for, screen, site_srp1, midwife_srp1):
    screening = screen(site_srp1, midwife_srp1)
    payload = {"screening": screening.pk, "consented_on": screening.screened_on.isoformat(),
               "consent_form_version": "1", "enrolled_on": "9999-12-31", "arm": "moringa",
               "rationale": "r"}  # fmt: skip
    response = client_for("midwife.srp1").post("/api/v1/participants/", payload, content_type="application/json")
    assert response.status_code == 400
    assert FUTURE in response.json()["enrolled_on"]
    assert not Participant.objects.exists()
    assert not Consent.objects.exists()


def test_the_form_refuses_an_enrolment_dated_9999_12_31(client_for, screen, site_srp1, midwife_srp1, arm_massage):
    screening = screen(site_srp1, midwife_srp1)
    data = {"consented_on": screening.screened_on.isoformat(), "consent_form_version": "2.1",
            "enrolled_on": "9999-12-31", "intervention_start": "", "arm": arm_massage.pk, "rationale": "r"}  # fmt: skip
    response = client_for("midwife.srp1").post(reverse("enrollment:enroll", args=[screening.pk]), data)
    assert response.status_code == 200
    assert FUTURE in response.context["form"].errors["enrolled_on"]
    assert not Participant.objects.exists()


def test_consent_after_enrolment_and_enrolment_before_screening_are_both_reported(
    client_for, screen, site_srp1, midwife_srp1
):
    screening = screen(site_srp1, midwife_srp1, screened_on=timezone.localdate() - timedelta(days=2))
    payload = {"screening": screening.pk, "consented_on": timezone.localdate().isoformat(),
               "consent_form_version": "1", "enrolled_on": (screening.screened_on - timedelta(days=1)).isoformat(),
               "arm": "moringa", "rationale": "r"}  # fmt: skip
    response = client_for("midwife.srp1").post("/api/v1/participants/", payload, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["enrolled_on"] == [
        "Enrolment cannot be before consent.",
        "Enrolment cannot be before the screening.",
    ], body
    assert not Participant.objects.exists()


def test_a_withdrawal_before_enrolment_without_reason_reports_both_fields(enroll, site_srp1, midwife_srp1):
    participant = enroll(site_srp1, midwife_srp1)
    with pytest.raises(services.EnrollmentError) as error:
        services.withdraw_participant(participant=participant, status="withdrawn", on=date(2001, 1, 1),
                                      reason=" ", by=midwife_srp1)  # fmt: skip
    assert set(error.value.message_dict) == {"on", "reason"}


def test_a_stored_enrolment_on_9999_12_31_breaks_no_page(client_for, enroll, site_srp1, midwife_srp1):
    participant = enroll(site_srp1, midwife_srp1)
    Participant.objects.filter(pk=participant.pk).update(enrolled_on=date(9999, 12, 31),
                                                          intervention_start=date(9999, 12, 31))  # fmt: skip
    client = client_for("coordinator")
    for url in (
        reverse("enrollment:participant_detail", args=[participant.pk]),
        reverse("observations:timeline", args=[participant.pk]),
        reverse("observations:completeness"),
        reverse("observations:today"),
        reverse("observations:form", args=[participant.pk, 7]),
    ):
        assert client.get(url).status_code == 200, url
