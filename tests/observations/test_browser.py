"""A midwife on a 360-px phone, in Indonesian: Today → day 1 → back to Today → correction with a reason."""

from datetime import timedelta

import pytest

from observations.models import Observation
from tests.browser import fits_the_screen, watch_csp_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_midwife_enters_day_1_corrects_it_and_sees_the_change(page, live_server, login, participant, today):
    csp_errors = watch_csp_errors(page)
    login(page, "midwife.srp1")
    page.goto(f"{live_server.url}/observations/today/")
    assert page.locator("h1").inner_text().startswith("Hari ini")
    assert fits_the_screen(page)

    page.locator("[data-testid=worklist-overdue] a", has_text=participant.participant_id).first.click()
    page.wait_for_load_state("networkidle")
    assert "Frekuensi menyusui dalam 24 jam" in page.content()
    page.fill("input[name=observed_on]", participant.intervention_start.isoformat())
    page.fill("input[name=feeds_24h]", "10")
    page.fill("input[name=wet_diapers_24h]", "7")
    page.fill("input[name=sleep_after_feed_hours]", "2.5")
    page.check("input[name=breast_full_then_soft][value=yes]")
    page.check("input[name=adherence][value=yes]")
    assert page.locator("[data-score-value]").inner_text() == "5"
    assert fits_the_screen(page)
    page.click("[data-testid=save]")  # the phone keeps a copy of a first entry, then posts it (docs/offline.md)
    page.wait_for_url("**/observations/today/")  # back to the worklist after a save
    assert "Hari ke-1 tersimpan" in page.locator(".alert-success").inner_text()
    page.goto(f"{live_server.url}/observations/participant/{participant.pk}/")
    assert page.locator("[data-testid=score-1]").inner_text() == "5"

    page.click("[data-testid=edit-1]")
    page.wait_for_load_state("networkidle")
    assert "Alasan perubahan" in page.content()
    page.fill("input[name=feeds_24h]", "13")
    assert page.locator("[data-score-value]").inner_text() == "4"
    page.fill("textarea[name=reason]", "Salah hitung frekuensi menyusui")
    page.click("[data-testid=save]")  # a correction too is kept on the phone first, then posted
    page.wait_for_url("**/observations/today/")
    page.goto(f"{live_server.url}/observations/participant/{participant.pk}/")

    assert page.locator("[data-testid=score-1]").inner_text() == "4"
    latest = page.locator("[data-testid=history-entry]").first
    assert "Salah hitung frekuensi menyusui" in latest.inner_text()
    assert "Riwayat perubahan" in page.content()
    row = latest.locator("tr", has_text="frekuensi menyusui dalam 24 jam")
    assert row.locator("td").nth(1).inner_text() == "10"
    assert row.locator("td").nth(2).inner_text() == "13"
    assert fits_the_screen(page)
    assert csp_errors == []
    assert Observation.objects.get().version == 2


def test_choosing_missing_hides_the_measurements(page, live_server, login, participant):
    login(page, "midwife.srp1")
    page.goto(f"{live_server.url}/observations/participant/{participant.pk}/day/2/")
    assert page.locator("input[name=feeds_24h]").is_visible()
    page.select_option("select[name=missing_reason]", "unreachable")
    assert not page.locator("input[name=feeds_24h]").is_visible()
    page.click("[data-testid=save]")
    page.wait_for_url("**/observations/today/")
    assert Observation.objects.get().missing_reason == "unreachable"
    page.goto(f"{live_server.url}/observations/participant/{participant.pk}/")
    assert "Tidak diobservasi" in page.locator("[data-testid=day-2]").inner_text()


def test_coordinator_timeline_draws_the_chart(page, live_server, login, participant, record, today):
    record(participant, 1)
    record(participant, 2, feeds_24h=7)
    login(page, "coordinator")
    page.goto(f"{live_server.url}/observations/participant/{participant.pk}/")
    page.wait_for_function("window.Chart && Chart.getChart(document.getElementById('score-chart'))")
    points = page.evaluate("Chart.getChart(document.getElementById('score-chart')).data.datasets[0].data")
    assert points[:2] == [5, 4]
    assert today - timedelta(days=3) == participant.intervention_start
