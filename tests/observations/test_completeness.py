"""One completeness definition: the coordinator's page, the dashboard and the API agree per site and day.

Days due today count as expected (observations/completeness.py); a recorded day that is not
expected (entered ahead of its date, or marked missing after she left) is not counted. Besides
fixed cases, hypothesis builds studies (tests/studies.py) whose participants started on different
days up to today, left on random days and have missing and out-of-window days, and every channel
is checked against the others and against the plan.
"""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings

from analysis.dashboard import dashboard_bundle
from observations.models import Observation
from tests.studies import EVERY_KIND, Cast, build_study, study_plans

CELL = re.compile(r'data-testid="completeness-(\w+)-(\d+)"[^>]*>\s*(\d+)/(\d+)')


def _cells_in(html: str) -> dict:
    """(site, day) -> (recorded, expected) for the cells with something expected (others show a dash)."""
    cells = {(site, int(day)): (int(done), int(expected)) for site, day, done, expected in CELL.findall(html)}
    return {key: value for key, value in cells.items() if value[1]}


def _page_cells(client) -> dict:
    return _cells_in(client.get(reverse("observations:completeness")).content.decode())


def _dashboard_cells(client) -> dict:
    return _cells_in(client.get(reverse("analysis:dashboard")).content.decode())


def _api_cells(client) -> dict:
    sites = client.get("/api/v1/completeness/").json()["sites"]
    return {
        (site["code"], cell["day"]): (cell["entered"] + cell["missing"], cell["expected"])
        for site in sites
        for cell in site["days"]
        if cell["expected"]
    }


@pytest.fixture
def mixed_study(make_participant, record, site_par, today, cast):
    """Days due today not entered, one entered today, a withdrawal with a later day marked missing."""
    due_today = make_participant(site=site_par, start=today - timedelta(days=5))  # day 6 due today
    for day in range(1, 6):
        record(due_today, day)
    done_today = make_participant(site=site_par, start=today - timedelta(days=5))
    for day in range(1, 7):
        record(done_today, day)
    gone = make_participant(start=today - timedelta(days=4))
    record(gone, 1)
    gone.status, gone.status_date, gone.status_reason = "withdrawn", gone.intervention_start, "moved"
    gone.save()
    return due_today


def test_a_day_due_today_counts_on_the_page_the_dashboard_and_the_api(mixed_study, client_for):
    page = _page_cells(client_for("coordinator"))
    assert page[("PAR", 6)] == (1, 2)
    assert page == _dashboard_cells(client_for("coordinator")) == _api_cells(client_for("coordinator"))


def test_a_day_after_withdrawal_is_not_expected_anywhere(mixed_study, client_for):
    cells = _api_cells(client_for("coordinator"))
    assert cells[("SRP1", 1)] == (1, 1)
    assert ("SRP1", 2) not in cells


def test_the_api_names_its_definition(mixed_study, client_for):
    body = client_for("investigator").get("/api/v1/completeness/").json()
    assert body["definition"] == "expected_by_end_of_today"


def test_midwives_may_not_read_completeness_from_the_api(mixed_study, client_for):
    assert client_for("midwife.par").get("/api/v1/completeness/").status_code == 403


def test_outsiders_and_strangers_get_no_completeness(mixed_study, client_for, client):
    assert client_for("outsider").get("/api/v1/completeness/").status_code == 403
    assert client.get("/api/v1/completeness/").status_code in (401, 403)


def test_dashboard_bundle_uses_the_same_cells(mixed_study, study, client_for):
    bundle = dashboard_bundle(study, population="complete_cases", masked=False)
    flat = {(s.code, c.day): (c.recorded, c.expected) for s in bundle["completeness"] for c in s.days if c.expected}
    assert flat == _api_cells(client_for("coordinator"))


# Few examples, always the same ones: each builds a study through the services and reads three pages.
GENERATED = settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _planned_cells(participants, today) -> dict:
    """(site, day) -> (recorded, expected), worked out here from the participants' dates and their rows."""
    cells: dict = {}
    recorded = set(Observation.objects.values_list("participant_id", "day"))
    for p in participants:
        p.refresh_from_db()
        left_on = p.status_date if p.status in ("withdrawn", "lost_to_follow_up") else None
        for day in range(1, 8):
            target = p.intervention_start + timedelta(days=day - 1)
            if target > today or (left_on is not None and left_on < target):
                continue
            done, expected = cells.get((p.site.code, day), (0, 0))
            cells[(p.site.code, day)] = (done + ((p.pk, day) in recorded), expected + 1)
    return cells


def test_page_dashboard_and_api_agree_on_generated_studies(study, coordinator, client_for, today):
    client = client_for("coordinator")
    at = Cast(study=study, by=coordinator, latest_start=today)

    @GENERATED
    @given(plan=study_plans)
    @example(plan=EVERY_KIND)
    def check(plan):
        with transaction.atomic():
            participants = build_study(plan, at)
            cache.clear()
            api = _api_cells(client)
            assert _page_cells(client) == _dashboard_cells(client) == api
            assert api == _planned_cells(participants, today)
            transaction.set_rollback(True)

    check()
