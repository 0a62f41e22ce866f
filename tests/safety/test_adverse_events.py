"""Adverse events: rules, follow-up versions, the serious-event alert and its clock, and the audit promises."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.utils import timezone, translation

from enrollment.deidentify import pseudonyms
from observations.safety import adverse_events
from observations.safety.adverse_events import adverse_event_errors
from observations.safety.alerts import open_alerts_for
from observations.safety.models import AdverseEvent
from trialsite import audit

pytestmark = pytest.mark.django_db


def test_a_mild_event_is_saved_without_an_alert(make_event, participant, coordinator):
    event = make_event(participant)
    assert not event.serious
    assert event.serious_since is None
    assert event.version == 1
    assert list(open_alerts_for(coordinator)) == []


def test_a_serious_event_starts_a_24_hour_clock_and_alerts(
    participant, midwife_srp1, serious_values, investigator, coordinator, django_capture_on_commit_callbacks
):
    investigator.email, coordinator.email = "inv@example.org", "coord@example.org"
    investigator.save(), coordinator.save()
    with django_capture_on_commit_callbacks(execute=True):
        event = adverse_events.record_adverse_event(participant=participant, values=serious_values, by=midwife_srp1)
    assert event.serious
    assert event.report_due_at - event.serious_since == timedelta(hours=24)
    assert list(open_alerts_for(investigator)) == [event]
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {"inv@example.org", "coord@example.org"}
    assert (
        pseudonyms(participant.study.slug, [participant.participant_id])[participant.participant_id]
        in mail.outbox[0].subject
    )
    assert participant.participant_id not in mail.outbox[0].subject + mail.outbox[0].body


def test_the_alert_mail_names_no_identifier(
    participant, midwife_srp1, serious_values, investigator, django_capture_on_commit_callbacks
):
    participant.full_name, participant.phone = "Siti Rahayu", "081234567890"
    participant.save()
    investigator.email = "inv@example.org"
    investigator.save()
    with django_capture_on_commit_callbacks(execute=True):
        adverse_events.record_adverse_event(participant=participant, values=serious_values, by=midwife_srp1)
    text = mail.outbox[0].subject + mail.outbox[0].body
    assert "Siti" not in text
    assert "0812" not in text


def test_a_follow_up_that_makes_the_event_serious_starts_the_clock(make_event, participant, midwife_srp1, ae_values):
    event = make_event(participant)
    saved = adverse_events.follow_up_adverse_event(
        event=event, values=ae_values(serious_hospitalisation=True), by=midwife_srp1,
        reason="Admitted to hospital", expected_version=1,
    )  # fmt: skip
    assert saved.serious
    assert saved.serious_since is not None
    assert saved.version == 2


def test_follow_ups_are_kept_as_versions_with_their_reason(make_event, participant, midwife_srp1, ae_values, today):
    event = make_event(participant)
    adverse_events.follow_up_adverse_event(
        event=event, values=ae_values(outcome="recovered", resolution_date=today), by=midwife_srp1,
        reason="Recovered at the home visit", expected_version=1,
    )  # fmt: skip
    with translation.override("en"):
        history = audit.history_for(event)
        outcome = next(c for c in history[1].changes if c.field == "outcome")
        assert (str(outcome.old), str(outcome.new)) == ("Recovering", "Recovered")
    assert [entry.reason for entry in history][1:] == ["Recovered at the home visit"]


def test_a_follow_up_needs_a_reason_and_the_current_version(make_event, participant, midwife_srp1, ae_values):
    event = make_event(participant)
    with pytest.raises(ValidationError) as no_reason:
        adverse_events.follow_up_adverse_event(
            event=event, values=ae_values(), by=midwife_srp1, reason=" ", expected_version=1
        )
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError):
        adverse_events.follow_up_adverse_event(
            event=event, values=ae_values(), by=midwife_srp1, reason="x", expected_version=7
        )
    assert AdverseEvent.objects.get(pk=event.pk).version == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"onset_date": timezone.localdate() + timedelta(days=1)}, "onset_date"),
        ({"term": "other", "term_other": ""}, "term_other"),
        ({"term": "infant_jaundice", "subject": "mother"}, "subject"),
        ({"term": "mastitis", "subject": "infant"}, "subject"),
        ({"outcome": "recovered", "resolution_date": None}, "resolution_date"),
        ({"outcome": "ongoing", "resolution_date": timezone.localdate()}, "resolution_date"),
        ({"serious_death": True, "outcome": "ongoing"}, "outcome"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(participant, midwife_srp1, ae_values, changes, field):
    with pytest.raises(ValidationError) as error:
        adverse_events.record_adverse_event(participant=participant, values=ae_values(**changes), by=midwife_srp1)
    assert field in error.value.message_dict
    assert not AdverseEvent.objects.exists()


def test_rules_are_pure_and_report_every_error_at_once(today):
    errors = adverse_event_errors(
        {"onset_date": today + timedelta(days=2), "term": "other", "outcome": "recovered"},
        enrolled_on=today, today=today,
    )  # fmt: skip
    assert {"onset_date", "term_other", "resolution_date"} <= set(errors)


def test_investigators_and_monitors_do_not_enter_events(participant, ae_values, investigator, monitor):
    for user in (investigator, monitor):
        with pytest.raises(PermissionDenied):
            adverse_events.record_adverse_event(participant=participant, values=ae_values(), by=user)


def test_acknowledge_then_report_stops_the_alert(participant, midwife_srp1, serious_values, investigator):
    event = adverse_events.record_adverse_event(participant=participant, values=serious_values, by=midwife_srp1)
    event = adverse_events.acknowledge_adverse_event(event=event, by=investigator)
    assert event.acknowledged_by == investigator
    assert list(open_alerts_for(investigator)) == [event]
    with pytest.raises(ValidationError):
        adverse_events.report_adverse_event(event=event, by=investigator, reference=" ")
    event = adverse_events.report_adverse_event(event=event, by=investigator, reference="KEPK-2026-014")
    assert event.report_reference == "KEPK-2026-014"
    assert list(open_alerts_for(investigator)) == []


def test_midwives_cannot_acknowledge(participant, midwife_srp1, serious_values):
    event = adverse_events.record_adverse_event(participant=participant, values=serious_values, by=midwife_srp1)
    with pytest.raises(PermissionDenied):
        adverse_events.acknowledge_adverse_event(event=event, by=midwife_srp1)


def test_the_database_refuses_to_delete_an_event(make_event, participant):
    event = make_event(participant)
    with (
        pytest.raises(ProgrammingError, match=r"Cannot delete|permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM safety_adverseevent WHERE id = %s", [event.pk])
    assert AdverseEvent.objects.filter(pk=event.pk).exists()


def test_the_database_refuses_a_serious_flag_without_a_criterion(make_event, participant):
    event = make_event(participant)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE safety_adverseevent SET serious = true, serious_since = now() WHERE id = %s", [event.pk])


def test_an_update_in_psql_lands_in_the_trail(make_event, participant):
    event = make_event(participant)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE safety_adverseevent SET severity = 'severe' WHERE id = %s", [event.pk])
    assert len(audit.history_for(event)) == 2
