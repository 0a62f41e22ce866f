"""The next trial of the same shape is set up without code: pages only, from the new study to its first day."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from enrollment.models import Study
from observations.models import Observation

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Daun-kelor-segar-42"
STUDY = "kelor-2027"


def new_study_data(**changes) -> dict:
    data = {
        "slug": STUDY, "title_id": "Kelor dan pijat 2027", "title_en": "Moringa and massage 2027",
        "n_days": 5, "pre_day": 1, "post_day": 5, "window_days": 1, "allocation_method": "assigned",
        "site_code": "KLR1", "site_name": "Puskesmas Kelor",
        "arm1_code": "kelor", "arm1_label_id": "Kapsul kelor", "arm1_label_en": "Moringa capsule",
        "arm1_adherence": "dose",
        "arm2_code": "pijat", "arm2_label_id": "Pijat oksitosin", "arm2_label_en": "Oxytocin massage",
        "arm2_adherence": "dose",
        "reason": "Protokol kedua disetujui",
    }  # fmt: skip
    return {**data, **changes}


def url(name: str) -> str:
    return f"{reverse(name)}?study={STUDY}"


def set_up_second_study(coordinator) -> Study:
    assert coordinator.post(reverse("enrollment:setup_study_new"), new_study_data()).status_code == 302
    study = Study.objects.get(slug=STUDY)
    criterion = {"code": "delivered_here", "kind": "inclusion", "text_id": "Bersalin di puskesmas ini",
                 "text_en": "Delivered at this health centre", "reason": "Protokol kedua"}  # fmt: skip
    assert coordinator.post(url("enrollment:setup_criterion_add"), criterion).status_code == 302
    massage = study.arms.get(code="pijat")
    thresholds = {"feeds_min": 6, "feeds_max": 14, "wet_diapers_min": 5, "sleep_hours_min": "1.5",
                  "breast_met_when": "on", f"adherence_{study.arms.get(code='kelor').pk}": "dose",
                  f"adherence_{massage.pk}": "massage", "reason": "Ambang protokol kedua"}  # fmt: skip
    assert coordinator.post(url("observations:setup_instrument"), thresholds).status_code == 302
    return study


def midwife_for(coordinator, study) -> Client:
    """A midwife for the new study's site, created on the People pages and signed in with her code."""
    site = study.sites.get()
    person = {"username": "bidan.klr1", "first_name": "Ratna", "last_name": "", "roles": ["midwife"],
              "sites": [site.pk]}  # fmt: skip
    code = coordinator.post(reverse("enrollment:person_new"), person).context["code"]
    midwife = Client()
    midwife.post(reverse("login"), {"username": "bidan.klr1", "password": code})
    new_password = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert midwife.post(reverse("password_change"), new_password).status_code == 302
    return midwife


def enrol_one(midwife, study):
    today = date.today()
    site = study.sites.get()
    screening = {"site": site.pk, "screened_on": today, "full_name": "Dewi Lestari", "phone": "",
                 "date_of_birth": "1996-02-03", "delivery_date": today, "delivery_mode": "vaginal", "parity": 1,
                 "infant_birth_weight_g": 3000, "c_delivered_here": "yes"}  # fmt: skip
    response = midwife.post(reverse("enrollment:screening_new"), screening)
    assert response.status_code == 302, response.context["form"].errors
    enrol = {"consented_on": today, "consent_form_version": "v1", "enrolled_on": today, "intervention_start": today,
             "arm": study.arms.get(code="pijat").pk, "rationale": "Pilihan ibu"}  # fmt: skip
    response = midwife.post(response["Location"] + "enrol/", enrol)
    assert response.status_code == 302, response.context["form"].errors
    return study.participants.get()


def test_a_second_study_is_set_up_on_the_pages_and_takes_its_first_observation(client_for, cast, study):
    coordinator = client_for("coordinator")
    second = set_up_second_study(coordinator)
    midwife = midwife_for(coordinator, second)
    participant = enrol_one(midwife, second)
    assert participant.participant_id.startswith("KLR1-")
    form = midwife.get(reverse("observations:form", args=[participant.pk, 1]))
    assert "massage_minutes" in form.context["form"].fields  # the arm's adherence kind chose the question
    values = {"idempotency_key": form.context["form"].initial["idempotency_key"], "observed_on": date.today(),
              "feeds_24h": 7, "wet_diapers_24h": 5, "sleep_after_feed_hours": "1.5", "breast_full_then_soft": "yes",
              "adherence": "yes", "massage_minutes": 10, "notes": ""}  # fmt: skip
    response = midwife.post(reverse("observations:form", args=[participant.pk, 1]), values)
    assert response.get("Content-Location") == reverse("observations:today"), response.context["form"].errors
    observation = Observation.objects.get(participant=participant)
    assert observation.score == 5  # the second study's thresholds; the first study's would give 2
    assert observation.massage_minutes == 10
    assert not Observation.objects.filter(participant__study=study).exists()
    page = coordinator.get(url("observations:setup_instrument")).content.decode()
    assert 'data-testid="lock-reason"' in page
