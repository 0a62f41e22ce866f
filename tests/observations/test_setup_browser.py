"""On a 360-px phone in Indonesian: the coordinator sets up a second study, its thresholds and adherence."""

import pytest

from observations.demo import study as demo
from observations.demo.daily import seed_observations
from observations.models import Observation
from tests.browser import fits_the_screen, overflowing, watch_csp_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_STUDY = {
    "slug": "kelor-2027", "title_id": "Kelor 2027", "title_en": "Moringa 2027", "n_days": "5", "post_day": "5",
    "site_code": "KLR1", "site_name": "Puskesmas Kelor", "arm1_code": "kelor", "arm1_label_id": "Kapsul kelor",
    "arm1_label_en": "Moringa capsule", "reason": "Protokol kedua disetujui",
}  # fmt: skip
SECOND_ARM = {"arm2_code": "pijat", "arm2_label_id": "Pijat oksitosin", "arm2_label_en": "Oxytocin massage"}


def fill(page, values: dict) -> None:
    for name, value in values.items():
        page.fill(f"[name={name}]", value)


def test_a_second_study_is_set_up_on_a_phone(live_server, page, login, cast, study):
    csp_errors = watch_csp_errors(page)
    login(page, "coordinator")
    page.goto(f"{live_server.url}/enrollment/setup/study/")
    page.click("[data-testid=new-study]")
    fill(page, NEW_STUDY)
    page.get_by_role("button", name="Buat studi").click()
    assert "setidaknya dua kelompok" in page.inner_text("main")  # the second arm was left empty
    assert fits_the_screen(page), overflowing(page)
    fill(page, {**SECOND_ARM, "reason": NEW_STUDY["reason"]})
    page.select_option("[name=arm2_adherence]", "massage")
    page.get_by_role("button", name="Buat studi").click()
    page.wait_for_url("**/enrollment/setup/study/?study=kelor-2027")
    assert "Kapsul kelor" in page.inner_text("[data-testid=arms]")
    assert fits_the_screen(page), overflowing(page)

    page.click("[data-testid=instrument-link]")
    fill(page, {"feeds_min": "14", "feeds_max": "8", "reason": "Ambang protokol kedua"})
    page.get_by_role("button", name="Simpan perubahan").click()
    assert "tidak boleh di bawah nilai minimum" in page.inner_text("main")
    assert fits_the_screen(page), overflowing(page)
    fill(page, {"feeds_min": "6", "feeds_max": "14", "reason": "Ambang protokol kedua"})
    page.get_by_role("button", name="Simpan perubahan").click()
    assert "Tersimpan" in page.inner_text("main")
    assert page.input_value("[name=feeds_max]") == "14"
    assert csp_errors == []


def test_thresholds_show_why_they_are_locked_on_a_phone(live_server, page, login, cast, study):
    demo.seed_participants(study, 4, seed=3)
    seed_observations(study, seed=3)
    assert Observation.objects.filter(participant__study=study).exists()
    login(page, "coordinator")
    page.goto(f"{live_server.url}/observations/setup/instrument/")
    reason = page.inner_text("[data-testid=lock-reason]")
    assert "Terkunci" in reason
    assert "tidak dapat dibandingkan" in reason
    assert page.locator("[name=feeds_min]").is_disabled()
    assert page.get_by_role("button", name="Simpan perubahan").count() == 0
    assert fits_the_screen(page), overflowing(page)
