"""A midwife on a 360-px phone, in Indonesian, enters a serious adverse event; the investigator sees it on refresh."""

from datetime import timedelta

import pytest

from enrollment.deidentify import pseudonyms
from observations.safety.models import AdverseEvent
from tests.browser import fits_the_screen, watch_csp_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_serious_event_reaches_the_investigator_within_one_refresh(
    page, browser, browser_context_args, live_server, login, participant, today
):
    investigator = browser.new_context(**browser_context_args).new_page()
    login(investigator, "investigator")
    assert investigator.locator("[data-testid=sae-badge]").count() == 0

    csp_errors = watch_csp_errors(page)
    login(page, "midwife.srp1")
    page.goto(f"{live_server.url}/observations/participant/{participant.pk}/")
    page.click("[data-testid=ae-new]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Kejadian tidak diinginkan baru"
    assert fits_the_screen(page)
    page.check("input[name=subject][value=infant]")
    page.fill("input[name=onset_date]", (today - timedelta(days=1)).isoformat())
    page.select_option("select[name=term]", "infant_jaundice")
    page.check("input[name=severity][value=severe]")
    page.check("input[name=serious_hospitalisation]")
    page.select_option("select[name=relatedness]", "unlikely")
    page.select_option("select[name=expectedness]", "expected")
    page.select_option("select[name=action_taken]", "referred")
    page.select_option("select[name=outcome]", "ongoing")
    page.fill("textarea[name=description]", "Bayi kuning, dirujuk ke RSUD")
    page.click("[data-testid=save]")
    page.wait_for_load_state("networkidle")
    assert "Serius: peneliti dan koordinator sudah diberi tahu." in page.content()
    assert "Laporkan dalam" in page.locator("[data-testid=sae-clock]").inner_text()
    assert fits_the_screen(page)
    assert csp_errors == []
    event = AdverseEvent.objects.get()
    assert event.serious
    assert event.created_by.username == "midwife.srp1"

    investigator.reload()
    investigator.wait_for_load_state("networkidle")
    investigator.click("[data-testid=sae-badge]")
    investigator.wait_for_load_state("networkidle")
    pseudonym = pseudonyms(participant.study.slug, [participant.participant_id])[participant.participant_id]
    alert = investigator.locator("[data-testid=sae-alert]", has_text=pseudonym)  # de-identified, as her export
    assert "Bayi kuning (ikterus)" in alert.inner_text()
    assert participant.participant_id not in investigator.content()
    clock = alert.locator("[data-testid=sae-clock]").inner_text()
    assert "Laporkan dalam 23 jam" in clock or "Laporkan dalam 24 jam" in clock
    assert fits_the_screen(investigator)
