"""Corrections need a reason and leave a trail; stale versions conflict; verification locks."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from observations import services
from observations.models import Observation

pytestmark = pytest.mark.django_db


def edit(client, obs, values, **extra):
    data = {"idempotency_key": str(uuid.uuid4()), "version": obs.version, **values, **extra}
    return client.post(reverse("observations:form", args=[obs.participant_id, obs.day]), data)


def test_a_correction_without_a_reason_is_rejected(client_for, record, participant, good_values):
    obs = record(participant, 1)
    response = edit(client_for("midwife.srp1"), obs, good_values(participant, 1, feeds_24h=5))
    assert "reason" in response.context["form"].errors
    assert Observation.objects.get().feeds_24h == 10


def test_a_correction_with_a_reason_changes_the_row_and_the_score(client_for, record, participant, good_values):
    obs = record(participant, 1)
    response = edit(client_for("midwife.srp1"), obs, good_values(participant, 1, feeds_24h=5), reason="Salah tulis")
    assert response["Content-Location"] == reverse("observations:today")
    obs.refresh_from_db()
    assert (obs.feeds_24h, obs.score, obs.version) == (5, 4, 2)


def test_the_timeline_shows_old_and_new_value_who_and_why(client_for, record, participant, good_values):
    obs = record(participant, 1)
    edit(client_for("midwife.srp1"), obs, good_values(participant, 1, feeds_24h=5), reason="Salah tulis")
    response = client_for("coordinator").get(reverse("observations:timeline", args=[participant.pk]))
    history = response.context["history"]
    latest = history[0]
    assert (latest.day, latest.entry.reason, latest.entry.user) == (1, "Salah tulis", "midwife.srp1")
    assert [c.field for c in latest.changes] == ["feeds_24h", "score"]
    change = latest.changes[0]
    assert (change.old, change.new) == (10, 5)
    assert "Salah tulis" in response.content.decode()


def test_a_stale_form_gets_a_conflict_showing_both_versions(client_for, record, participant, good_values):
    obs = record(participant, 1)
    stale_version = obs.version
    services.correct_observation(
        observation=obs, values={**good_values(participant, 1, feeds_24h=9), "breast_full_then_soft": True},
        by=None, reason="first", expected_version=stale_version,
    )  # fmt: skip
    obs.version = stale_version
    response = edit(client_for("midwife.srp1"), obs, good_values(participant, 1, feeds_24h=11), reason="second")
    assert response.status_code == 200
    assert response.context["conflict"] is not None
    rows = {str(r["label"]): r for r in response.context["conflict_rows"]}
    feeds = next(r for label, r in rows.items() if r["current"] == 9)
    assert feeds["submitted"] == 11
    assert Observation.objects.get().feeds_24h == 9


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_version_at_once_one_gets_a_conflict(record, participant, good_values, cast):
    obs = record(participant, 1)
    barrier, results = threading.Barrier(2), []

    def save(feeds):
        try:
            values = {**good_values(participant, 1, feeds_24h=feeds), "breast_full_then_soft": True}
            stale = Observation.objects.select_related("participant__study", "participant__arm").get(pk=obs.pk)
            barrier.wait()
            services.correct_observation(observation=stale, values=values, by=None, reason=f"r{feeds}",
                                         expected_version=1)  # fmt: skip
            results.append(("saved", feeds))
        except services.ObservationConflict as conflict:
            results.append(("conflict", conflict.current.feeds_24h))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(f,)) for f in (9, 11)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["conflict", "saved"]
    stored = Observation.objects.get(pk=obs.pk)
    winner = next(feeds for kind, feeds in results if kind == "saved")
    loser_saw = next(feeds for kind, feeds in results if kind == "conflict")
    assert stored.feeds_24h == winner == loser_saw
    assert stored.version == 2


def test_verified_observations_are_locked_for_the_midwife(client_for, record, participant, good_values):
    obs = record(participant, 1)
    client_for("coordinator").post(reverse("observations:verify", args=[obs.pk]))
    obs.refresh_from_db()
    assert obs.is_locked
    response = edit(client_for("midwife.srp1"), obs, good_values(participant, 1, feeds_24h=5), reason="x")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Observation.objects.get().feeds_24h == 10


def test_verify_all_locks_every_saved_day(client_for, record, participant):
    record(participant, 1)
    record(participant, 2)
    client_for("coordinator").post(reverse("observations:verify_participant", args=[participant.pk]))
    assert not Observation.objects.filter(verified_at__isnull=True).exists()


def test_unlocking_needs_a_reason_and_is_audited(client_for, record, participant):
    obs = record(participant, 1)
    coordinator = client_for("coordinator")
    coordinator.post(reverse("observations:verify", args=[obs.pk]))
    coordinator.post(reverse("observations:unlock", args=[obs.pk]), {"reason": ""})
    obs.refresh_from_db()
    assert obs.is_locked
    coordinator.post(reverse("observations:unlock", args=[obs.pk]), {"reason": "Koreksi berat badan"})
    obs.refresh_from_db()
    assert not obs.is_locked
    history = coordinator.get(reverse("observations:timeline", args=[participant.pk])).context["history"]
    assert history[0].entry.reason == "Koreksi berat badan"


@pytest.mark.parametrize("username", ["midwife.srp1", "investigator"])
def test_only_the_coordinator_verifies_and_unlocks(client_for, record, participant, username):
    obs = record(participant, 1)
    assert client_for(username).post(reverse("observations:verify", args=[obs.pk])).status_code == 403
    url = reverse("observations:verify_participant", args=[participant.pk])
    assert client_for(username).post(url).status_code == 403
    url = reverse("observations:unlock", args=[obs.pk])
    assert client_for(username).post(url, {"reason": "x"}).status_code == 403
    assert not Observation.objects.get().is_locked


def test_midwife_of_another_site_cannot_verify_or_see(client_for, record, participant, midwife_par):
    obs = record(participant, 1)
    assert client_for("midwife.par").post(reverse("observations:verify", args=[obs.pk])).status_code == 403
    assert client_for("midwife.par").get(reverse("observations:timeline", args=[participant.pk])).status_code == 404


def test_a_locked_day_offers_no_save_button(client_for, record, participant):
    obs = record(participant, 1)
    client_for("coordinator").post(reverse("observations:verify", args=[obs.pk]))
    content = client_for("midwife.srp1").get(reverse("observations:form", args=[participant.pk, 1])).content.decode()
    assert 'data-testid="save"' not in content
    assert 'data-testid="verified-day"' in content


def test_a_correction_reads_the_participant_her_study_and_arm_once(client_for, record, participant, good_values):
    """The day's row is read through the participant the page loaded: no second read of her, her study or arm."""
    obs = record(participant, 1)
    client = client_for("midwife.srp1")
    with CaptureQueriesContext(connection) as ctx:
        response = edit(client, obs, good_values(participant, 1, feeds_24h=5), reason="Salah tulis")
    assert response["Content-Location"] == reverse("observations:today")
    tables = ("enrollment_participant", "enrollment_study", "enrollment_arm")
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(tuple(f'SELECT "{t}"' for t in tables))]
    participant_reads = [sql for sql in reads if sql.startswith('SELECT "enrollment_participant"')]
    assert len(participant_reads) == 2, reads  # the page's access check, and Today's worklist after the save
    assert not [sql for sql in reads if not sql.startswith('SELECT "enrollment_participant"')], reads


