"""The audit trail catches every change, however it is made, and cannot itself be changed."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import translation

from enrollment.models import Participant
from trialsite import audit

pytestmark = pytest.mark.django_db


def test_orm_change_is_recorded_with_old_value_new_value_and_reason(site_srp1):
    with audit.reason("Official name corrected"):
        site_srp1.name = "UPT Puskesmas Serpong 1"
        site_srp1.save(update_fields=["name"])
    last = audit.history_for(site_srp1)[-1]
    assert last.label == "update"
    assert last.reason == "Official name corrected"
    assert [(c.field, c.old, c.new) for c in last.changes] == [
        ("name", "Puskesmas Serpong 1", "UPT Puskesmas Serpong 1")
    ]


def test_raw_sql_change_outside_the_orm_is_recorded(site_par):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE enrollment_site SET name = %s WHERE id = %s", ["Renamed by SQL", site_par.pk])
    last = audit.history_for(site_par)[-1]
    assert last.user is None
    assert [(c.field, c.old, c.new) for c in last.changes] == [("name", "Puskesmas Pondok Aren", "Renamed by SQL")]


def test_change_made_in_a_request_names_the_user(site_srp1, coordinator):
    import pghistory

    with pghistory.context(user=coordinator.pk), audit.reason("typo"):
        site_srp1.name = "Serpong Satu"
        site_srp1.save(update_fields=["name"])
    assert audit.history_for(site_srp1)[-1].user == "coordinator"


@pytest.mark.parametrize(
    "statement",
    ["UPDATE enrollment_siteevent SET name = 'forged'", "DELETE FROM enrollment_siteevent"],
)
def test_database_refuses_to_change_or_delete_audit_events(site_srp1, statement):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert audit.history_for(site_srp1)[0].changes


def test_database_refuses_to_delete_a_participant(site_srp1, arm_moringa, study):
    import datetime

    p = Participant.objects.create(
        study=study,
        site=site_srp1,
        arm=arm_moringa,
        participant_id="SRP1-901",
        enrolled_on=datetime.date(2026, 1, 5),
        intervention_start=datetime.date(2026, 1, 5),
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        p.delete()
    assert Participant.objects.filter(pk=p.pk).exists()


def test_record_history_page_shows_old_and_new_values(client_for, site_srp1):
    with audit.reason("Official name corrected"):
        site_srp1.name = "UPT Puskesmas Serpong 1"
        site_srp1.save(update_fields=["name"])
    page = client_for("coordinator").get(reverse("record_history", args=["enrollment", "site", site_srp1.pk]))
    html = page.content.decode()
    assert "Puskesmas Serpong 1" in html
    assert "UPT Puskesmas Serpong 1" in html
    assert "Official name corrected" in html


def test_audit_log_lists_recent_changes(client_for, site_srp1):
    with audit.reason("visible in the log"):
        site_srp1.name = "Changed"
        site_srp1.save(update_fields=["name"])
    html = client_for("coordinator").get(reverse("audit_log")).content.decode()
    assert "visible in the log" in html


def test_history_shows_choice_labels_not_codes(site_srp1, arm_moringa, study):
    import datetime

    p = Participant.objects.create(
        study=study,
        site=site_srp1,
        arm=arm_moringa,
        participant_id="SRP1-902",
        enrolled_on=datetime.date(2026, 1, 5),
        intervention_start=datetime.date(2026, 1, 5),
    )
    with audit.reason("Moved away"):
        p.status, p.status_date, p.status_reason = "withdrawn", datetime.date(2026, 1, 7), "Moved away"
        p.save()
    status = next(c for c in audit.history_for(p)[-1].changes if c.field == "status")
    with translation.override("en"):
        assert (str(status.old), str(status.new)) == ("Active", "Withdrawn")
    with translation.override("id"):
        assert (str(status.old), str(status.new)) == ("Aktif", "Mengundurkan diri")


@pytest.fixture
def recorded_day(study, site_srp1):
    """An observation of an SRP1 participant from the demo data (seeded before the cast signs in)."""
    from django.core.management import call_command

    from observations.models import Observation

    call_command("seed_demo", participants=4, seed=3, password="x-Password-2026", verbosity=0)
    return Observation.objects.select_related("participant").filter(participant__site=site_srp1).order_by("pk").first()


def test_audit_log_names_who_the_participant_and_the_day_and_links_the_history(recorded_day, client_for, coordinator):
    import pghistory

    with pghistory.context(user=coordinator.pk), audit.reason("late entry corrected"):
        recorded_day.notes = "checked again"
        recorded_day.save(update_fields=["notes"])
    with translation.override("en"):
        row = next(r for r in audit.recent_events() if r.reason == "late entry corrected")
    assert row.user == "coordinator"
    assert row.record == "Observation"
    assert row.subject == f"{recorded_day.participant.participant_id} · day {recorded_day.day}"
    assert row.history_url == reverse("record_history", args=["observations", "observation", recorded_day.pk])
    response = client_for("coordinator").get(reverse("audit_log"))
    assert response.status_code == 200, response
    html = response.content.decode()
    assert f'href="{row.history_url}"' in html
    assert "observations.Observation #" not in html


def test_record_history_shows_the_participant_and_yes_no_not_ids_and_booleans(recorded_day, client_for):
    with translation.override("id"):
        first = audit.history_for(recorded_day)[0]
    shown = {c.field: c.new for c in first.changes}
    assert shown["participant_id"] == recorded_day.participant.participant_id
    booleans = [f.attname for f in type(recorded_day)._meta.concrete_fields if f.get_internal_type() == "BooleanField"]
    assert booleans
    assert {shown[name] for name in booleans if name in shown} <= {"Ya", "Tidak"}
    html = (
        client_for("coordinator")
        .get(reverse("record_history", args=["observations", "observation", recorded_day.pk]))
        .content.decode()
    )
    assert ">False<" not in html
    assert ">True<" not in html
