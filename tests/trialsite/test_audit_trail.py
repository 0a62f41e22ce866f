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
