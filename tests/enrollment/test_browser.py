"""A midwife on a 360-px phone, in Indonesian: refuse an ineligible mother, enrol an eligible one."""

import pytest
from django.utils import timezone

from enrollment.models import StudyControl
from observations.demo import study as demo
from tests.browser import overflowing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_mother(page, name: str):
    today = timezone.localdate()
    page.fill("input[name=full_name]", name)
    page.fill("input[name=phone]", "081311112222")
    page.fill("input[name=date_of_birth]", "1995-02-03")
    page.fill("input[name=delivery_date]", (today - timezone.timedelta(days=2)).isoformat())
    page.select_option("select[name=delivery_mode]", "vaginal")
    page.fill("input[name=parity]", "1")
    page.fill("input[name=infant_birth_weight_g]", "3100")


def _answer(page, overrides: dict[str, str]):
    for code, (kind, *_rest) in demo.DEMO_CRITERIA.items():
        value = overrides.get(code, "yes" if kind == "inclusion" else "no")
        page.check(f"input[name=c_{code}][value={value}]")


def test_midwife_refuses_an_ineligible_mother_then_enrols_an_eligible_one(live_server, page, login, cast, study):
    login(page, "midwife.srp1")
    page.goto(f"{live_server.url}/enrollment/screening/new/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _fill_mother(page, "Wulan Handayani")
    _answer(page, {"breast_disorder": "yes"})
    page.click("[data-testid=screen-submit]")
    result = page.locator("[data-testid=screening-result]")
    assert "Tidak memenuhi syarat" in result.inner_text()
    assert "mastitis" in page.locator("[data-testid=screening-reasons]").inner_text()
    assert page.locator("[data-testid=enroll-link]").count() == 0

    page.goto(f"{live_server.url}/enrollment/screening/new/")
    _fill_mother(page, "Fitri Aminah")
    _answer(page, {})
    page.click("[data-testid=screen-submit]")
    assert "Memenuhi syarat" in page.locator("[data-testid=screening-result]").inner_text()
    page.click("[data-testid=enroll-link]")
    page.fill("input[name=consent_form_version]", "1.0")
    page.select_option("select[name=arm]", label="Pijat oksitosin")
    page.fill("textarea[name=rationale]", "Ibu memilih pijat")
    page.click("[data-testid=enroll-submit]")
    assert page.locator("[data-testid=participant-id]").inner_text() == "SRP1-001"
    assert "Pijat oksitosin" in page.locator("[data-testid=participant-arm]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_enrolment_page_fits_a_phone(live_server, page, login, cast, study, language):
    participants = demo.seed_participants(study, 6, seed=2)
    screening = participants[0].screening
    login(page, "coordinator")
    if language == "en":
        page.select_option("#language-select", "en")
        page.wait_for_selector("html[lang=en]")
    paths = [
        "/enrollment/screening/new/",
        "/enrollment/screenings/",
        "/enrollment/participants/",
        f"/enrollment/participants/{participants[0].pk}/",
        f"/enrollment/participants/{participants[0].pk}/withdraw/",
        f"/enrollment/screening/{screening.pk}/",
        "/enrollment/flow/",
        "/enrollment/allocation-list/",
        "/enrollment/study/",
    ]
    for path in paths:
        assert page.goto(f"{live_server.url}{path}").status == 200, path
        assert overflowing(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path


def test_the_masked_flow_fits_a_phone_and_counts_follow_up_for_all_arms(live_server, page, login, cast, study):
    demo.seed_participants(study, 6, seed=2)
    StudyControl.objects.update_or_create(study=study, defaults={"outcome_masking": True})
    login(page, "investigator")
    assert page.goto(f"{live_server.url}/enrollment/flow/").status == 200
    assert page.locator("[data-testid=flow-pooled] [data-testid=flow-withdrawn]").count() == 1
    assert page.locator("[data-testid^=flow-arm-] [data-testid=flow-withdrawn]").count() == 0
    assert page.locator("[data-testid=flow-pooled-note]").inner_text().startswith("Dihitung untuk semua kelompok")
    assert overflowing(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
