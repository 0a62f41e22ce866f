"""The app's own database connection cannot rewrite or erase clinical data or its audit trail.

Each test issues one tamper statement through the connection every page and
API call uses (the app role) and expects PostgreSQL to refuse it. The same
statements succeed for the owner role (see test_audit_chain.py, where the owner
tampers and verify_audit catches it), so these tests fail if the app ever runs
with the owner's or a superuser's rights.
"""

import datetime

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from enrollment.models import Participant
from observations.models import Observation
from trialsite import audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(study, site_srp1, arm_moringa):
    with audit.reason("enrolled for the tamper tests"):
        return Participant.objects.create(
            study=study,
            site=site_srp1,
            arm=arm_moringa,
            participant_id="SRP1-950",
            enrolled_on=datetime.date(2026, 1, 5),
            intervention_start=datetime.date(2026, 1, 5),
        )


@pytest.fixture
def observation(participant):
    return Observation.objects.create(
        participant=participant,
        day=1,
        observed_on=datetime.date(2026, 1, 5),
        feeds_24h=9,
        wet_diapers_24h=6,
        sleep_after_feed_hours=2,
        breast_full_then_soft=True,
    )


def refused(*statements: str) -> bool:
    """True when PostgreSQL refuses the last statement (the earlier ones set the scene)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    except DatabaseError:
        return True
    return False


def ignore_every_trigger() -> str:
    """``SET LOCAL pgtrigger.ignore`` naming every pgtrigger/pghistory trigger in the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT string_agg(DISTINCT tgname, ',') FROM pg_trigger WHERE tgname LIKE 'pgtrigger_%'")
        names = cursor.fetchone()[0]
    return f"SET LOCAL pgtrigger.ignore = '{{{names}}}'"


def test_the_app_role_is_neither_superuser_nor_owner_of_any_table():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND pg_has_role(current_user, c.relowner, 'USAGE')"
        )
        assert cursor.fetchone()[0] == 0
    assert connection.settings_dict["USER"] != connection.settings_dict["OWNER"]["USER"]


def test_ignoring_triggers_does_not_let_the_app_delete_an_event(participant):
    assert refused(ignore_every_trigger(), "DELETE FROM enrollment_participantevent")
    assert audit.history_for(participant)


def test_ignoring_triggers_does_not_let_the_app_rewrite_an_event(participant):
    assert refused(ignore_every_trigger(), "UPDATE enrollment_participantevent SET participant_id = 'SRP1-999'")


def test_ignoring_triggers_does_not_let_the_app_delete_a_participant(participant):
    assert refused(ignore_every_trigger(), f"DELETE FROM enrollment_participant WHERE id = {participant.pk}")
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_ignoring_triggers_does_not_let_the_app_delete_an_observation(observation):
    assert refused(ignore_every_trigger(), f"DELETE FROM observations_observation WHERE id = {observation.pk}")
    assert Observation.objects.filter(pk=observation.pk).exists()


def test_ignoring_triggers_does_not_let_the_app_change_a_participant_without_trace(participant):
    before = len(audit.history_for(participant))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(ignore_every_trigger())
        cursor.execute(f"UPDATE enrollment_participant SET status_reason = 'quietly' WHERE id = {participant.pk}")
    history = audit.history_for(participant)
    assert len(history) == before + 1
    assert [(c.field, c.new) for c in history[-1].changes] == [("status_reason", "quietly")]


def test_ignoring_triggers_does_not_let_the_app_change_a_participants_arm(participant, arm_massage):
    assert refused(ignore_every_trigger(), f"UPDATE enrollment_participant SET arm_id = {arm_massage.pk}")


def test_the_app_cannot_delete_a_participant(participant):
    assert refused(f"DELETE FROM enrollment_participant WHERE id = {participant.pk}")


def test_the_app_cannot_delete_an_observation(observation):
    assert refused(f"DELETE FROM observations_observation WHERE id = {observation.pk}")


def test_the_app_cannot_truncate_an_event_table(participant):
    assert refused("TRUNCATE enrollment_participantevent")


def test_the_app_cannot_truncate_participants_with_cascade(participant):
    assert refused("TRUNCATE enrollment_participant CASCADE")
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_the_app_cannot_truncate_the_audit_context(participant):
    assert refused("TRUNCATE pghistory_context CASCADE")


def test_the_app_cannot_delete_audit_context(participant):
    assert refused("DELETE FROM pghistory_context")


def test_the_app_cannot_switch_triggers_off_with_session_replication_role():
    assert refused("SET session_replication_role = replica")


def test_the_app_cannot_disable_triggers():
    assert refused("ALTER TABLE enrollment_participant DISABLE TRIGGER ALL")


def test_the_app_cannot_disable_the_append_only_trigger_of_an_event_table():
    assert refused("ALTER TABLE enrollment_participantevent DISABLE TRIGGER USER")


def test_the_app_cannot_drop_a_table():
    assert refused("DROP TABLE enrollment_participantevent CASCADE")


def test_the_app_cannot_forge_a_link_of_the_audit_chain():
    assert refused(
        "INSERT INTO trialsite_auditseal (event_table, event_id, columns, previous, digest, sealed_at) "
        "VALUES ('enrollment_participantevent', 1, '{}', 'x', 'y', now())"
    )


@pytest.mark.django_db(transaction=True)
def test_the_app_cannot_rewrite_the_context_of_a_committed_change(participant, coordinator):
    # The participant's insert committed in an earlier transaction; its context says why.
    forge = "UPDATE pghistory_context SET metadata = jsonb_build_object('user', %s, 'reason', 'invented')"
    with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(forge, [coordinator.pk])
    assert audit.history_for(participant)[0].reason == "enrolled for the tamper tests"


@pytest.mark.django_db(transaction=True)
def test_context_can_still_grow_within_its_own_transaction(site_srp1):
    with transaction.atomic(), audit.reason("first reason"):
        site_srp1.name = "Step one"
        site_srp1.save(update_fields=["name"])
        with audit.reason("second reason"):
            site_srp1.name = "Step two"
            site_srp1.save(update_fields=["name"])
    assert [e.reason for e in audit.history_for(site_srp1)][-2:] == ["second reason", "second reason"]


def test_only_listed_non_clinical_tables_allow_delete():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.role_table_grants "
            "WHERE grantee = current_user AND privilege_type = 'DELETE'"
        )
        deletable = {row[0] for row in cursor.fetchall()}
    assert "django_session" in deletable
    assert "knox_authtoken" in deletable
    from trialsite.privileges import app_may_delete

    assert all(app_may_delete(table) for table in deletable), deletable
    assert not any(name.startswith(("enrollment_", "observations_", "analysis_", "pghistory")) for name in deletable)
    assert settings.DATABASE_APP_MAY_DELETE


@pytest.mark.django_db(transaction=True)
def test_a_table_added_later_by_any_app_gets_the_same_privileges():
    """What a later migrate does for a new table: the app may write to it, never delete from it."""
    from trialsite.db.base import owner_session
    from trialsite.privileges import apply_privileges

    with owner_session(connection), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE later_visit (id bigserial PRIMARY KEY, note text)")
        apply_privileges(connection)
    try:
        assert not refused("INSERT INTO later_visit (note) VALUES ('home visit')")
        assert not refused("UPDATE later_visit SET note = 'home visit, day 3'")
        assert refused("DELETE FROM later_visit")
        assert refused("TRUNCATE later_visit")
    finally:
        with owner_session(connection), connection.cursor() as cursor:
            cursor.execute("DROP TABLE later_visit")
