"""The adverse-event summary on the dashboard: by arm, pooled while outcomes are masked for the viewer."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analysis import masking, plans
from enrollment.models import Participant
from observations.safety import adverse_events
from observations.safety.summary import ae_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(study, site_srp1, arm_moringa, arm_massage, midwife_srp1):
    start = timezone.localdate() - timedelta(days=3)

    def person(pid, arm):
        return Participant.objects.create(
            study=study, site=site_srp1, arm=arm, participant_id=pid, enrolled_on=start, intervention_start=start
        )

    base = {
        "subject": "mother", "onset_date": start, "term": "mastitis", "severity": "moderate",
        "relatedness": "possible", "expectedness": "expected", "action_taken": "treatment", "outcome": "recovering",
    }  # fmt: skip
    moringa, massage = person("SRP1-901", arm_moringa), person("SRP1-902", arm_massage)
    for p, severity in ((moringa, "moderate"), (moringa, "severe"), (massage, "mild")):
        adverse_events.record_adverse_event(participant=p, values=base | {"severity": severity}, by=midwife_srp1)
    person("SRP1-903", arm_massage)


def test_by_arm_counts_mothers_not_events(events, study):
    summary = ae_summary(study, masked=False)
    groups = {g["code"]: g for g in summary["groups"]}
    assert (groups["moringa"]["n"], groups["moringa"]["any"]) == (1, 1)
    assert (groups["oxytocin_massage"]["n"], groups["oxytocin_massage"]["any"]) == (2, 1)
    mastitis = summary["terms"][0]["cells"]
    assert [c["any"] for c in mastitis] == [1, 1]
    assert (mastitis[0]["moderate"], mastitis[0]["severe"], mastitis[1]["mild"]) == (1, 1, 1)


def test_masked_summary_is_pooled(events, study):
    summary = ae_summary(study, masked=True)
    assert [g["code"] for g in summary["groups"]] == ["all"]
    assert (summary["groups"][0]["n"], summary["groups"][0]["any"]) == (3, 2)
    assert [c["any"] for c in summary["terms"][0]["cells"]] == [2]


def test_the_masked_investigator_sees_no_arm_in_the_safety_section(events, study, coordinator, client_for):
    masking.set_outcome_masking(study=study, masked=True, by=coordinator, reason="Blinded until lock")
    page = client_for("investigator").get(reverse("analysis:dashboard")).content.decode()
    section = page[page.index('data-testid="safety-section"') :]
    assert 'data-testid="ae-pooled"' in section
    for arm in study.arms.all():
        assert arm.label not in section
    assert section.count('data-testid="ae-any"') == 1


def test_the_coordinator_sees_the_summary_by_arm(events, study, coordinator, client_for):
    masking.set_outcome_masking(study=study, masked=True, by=coordinator, reason="Blinded until lock")
    page = client_for("coordinator").get(reverse("analysis:dashboard")).content.decode()
    section = page[page.index('data-testid="safety-section"') :]
    assert section.count('data-testid="ae-any"') == 2
    assert 'data-testid="ae-pooled"' not in section


def test_locking_unmasks_the_summary_for_the_investigator(events, study, coordinator, client_for):
    masking.set_outcome_masking(study=study, masked=True, by=coordinator, reason="Blinded until lock")
    plans.lock_plan(study=study, by=coordinator, reason="Plan fixed before unmasking")
    masking.lock_database(study=study, by=coordinator, reason="Final analysis")
    page = client_for("investigator").get(reverse("analysis:dashboard")).content.decode()
    assert page[page.index('data-testid="safety-section"') :].count('data-testid="ae-any"') == 2
