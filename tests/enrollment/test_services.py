"""Screening, consent, enrolment, withdrawal and the audit trail, through the services."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from enrollment import services
from enrollment.models import Allocation, Consent, Participant, ParticipantStatus, ScreeningAnswer
from trialsite.audit import history_for

from .conftest import ELIGIBLE_ANSWERS

pytestmark = pytest.mark.django_db


def test_every_screening_is_logged_with_its_failed_criteria(screen, site_srp1, midwife_srp1):
    screening = screen(site_srp1, midwife_srp1, answers={**ELIGIBLE_ANSWERS, "breast_disorder": True})
    assert not screening.eligible
    failed = ScreeningAnswer.objects.filter(screening=screening, failed=True).values_list("criterion__code", flat=True)
    assert list(failed) == ["breast_disorder"]
    assert screening.answers.count() == len(ELIGIBLE_ANSWERS)


def test_an_unanswered_criterion_is_logged_as_a_reason(screen, site_srp1, midwife_srp1):
    answers = {k: v for k, v in ELIGIBLE_ANSWERS.items() if k != "catchment_area"}
    screening = screen(site_srp1, midwife_srp1, answers=answers)
    assert not screening.eligible
    assert screening.answers.get(criterion__code="catchment_area").answer is None


def test_no_enrolment_without_consent(screen, site_srp1, midwife_srp1, arm_moringa):
    screening = screen(site_srp1, midwife_srp1)
    with pytest.raises(services.EnrollmentError, match="consent"):
        services.enroll_participant(screening=screening, by=midwife_srp1, arm=arm_moringa, rationale="r")
    assert not Participant.objects.exists()


def test_no_enrolment_of_an_ineligible_mother(screen, site_srp1, midwife_srp1, arm_moringa):
    screening = screen(site_srp1, midwife_srp1, answers={**ELIGIBLE_ANSWERS, "galactagogue_drugs": True})
    with pytest.raises(services.EnrollmentError):
        services.record_consent(
            screening=screening, consented_on=screening.screened_on, form_version="1.0", by=midwife_srp1
        )
    with pytest.raises(services.EnrollmentError, match="eligible"):
        services.enroll_participant(
            screening=screening,
            by=midwife_srp1,
            arm=arm_moringa,
            rationale="r",
            consent=services.ConsentDetails(screening.screened_on, "1.0"),
        )
    assert not Participant.objects.exists()
    assert not Consent.objects.exists()


def test_enrolment_assigns_site_prefixed_sequential_ids(enroll, site_srp1, site_par, midwife_srp1, coordinator):
    ids = [enroll(site_srp1, midwife_srp1).participant_id for _ in range(3)]
    assert ids == ["SRP1-001", "SRP1-002", "SRP1-003"]
    assert enroll(site_par, coordinator).participant_id == "PAR-001"


def test_ids_skip_numbers_taken_by_imported_participants(enroll, site_srp1, midwife_srp1, arm_moringa, study):
    today = timezone.localdate()
    Participant.objects.create(
        study=study,
        site=site_srp1,
        arm=arm_moringa,
        participant_id="SRP1-001",
        enrolled_on=today,
        intervention_start=today,
    )
    assert enroll(site_srp1, midwife_srp1).participant_id == "SRP1-002"


def test_a_screening_is_enrolled_only_once(screen, site_srp1, midwife_srp1, arm_moringa):
    screening = screen(site_srp1, midwife_srp1)
    consent = services.ConsentDetails(screening.screened_on, "1.0")
    services.enroll_participant(screening=screening, by=midwife_srp1, consent=consent, arm=arm_moringa, rationale="r")
    with pytest.raises(services.EnrollmentError, match="already"):
        services.enroll_participant(screening=screening, by=midwife_srp1, arm=arm_moringa, rationale="r")


def test_enrolment_copies_baseline_and_sets_day_1_to_the_enrolment_date(enroll, site_srp1, midwife_srp1):
    participant = enroll(site_srp1, midwife_srp1)
    assert participant.intervention_start == participant.enrolled_on == timezone.localdate()
    assert participant.parity == 1
    assert participant.infant_birth_weight_g == 3100
    assert participant.age_years == participant.enrolled_on.year - 1995 - (
        (participant.enrolled_on.month, participant.enrolled_on.day) < (3, 4)
    )
    assert participant.full_name == "Siti Aminah"


def test_assigned_allocation_needs_a_rationale(screen, site_srp1, midwife_srp1, arm_massage):
    screening = screen(site_srp1, midwife_srp1)
    consent = services.ConsentDetails(screening.screened_on, "1.0")
    with pytest.raises(services.EnrollmentError, match="why"):
        services.enroll_participant(screening=screening, by=midwife_srp1, consent=consent, arm=arm_massage)
    participant = services.enroll_participant(
        screening=screening, by=midwife_srp1, consent=consent, arm=arm_massage, rationale="Chose massage"
    )
    allocation = Allocation.objects.get(participant=participant)
    assert (allocation.arm, allocation.method, allocation.rationale) == (arm_massage, "assigned", "Chose massage")


def test_allocation_is_in_the_audit_trail_and_can_never_change(enroll, site_srp1, midwife_srp1, arm_massage):
    participant = enroll(site_srp1, midwife_srp1)
    entries = history_for(participant.allocation)
    assert len(entries) == 1
    assert entries[0].user == "midwife.srp1"
    assert {c.field for c in entries[0].changes} >= {"arm_id", "method", "rationale"}
    with pytest.raises(DatabaseError), transaction.atomic():
        Allocation.objects.filter(pk=participant.allocation.pk).update(arm=arm_massage)
    with pytest.raises(DatabaseError), transaction.atomic():
        Participant.objects.filter(pk=participant.pk).update(arm=arm_massage)


def test_withdrawal_records_date_and_reason_in_the_audit_trail(enroll, site_srp1, midwife_srp1):
    participant = enroll(site_srp1, midwife_srp1)
    on = participant.enrolled_on + timedelta(days=2)
    services.withdraw_participant(
        participant=participant, status=ParticipantStatus.WITHDRAWN, on=on, reason="Moved away", by=midwife_srp1
    )
    participant.refresh_from_db()
    assert (participant.status, participant.status_date, participant.status_reason) == ("withdrawn", on, "Moved away")
    last = history_for(participant)[-1]
    assert last.reason == "Moved away"
    assert {c.field for c in last.changes} == {"status", "status_date", "status_reason"}


def test_nothing_can_be_recorded_after_withdrawal(enroll, site_srp1, midwife_srp1):
    participant = enroll(site_srp1, midwife_srp1)
    start = participant.enrolled_on
    services.withdraw_participant(
        participant=participant,
        status=ParticipantStatus.LOST_TO_FOLLOW_UP,
        on=start + timedelta(days=2),
        reason="Unreachable",
        by=midwife_srp1,
    )
    participant.refresh_from_db()
    assert participant.is_active_on(start + timedelta(days=2))
    assert not participant.is_active_on(start + timedelta(days=3))
    assert not participant.is_active_on(start - timedelta(days=1))


def test_withdrawal_needs_a_reason_and_an_active_participant(enroll, site_srp1, midwife_srp1):
    participant = enroll(site_srp1, midwife_srp1)
    today = participant.enrolled_on
    with pytest.raises(services.EnrollmentError):
        services.withdraw_participant(
            participant=participant, status="withdrawn", on=today, reason=" ", by=midwife_srp1
        )
    services.withdraw_participant(participant=participant, status="withdrawn", on=today, reason="x", by=midwife_srp1)
    with pytest.raises(services.EnrollmentError, match="active"):
        services.withdraw_participant(
            participant=participant, status="withdrawn", on=today, reason="again", by=midwife_srp1
        )


def test_clinical_records_cannot_be_deleted(enroll, site_srp1, midwife_srp1):
    participant = enroll(site_srp1, midwife_srp1)
    with pytest.raises(DatabaseError), transaction.atomic():
        Consent.objects.filter(screening=participant.screening).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        participant.screening.answers.all().delete()
