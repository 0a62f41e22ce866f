"""The enrolment form: the consent form version comes from the study, a rationale only when staff assign
the arm, and after enrolling the midwife can enter day 1 at once."""

import pytest
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Consent, Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def screening(screen, site_srp1, midwife_srp1):
    return screen(site_srp1, midwife_srp1)


def _enroll_page(client, screening) -> str:
    return client.get(reverse("enrollment:enroll", args=[screening.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_consent_form_version_defaults_to_the_studys_current_form(client_for, study, screening):
    study.consent_form_version = "2.1 (2026-06)"
    study.save(update_fields=["consent_form_version"])
    page = _enroll_page(client_for("midwife.srp1"), screening)
    assert 'name="consent_form_version" value="2.1 (2026-06)"' in page


def test_an_empty_version_falls_back_to_the_studys_current_form(client_for, study, screening, arm_moringa):
    today = timezone.localdate()
    study.consent_form_version = "2.1"
    study.save(update_fields=["consent_form_version"])
    data = {"consented_on": today, "consent_form_version": "", "enrolled_on": today, "arm": arm_moringa.pk,
            "rationale": "Purposive assignment"}  # fmt: skip
    client_for("midwife.srp1").post(reverse("enrollment:enroll", args=[screening.pk]), data)
    assert Consent.objects.get(screening=screening).form_version == "2.1"


def test_a_randomized_study_asks_for_no_arm_and_no_rationale(client_for, randomized_study, screening):
    page = _enroll_page(client_for("midwife.srp1"), screening)
    assert 'name="rationale"' not in page
    assert 'name="arm"' not in page


def test_an_assigned_study_asks_why_this_arm(client_for, study, screening):
    assert 'name="rationale"' in _enroll_page(client_for("midwife.srp1"), screening)


def test_after_enrolling_the_midwife_is_offered_day_1(client_for, study, screening, arm_moringa):
    today = timezone.localdate()
    data = {"consented_on": today, "consent_form_version": "1.0", "enrolled_on": today, "arm": arm_moringa.pk,
            "rationale": "Purposive assignment"}  # fmt: skip
    client = client_for("midwife.srp1")
    response = client.post(reverse("enrollment:enroll", args=[screening.pk]), data, follow=True)
    participant = Participant.objects.get(screening=screening)
    page = response.content.decode()
    assert reverse("observations:form", args=[participant.pk, 1]) in page
    assert 'data-testid="enter-day-1"' in page


def _enrol_by_api(client, screening, **consent):
    today = timezone.localdate().isoformat()
    payload = {"screening": screening.pk, "enrolled_on": today, "arm": "moringa", "rationale": "Purposive"} | consent
    return client.post("/api/v1/participants/", payload, content_type="application/json")


@pytest.mark.parametrize("given", [{}, {"consent_form_version": ""}, {"consent_form_version": "  "}])
def test_the_api_takes_the_studys_current_form_when_no_version_is_given(client_for, study, screening, given):
    study.consent_form_version = "2.1"
    study.save(update_fields=["consent_form_version"])
    consent = {"consented_on": timezone.localdate().isoformat()} | given
    response = _enrol_by_api(client_for("midwife.srp1"), screening, **consent)
    assert response.status_code == 201, response.content
    assert Consent.objects.get(screening=screening).form_version == "2.1"


def test_the_api_keeps_a_version_she_signed_instead(client_for, study, screening):
    study.consent_form_version = "2.1"
    study.save(update_fields=["consent_form_version"])
    consent = {"consented_on": timezone.localdate().isoformat(), "consent_form_version": " 1.0 "}
    assert _enrol_by_api(client_for("midwife.srp1"), screening, **consent).status_code == 201
    assert Consent.objects.get(screening=screening).form_version == "1.0"


def test_without_a_current_form_the_api_asks_for_the_version_and_writes_nothing(client_for, study, screening):
    study.consent_form_version = ""
    study.save(update_fields=["consent_form_version"])
    response = _enrol_by_api(client_for("midwife.srp1"), screening, consented_on=timezone.localdate().isoformat())
    assert response.status_code == 400
    assert "consent_form_version" in response.content.decode()
    assert not Consent.objects.exists()
    assert not Participant.objects.exists()


def test_a_version_without_a_consent_date_is_refused_by_the_api(client_for, study, screening):
    response = _enrol_by_api(client_for("midwife.srp1"), screening, consent_form_version="2.1")
    assert response.status_code == 400
    assert not Participant.objects.exists()
