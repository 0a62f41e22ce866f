"""In a real browser at 360 px: the dashboard updates by itself when an observation is saved elsewhere."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from observations.models import Observation
from tests.analysis.conftest import fields_for_score


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_updates_without_reload_when_an_observation_is_saved(
    live_server, page, login, cast, known_dataset, enrol_with_scores, arm_moringa
):
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append((message.text, message.location))
            if message.type == "error" and "favicon" not in str(message.location)
            else None
        ),
    )
    login(page, "investigator")
    page.goto(f"{live_server.url}/analysis/")
    sha = page.get_by_test_id("data-sha")
    before = sha.inner_text()
    expect(page.get_by_test_id("desc-moringa-pre-n")).to_have_text("6")
    page.evaluate("window.__notReloaded = true")

    # Another session records day 7 of a new participant (day 1 first): she becomes a complete case.
    participant = enrol_with_scores(arm_moringa, "M-07", {1: 1})
    Observation.objects.create(
        participant=participant,
        day=7,
        observed_on=participant.intervention_start + timedelta(days=6),
        **fields_for_score(5),
    )

    expect(page.get_by_test_id("desc-moringa-pre-n")).to_have_text("7", timeout=15_000)
    assert sha.inner_text() != before
    assert page.evaluate("window.__notReloaded") is True
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    assert page.get_by_test_id("daily-chart").bounding_box()["height"] > 100
    assert not errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_coordinator_masks_outcomes_from_the_dashboard_on_a_phone(live_server, page, login, cast, known_dataset):
    login(page, "coordinator")
    page.goto(f"{live_server.url}/analysis/")
    page.get_by_test_id("settings-panel").locator("summary").click()
    form = page.get_by_test_id("settings-mask")
    form.locator("input[name=reason]").fill("Blinded until database lock")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("masking-state")).to_have_text("Hasil disamarkan bagi peneliti")
    expect(page.get_by_test_id("wilcoxon-table")).to_be_visible()  # coordinators still see results by arm
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
