"""The rough edges of the midwife's and the verifier's journeys, on a 360-px phone in Indonesian."""

import pytest

from observations import services
from observations.models import Observation
from tests.browser import fits_the_screen, watch_csp_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IN_VIEW_JS = """el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; }"""
FOCUSED_JS = """el => el === document.activeElement || el.contains(document.activeElement)"""


def test_a_correction_without_a_reason_shows_its_error_on_top_focused(page, live_server, login, participant, record):
    csp_errors = watch_csp_errors(page)
    record(participant, 1)
    login(page, "midwife.srp1")
    page.goto(f"{live_server.url}/observations/participant/{participant.pk}/day/1/")
    page.fill("input[name=feeds_24h]", "13")
    page.click("[data-testid=save]")  # kept on the phone first, then posted: wait for the answer, not for quiet
    summary = page.locator("[data-testid=error-summary]")
    summary.wait_for()
    assert "Alasan perubahan" in summary.inner_text()
    assert summary.evaluate(IN_VIEW_JS)
    assert summary.evaluate(FOCUSED_JS)
    summary.locator("a[href='#id_reason']").click()
    assert page.evaluate("document.activeElement.name") == "reason"
    assert fits_the_screen(page)
    assert csp_errors == []
    assert Observation.objects.get().feeds_24h == 10


def test_the_midwife_lands_on_today_after_signing_in(page, live_server, login, participant):
    login(page, "midwife.srp1")
    assert page.url.endswith("/observations/today/")


def test_a_verified_day_reads_as_verified_on_the_phone(page, live_server, login, participant, record, coordinator):
    observation = record(participant, 1)
    services.verify_observations(observations=Observation.objects.filter(pk=observation.pk), by=coordinator)
    login(page, "midwife.srp1")
    page.goto(f"{live_server.url}/observations/participant/{participant.pk}/day/1/")
    notice = page.locator("[data-testid=verified-day]").inner_text()
    assert "coordinator" in notice
    assert "koordinator" in notice.lower()
    assert page.locator("input[name=feeds_24h]").count() == 0
    assert fits_the_screen(page)


def test_the_unlock_reason_box_is_wide_enough_to_type_in(page, live_server, login, participant, record, coordinator):
    observation = record(participant, 1)
    services.verify_observations(observations=Observation.objects.filter(pk=observation.pk), by=coordinator)
    login(page, "coordinator")
    page.goto(f"{live_server.url}/observations/participant/{participant.pk}/")
    box = page.locator("[data-testid=unlock-1] textarea[name=reason]")
    assert box.bounding_box()["width"] >= 240
    assert fits_the_screen(page)


def test_the_verification_queue_on_the_phone(page, live_server, login, participant, record):
    record(participant, 1)
    login(page, "coordinator")
    page.goto(f"{live_server.url}/observations/verification/")
    assert page.locator("[data-testid=queue-day]").count() == 1
    assert fits_the_screen(page)
    page.click("[data-testid=queue-day] [data-testid=queue-verify]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/observations/verification/")
    assert page.locator("[data-testid=queue-day]").count() == 0
    assert Observation.objects.get().is_locked
