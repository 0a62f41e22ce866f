"""A save locks only the rows it writes, never a row another save's foreign-key check needs.

Every audited write appends to the audit chain under one advisory lock (trialsite/privileges.py,
CHAIN_LOCK), and PostgreSQL checks Django's deferred foreign keys at COMMIT, after that lock is
held: ``FOR KEY SHARE`` on the referenced study and participant rows. A save that held such a row
``FOR UPDATE`` while waiting for the chain lock deadlocked with a save that held the chain lock and
was checking its keys (seen under load: "deadlock detected … while locking tuple in relation
enrollment_study", a 500 on a midwife's save). Row locks are therefore ``FOR NO KEY UPDATE`` of
the row itself: one writer per participant or observation still, and no conflict with key checks.
"""

import psycopg
import pytest
from django.db import connection

from observations import services

pytestmark = pytest.mark.django_db(transaction=True)


def _rows_a_key_check_would_wait_for(participant) -> list[str]:
    """Try, from another connection, the lock a committing save's foreign-key check takes on each row."""
    blocked = []
    with psycopg.connect(**connection.get_connection_params()) as other:
        for table, pk in (("enrollment_study", participant.study_id), ("enrollment_participant", participant.pk)):
            try:
                other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE NOWAIT", [pk])
            except psycopg.errors.LockNotAvailable:
                blocked.append(table)
            other.rollback()
    return blocked


@pytest.fixture
def probe():
    """Run the save; after each of its row-locking queries, note the rows a key check would wait for."""
    blocked: list[str] = []

    def run(participant, save):
        def after_lock(execute, sql, params, many, context):
            result = execute(sql, params, many, context)
            if " FOR " in sql and "UPDATE" in sql.rsplit(" FOR ", 1)[1]:
                blocked.extend(_rows_a_key_check_would_wait_for(participant))
            return result

        with connection.execute_wrapper(after_lock):
            save()
        return blocked

    return run


def test_a_first_entry_leaves_study_and_participant_free_for_key_checks(probe, participant, good_values, cast):
    values = {**good_values(participant, 1), "breast_full_then_soft": True}
    save = lambda: services.record_observation(participant=participant, day=1, values=values, by=cast["midwife.srp1"])  # noqa: E731
    assert probe(participant, save) == []


def test_a_correction_leaves_study_and_participant_free_for_key_checks(probe, record, participant, good_values, cast):
    observation = record(participant, 1)
    values = {**good_values(participant, 1, feeds_24h=9), "breast_full_then_soft": True}

    def save():
        services.correct_observation(
            observation=observation, values=values, by=cast["midwife.srp1"], reason="hitungan", expected_version=1
        )

    assert probe(participant, save) == []
    observation.refresh_from_db()
    assert (observation.version, observation.feeds_24h) == (2, 9)


def test_a_withdrawal_leaves_study_and_participant_free_for_key_checks(probe, record, participant, cast):
    from enrollment import services as enrolment

    record(participant, 1)
    on = participant.schedule.target(2)

    def withdraw():
        enrolment.withdraw_participant(
            participant=participant, status="withdrawn", on=on, reason="pindah", by=cast["coordinator"]
        )

    assert probe(participant, withdraw) == []
    participant.refresh_from_db()
    assert participant.status == "withdrawn"
