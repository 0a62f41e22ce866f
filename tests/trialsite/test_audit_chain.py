"""Tamper evidence: whoever edits or deletes history behind the app's back is named by verify_audit.

The tampering here is done as the owner of the tables — what a superuser in
psql can do too: switch the triggers off and edit, delete or insert events and
their context. Each change commits, as a real one would.
"""

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse

from trialsite import audit, auditchain
from trialsite.db.base import owner_session
from trialsite.models import AuditSeal, AuditVerification

pytestmark = pytest.mark.django_db(transaction=True)


def as_owner(*statements: str, ignore_triggers: bool = True) -> None:
    """Run ``statements`` in one committed transaction as the owner role (by default with pgtrigger's off)."""
    with owner_session(connection), transaction.atomic(), connection.cursor() as cursor:
        if ignore_triggers:
            cursor.execute("SELECT string_agg(DISTINCT tgname, ',') FROM pg_trigger WHERE tgname LIKE 'pgtrigger_%'")
            cursor.execute(f"SET LOCAL pgtrigger.ignore = '{{{cursor.fetchone()[0]}}}'")
        for statement in statements:
            cursor.execute(statement)


@pytest.fixture
def renamed_site(site_srp1):
    """Three committed changes of one site, each with a reason."""
    for name in ("Serpong Satu", "Serpong Dua", "Serpong Tiga"):
        with audit.reason(f"renamed to {name}"):
            site_srp1.name = name
            site_srp1.save(update_fields=["name"])
    return site_srp1


def site_events(site) -> list[int]:
    from enrollment.models import Site

    event_model = audit.event_model_for(Site)
    return list(event_model.objects.filter(pgh_obj_id=site.pk).order_by("pgh_id").values_list("pgh_id", flat=True))


def verify_fails_at(event: str) -> str:
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    message = str(failure.value)
    assert f"{event} " in message or message.endswith(event) or f"{event}:" in message, message
    return message


def test_every_committed_event_is_sealed_into_the_chain(renamed_site):
    events = site_events(renamed_site)
    seals = AuditSeal.objects.filter(event_table="enrollment_siteevent", event_id__in=events).order_by("id")
    assert [s.event_id for s in seals] == events
    chain = list(AuditSeal.objects.order_by("id"))
    assert all(link.previous == before.digest for before, link in itertools.pairwise(chain))
    assert seals.last().context["reason"] == "renamed to Serpong Tiga"


def test_an_untouched_trail_verifies_as_intact(renamed_site):
    call_command("verify_audit")
    last = AuditVerification.objects.first()
    assert last.intact
    assert last.events_checked == AuditSeal.objects.count() > 0


def test_an_edited_event_is_named(renamed_site):
    second = site_events(renamed_site)[1]
    as_owner(f"UPDATE enrollment_siteevent SET name = 'Forged' WHERE pgh_id = {second}")
    verify_fails_at(f"enrollment_siteevent #{second}")
    assert auditchain.verify_chain().problem == "changed"


def test_a_deleted_event_is_named(renamed_site):
    second = site_events(renamed_site)[1]
    as_owner(f"DELETE FROM enrollment_siteevent WHERE pgh_id = {second}")
    verify_fails_at(f"enrollment_siteevent #{second}")


def test_an_edited_context_is_named(renamed_site):
    second = site_events(renamed_site)[1]
    as_owner(
        "ALTER TABLE pghistory_context DISABLE TRIGGER trialsite_guard_context",
        "UPDATE pghistory_context SET metadata = jsonb_set(metadata, '{reason}', '\"invented\"') "
        f"WHERE id = (SELECT pgh_context_id FROM enrollment_siteevent WHERE pgh_id = {second})",
        "ALTER TABLE pghistory_context ENABLE TRIGGER trialsite_guard_context",
    )
    verify_fails_at(f"enrollment_siteevent #{second}")


def test_a_context_given_a_reason_afterwards_is_named(renamed_site):
    """Adding a key (an invented reason where none was given) is caught like changing one."""
    last = site_events(renamed_site)[-1]
    as_owner(
        "ALTER TABLE pghistory_context DISABLE TRIGGER trialsite_guard_context",
        'UPDATE pghistory_context SET metadata = metadata || \'{"approved_by": "monitor"}\' '
        f"WHERE id = (SELECT pgh_context_id FROM enrollment_siteevent WHERE pgh_id = {last})",
        "ALTER TABLE pghistory_context ENABLE TRIGGER trialsite_guard_context",
    )
    report = auditchain.verify_chain()
    assert (report.intact, report.first_broken) == (False, f"enrollment_siteevent #{last}")


def test_a_removed_link_is_caught(renamed_site):
    second = site_events(renamed_site)[1]
    as_owner(
        f"DELETE FROM enrollment_siteevent WHERE pgh_id = {second}",
        f"DELETE FROM trialsite_auditseal WHERE event_table = 'enrollment_siteevent' AND event_id = {second}",
    )
    report = auditchain.verify_chain()
    assert not report.intact
    assert report.problem == "link"


def test_an_event_written_with_the_seal_switched_off_is_named(renamed_site):
    as_owner(
        "ALTER TABLE enrollment_siteevent DISABLE TRIGGER trialsite_audit_seal",
        f"UPDATE enrollment_site SET name = 'Quietly renamed' WHERE id = {renamed_site.pk}",
        "ALTER TABLE enrollment_siteevent ENABLE TRIGGER trialsite_audit_seal",
        ignore_triggers=False,
    )
    hidden = site_events(renamed_site)[-1]
    verify_fails_at(f"enrollment_siteevent #{hidden}")
    assert auditchain.verify_chain().problem == "unsealed"


def test_cutting_off_the_end_of_the_chain_after_a_verification_is_caught(renamed_site):
    call_command("verify_audit")
    last = site_events(renamed_site)[-1]
    as_owner(
        f"DELETE FROM enrollment_siteevent WHERE pgh_id = {last}",
        f"DELETE FROM trialsite_auditseal WHERE event_table = 'enrollment_siteevent' AND event_id = {last}",
    )
    report = auditchain.verify_chain()
    assert (report.intact, report.problem) == (False, "cut")


def test_the_audit_page_shows_the_last_verification(renamed_site, client_for):
    call_command("verify_audit")
    page = client_for("coordinator").get(reverse("audit_log")).content.decode()
    assert AuditVerification.objects.first().head in page
    second = site_events(renamed_site)[1]
    as_owner(f"UPDATE enrollment_siteevent SET name = 'Forged' WHERE pgh_id = {second}")
    with pytest.raises(CommandError):
        call_command("verify_audit")
    page = client_for("coordinator").get(reverse("audit_log")).content.decode()
    assert f"enrollment_siteevent #{second}" in page
    assert "alert-danger" in page