def test_a_correction_returns_the_row_as_written_without_reading_it_again(record, participant, good_values, cast):
    obs = record(participant, 1)
    values = {**good_values(participant, 1, feeds_24h=5), "breast_full_then_soft": True}
    with CaptureQueriesContext(connection) as ctx:
        saved = services.correct_observation(
            observation=obs, values=values, by=cast["midwife.srp1"], reason="Salah tulis", expected_version=obs.version
        )
        arm = saved.participant.arm.code  # read with the row
    statements = [q["sql"] for q in ctx.captured_queries]
    update = next(i for i, sql in enumerate(statements) if 'UPDATE "observations_observation"' in sql)
    assert not [sql for sql in statements[update + 1 :] if sql.startswith("SELECT ")], statements[update + 1 :]
    stored = Observation.objects.select_related("participant__arm").get(pk=obs.pk)
    assert arm == stored.participant.arm.code
    fields = [field.attname for field in Observation._meta.concrete_fields]
    assert [getattr(saved, name) for name in fields] == [getattr(stored, name) for name in fields]
    assert (saved.version, saved.feeds_24h, saved.score) == (obs.version + 1, 5, stored.score)


@pytest.mark.parametrize("saved", [True, False])
def test_the_form_reads_her_and_her_day_without_ordering_them(client_for, record, participant, saved):
    """A lookup of one row is not sorted: an observation's ordering went through her participant (a join)."""
    if saved:
        record(participant, 1)
    with CaptureQueriesContext(connection) as ctx:
        response = client_for("midwife.srp1").get(reverse("observations:form", args=[participant.pk, 1]))
    assert response.status_code == 200
    assert (response.context["observation"] is not None) is saved
    lookups = ('SELECT "enrollment_participant"', 'SELECT "observations_observation"')
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(lookups)]
    assert len(reads) == 2, reads
    assert not [sql for sql in reads if "ORDER BY" in sql], reads
    assert " JOIN " not in reads[1], reads[1]


@pytest.mark.parametrize(
    ("key", "resend"), [("same", True), ("other", False), ("", False), ("not-a-uuid", False), (None, False)]
)
def test_only_the_days_own_key_makes_a_post_a_resend(record, participant, key, resend):
    obs = record(participant, 1)
    sent = {"same": str(obs.idempotency_key), "other": str(uuid.uuid4())}.get(key, key)
    assert services.is_resend_of(obs, sent) is resend
    assert services.is_resend_of(obs, str(obs.idempotency_key).upper()) is True


def test_a_first_entry_checks_its_key_in_its_own_transaction_without_a_savepoint(participant, good_values, cast):
    """The resend check's key lock is taken inside the save's transaction and held to its end: it adds no
    savepoint (two statements more) to a first entry."""
    values = good_values(participant, 1) | {"breast_full_then_soft": True}

    def statements(day: int, key) -> list[str]:
        start = participant.intervention_start
        day_values = values | {"observed_on": start + timedelta(days=day - 1)}
        with CaptureQueriesContext(connection) as ctx:
            services.record_observation(
                participant=participant, day=day, values=day_values, by=cast["midwife.srp1"], idempotency_key=key,
                today=start + timedelta(days=7),
            )  # fmt: skip
        return [q["sql"] for q in ctx.captured_queries]

    statements(1, None)  # reads and stores the study's instrument settings, once
    without_a_key, with_a_key = statements(2, None), statements(3, uuid.uuid4())
    assert any("pg_advisory_xact_lock" in sql for sql in with_a_key)
    savepoints = [len([sql for sql in run if "SAVEPOINT" in sql]) for run in (without_a_key, with_a_key)]
    assert savepoints[0] == savepoints[1], with_a_key
