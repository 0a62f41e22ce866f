"""In a real browser at 360 px, in Indonesian: the investigator changes, locks and amends the plan."""

import pytest
from playwright.sync_api import expect

from analysis.models import AnalysisPlan
from tests.browser import fits_the_screen, overflowing, watch_csp_errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_investigator_locks_then_amends_the_plan_on_a_phone(live_server, page, login, cast, study):
    csp_errors = watch_csp_errors(page)
    login(page, "investigator")
    page.goto(f"{live_server.url}/analysis/plan/")
    expect(page.get_by_test_id("plan-status")).to_contain_text("rencana bawaan desain")
    assert fits_the_screen(page), overflowing(page)

    page.get_by_test_id("plan-role_ancova_post").select_option("secondary")
    page.get_by_test_id("plan-lock").click()
    expect(page.get_by_test_id("error-reason")).to_be_visible()  # locking needs a reason
    assert not AnalysisPlan.objects.exists()

    page.get_by_test_id("plan-reason").fill("Ditetapkan sebelum hasil per kelompok dilihat")
    page.get_by_test_id("plan-lock").click()
    expect(page.get_by_test_id("plan-status")).to_have_attribute("data-locked", "true")
    assert AnalysisPlan.objects.get().roles["ancova_post"] == "secondary"

    page.get_by_test_id("plan-multiplicity").select_option("none")
    page.get_by_test_id("plan-reason").fill("Luaran sekunder hanya deskriptif")
    page.get_by_test_id("plan-amend").click()
    expect(page.get_by_test_id("plan-version-2")).to_contain_text("Luaran sekunder hanya deskriptif")
    assert [plan.multiplicity for plan in AnalysisPlan.objects.order_by("version")] == ["holm", "none"]
    assert fits_the_screen(page), overflowing(page)
    assert not csp_errors
