"""On a 360-px phone in Indonesian: the coordinator locks the study; the midwife's Today and day form say so."""

import pytest

from enrollment.models import StudyControl
from observations.models import Observation
from tests.browser import fits_the_screen, overflowing, watch_csp_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def settings_action(page, action: str, reason: str) -> None:
    page.click("[data-testid=settings-panel] summary")
    form = page.locator(f"[data-testid=settings-{action}]")
    form.locator("input[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_a_locked_study_shows_its_lock_instead_of_a_form(page, browser, browser_context_args, live_server, login,
                                                          participant, record):  # fmt: skip
    record(participant, 1)
    coordinator = browser.new_context(**browser_context_args).new_page()
    login(coordinator, "coordinator")
    coordinator.goto(f"{live_server.url}/analysis/")
    coordinator.wait_for_load_state("networkidle")
    assert coordinator.locator("[data-testid=lock-banner]").get_attribute("data-locked") == "false"
    settings_action(coordinator, "lock", "Peserta terakhir selesai hari ke-7")
    banner = coordinator.locator("[data-testid=lock-banner]")
    assert banner.get_attribute("data-locked") == "true"
    assert "Basis data terkunci" in banner.inner_text()
    assert "oleh coordinator" in banner.inner_text()
    assert fits_the_screen(coordinator), overflowing(coordinator)

    csp_errors = watch_csp_errors(page)
    login(page, "midwife.srp1")
    page.goto(f"{live_server.url}/observations/today/")
    notice = page.locator("[data-testid=study-locked]")
    assert "Studi terkunci" in notice.inner_text()
    assert "oleh coordinator" in notice.inner_text()
    assert fits_the_screen(page), overflowing(page)
    page.goto(f"{live_server.url}/observations/participant/{participant.pk}/day/2/")
    assert "Studi terkunci" in page.locator("[data-testid=study-locked]").inner_text()
    assert page.locator("[data-testid=observation-form]").count() == 0
    assert fits_the_screen(page), overflowing(page)
    assert csp_errors == []

    settings_action(coordinator, "unlock", "Koreksi terlambat SRP1-001")
    assert coordinator.locator("[data-testid=lock-banner]").get_attribute("data-locked") == "false"
    assert not StudyControl.objects.get().is_locked
    page.reload()
    assert page.locator("[data-testid=study-locked]").count() == 0
    assert page.locator("[data-testid=observation-form]").count() == 1
    assert Observation.objects.count() == 1
