"""The analysis plan page: coordinators and investigators write, lock and amend; others are refused."""

import pytest
from django.urls import reverse

from analysis import plans
from analysis.models import AnalysisPlan
from analysis.sap import DEFAULT_ROLES, PlannedAnalysis

from .conftest import cells_by_testid

URL = reverse("analysis:plan")


def form_data(action="save", reason="", **changes) -> dict:
    data = {f"role_{key}": str(role) for key, role in DEFAULT_ROLES.items()}
    data |= {"population": "complete_cases", "sensitivity_population": "per_protocol", "multiplicity": "holm"}
    return data | {"notes": "", "reason": reason, "action": action} | changes


@pytest.mark.parametrize("username", ["coordinator", "investigator"])
def test_coordinator_and_investigator_see_the_default_plan_not_locked(study, client_for, username):
    client = client_for(username)
    client.cookies["django_language"] = "en"
    response = client.get(URL)
    assert response.status_code == 200
    shown = cells_by_testid(response.content.decode())
    assert "default plan" in shown["plan-status"]
    assert 'data-locked="false"' in response.content.decode()


@pytest.mark.parametrize("username", ["midwife.srp1", "outsider"])
def test_midwives_and_people_without_a_role_are_refused(study, client_for, username):
    assert client_for(username).get(URL).status_code == 403
    assert client_for(username).post(URL, form_data(action="lock", reason="x")).status_code == 403
    assert not AnalysisPlan.objects.exists()


def test_anonymous_is_sent_to_sign_in(study, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_study_the_user_cannot_see_is_404(study, client_for):
    assert client_for("investigator").get(URL, {"study": "no-such-study"}).status_code == 404


def test_the_investigator_saves_a_draft_then_locks_it(study, client_for, investigator):
    client = client_for("investigator")
    response = client.post(URL, form_data(multiplicity="none"))
    assert response.status_code == 302
    assert AnalysisPlan.objects.get(study=study).multiplicity == "none"
    client.post(URL, form_data(action="lock", reason="Before unmasking", multiplicity="none"))
    plan = AnalysisPlan.objects.get(study=study)
    assert plan.is_locked
    assert plan.locked_by == investigator
    page = client.get(URL).content.decode()
    assert 'data-locked="true"' in page
    assert 'data-testid="plan-amend"' in page
    assert 'data-testid="plan-lock"' not in page


def test_locking_without_a_reason_is_refused_and_writes_nothing(study, client_for):
    response = client_for("coordinator").post(URL, form_data(action="lock"))
    assert response.status_code == 400
    assert "error-reason" in cells_by_testid(response.content.decode())
    assert not AnalysisPlan.objects.exists()


def test_a_plan_without_primary_analysis_is_refused_with_the_reason_shown(study, client_for):
    roles = {f"role_{key}": "secondary" for key in PlannedAnalysis.values}
    client = client_for("coordinator")
    client.cookies["django_language"] = "en"
    response = client.post(URL, form_data(**roles))
    assert response.status_code == 400
    assert "primary" in cells_by_testid(response.content.decode())["error-summary"]
    assert not AnalysisPlan.objects.exists()


def test_an_unknown_choice_is_refused(study, client_for):
    response = client_for("coordinator").post(URL, form_data(population="everyone"))
    assert response.status_code == 400
    assert not AnalysisPlan.objects.exists()


def test_a_locked_plan_is_changed_only_by_an_amendment_with_reason(study, client_for, coordinator):
    plans.lock_plan(study=study, by=coordinator, reason="Fixed")
    client = client_for("coordinator")
    assert client.post(URL, form_data(action="save", multiplicity="none")).status_code == 400
    assert client.post(URL, form_data(action="amend", multiplicity="none")).status_code == 400
    assert AnalysisPlan.objects.filter(study=study).count() == 1
    assert client.post(URL, form_data(action="amend", reason="Fewer tests", multiplicity="none")).status_code == 302
    page = client.get(URL).content.decode()
    shown = cells_by_testid(page)
    assert shown["amendment-reason"] == "Fewer tests"
    assert "plan-version-2" in shown
    assert "plan-history" in shown


def test_the_page_is_in_indonesian(study, client_for):
    client = client_for("investigator")
    client.cookies["django_language"] = "id"
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Rencana analisis statistik" in page


def test_the_coordinators_panel_says_unmasking_waits_for_the_plan(known_dataset, masked_study, client_for, coordinator):
    client = client_for("coordinator")
    assert "settings-plan-needed" in cells_by_testid(client.get(reverse("analysis:dashboard")).content.decode())
    plans.lock_plan(study=masked_study, by=coordinator, reason="Fixed")
    assert "settings-plan-needed" not in cells_by_testid(client.get(reverse("analysis:dashboard")).content.decode())


def test_unmasking_through_the_page_is_refused_without_a_locked_plan(known_dataset, masked_study, client_for):
    client = client_for("coordinator")
    client.cookies["django_language"] = "en"
    response = client.post(reverse("analysis:settings_action"), {"action": "unmask", "reason": "Peek"}, follow=True)
    assert "analysis plan is locked" in response.content.decode()
    masked_study.refresh_from_db()
    assert masked_study.control.outcome_masking is True
