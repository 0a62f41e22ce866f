"""Flow counts and baseline table on a known dataset."""

from datetime import timedelta

import pytest
from django.urls import reverse

from enrollment import reports, services

from .conftest import ELIGIBLE_ANSWERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_dataset(screen, enroll, site_srp1, site_par, midwife_srp1, midwife_par, arm_moringa, arm_massage):
    """5 screened: 2 ineligible (breast disorder; breast disorder + drugs), 3 enrolled.

    moringa: SRP1-001 completed, PAR-001 withdrawn ("Moved away"); massage: SRP1-002 active.
    One eligible screening is never enrolled.
    """
    screen(site_srp1, midwife_srp1, answers={**ELIGIBLE_ANSWERS, "breast_disorder": True})
    screen(site_par, midwife_par, answers={**ELIGIBLE_ANSWERS, "breast_disorder": True, "galactagogue_drugs": True})
    screen(site_par, midwife_par, name="Eligible but left")
    done = enroll(site_srp1, midwife_srp1, arm=arm_moringa, parity=1, infant_birth_weight_g=3000)
    gone = enroll(site_par, midwife_par, arm=arm_moringa)
    enroll(site_srp1, midwife_srp1, arm=arm_massage)
    services.complete_participant(participant=done, on=done.intervention_start + timedelta(days=6), by=midwife_srp1)
    services.withdraw_participant(
        participant=gone, status="withdrawn", on=gone.enrolled_on, reason="Moved away", by=midwife_par
    )


def test_flow_counts_on_a_known_dataset(known_dataset, study):
    flow = reports.flow_counts(study)
    assert (flow["screened"], flow["ineligible"], flow["eligible"]) == (6, 2, 4)
    assert flow["eligible_not_enrolled"] == 1
    assert flow["enrolled"] == 3
    assert {r["code"]: r["count"] for r in flow["ineligible_reasons"]} == {
        "breast_disorder": 2,
        "galactagogue_drugs": 1,
    }
    moringa, massage = flow["arms"]
    assert (moringa["allocated"], moringa["completed"], moringa["withdrawn"]) == (2, 1, 1)
    assert moringa["left_reasons"] == [{"status": "withdrawn", "reason": "Moved away", "count": 1}]
    assert (massage["allocated"], massage["active"]) == (1, 1)
    assert (flow["eligible_enrolled"], flow["enrolled_without_screening"]) == (3, 0)


def test_the_enrolment_flow_leaves_the_analysed_counts_to_the_analysis(known_dataset, study):
    flow = reports.flow_counts(study)
    assert "analysed" not in flow
    assert all("analysed" not in arm for arm in flow["arms"])


def test_baseline_table_per_arm_and_total(known_dataset, study):
    table = reports.baseline_table(study)
    assert [c["n"] for c in table["columns"]] == [2, 1, 3]
    rows = {str(r["label"]): r["values"] for r in table["rows"]}
    assert rows["Primiparous (parity 1), n (%)"] == ["2 (100%)", "1 (100%)", "3 (100%)"]
    assert rows["Infant birth weight (g), mean (SD)"][0] == "3050 (71)"
    assert rows["Caesarean delivery, n (%)"][2] == "0 (0%)"


def test_baseline_table_counts_a_missing_value_instead_of_dropping_it(known_dataset, study):
    study.participants.filter(arm__code="oxytocin_massage").update(infant_birth_weight_g=None)
    rows = {str(r["label"]): r["values"] for r in reports.baseline_table(study)["rows"]}
    assert rows["Infant birth weight missing, n"] == ["0", "1", "1"]
    assert rows["Age missing, n"] == ["0", "0", "0"]


def test_flow_page_draws_the_diagram_and_the_baseline_table(known_dataset, client_for):
    response = client_for("investigator").get(reverse("enrollment:flow"))
    body = response.content.decode()
    assert 'data-testid="flow-diagram"' in body
    assert 'data-testid="baseline-table"' in body
    assert response.context["flow"]["enrolled"] == 3
    assert "style=" not in body
