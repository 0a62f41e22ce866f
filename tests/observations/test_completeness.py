"""One completeness definition: the coordinator's page, the dashboard and the API agree per site and day.

Days due today count as expected (observations/completeness.py); a recorded day that is not
expected (entered ahead of its date, or marked missing after she left) is not counted.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from analysis.dashboard import dashboard_bundle

CELL = re.compile(r'data-testid="completeness-(\w+)-(\d+)">\s*(\d+)/(\d+)')


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
