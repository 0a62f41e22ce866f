"""The lock freezes: once the coordinator locks the study, no clinical record is added, changed or imported.

Every write path is tried after the lock — each service, the pages, the API, the import (browser and
command) and raw SQL through the app's own database connection — and each must be refused with a
message that says so, leaving every row as it was.
"""

import uuid
from datetime import timedelta

import pghistory.models
import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from analysis import masking
from enrollment import control, exclusion, services
from enrollment.control import StudyLocked
from enrollment.freeze import STUDY_LOCKED_SQLSTATE, FrozenWhenLocked
from enrollment.models import Allocation, Consent, Participant, Screening, ScreeningAnswer, Site, Study, StudyControl
from observations import services as observation_services
from observations.models import Observation
from observations.safety import adverse_events, deviations, monitoring, queries
from observations.safety.models import AdverseEvent, DataQuery, ProtocolDeviation, SourceVerification
from tests.enrollment.conftest import ELIGIBLE_ANSWERS, mother
from tests.observations.conftest import O_HEADER, P_HEADER, obs_line
from trialsite.audit import history_for

pytestmark = pytest.mark.django_db

CLINICAL = (Screening, ScreeningAnswer, Consent, Participant, Allocation, Observation,
            AdverseEvent, DataQuery, ProtocolDeviation, SourceVerification)  # fmt: skip


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def screening(site_srp1, midwife_srp1):
    return services.screen_mother(
        site=site_srp1, by=midwife_srp1, screened_on=timezone.localdate(), mother=mother(), answers=ELIGIBLE_ANSWERS
    )


def deviation_values(**changes):
    values = {
        "category": "consent", "grade": "major", "description": "Old consent form version used",
        "corrective_action": "", "preventive_action": "", "occurred_on": timezone.localdate() - timedelta(days=2),
        "identified_on": timezone.localdate(), "resolved_on": None,
    }  # fmt: skip
    return values | changes


@pytest.fixture
def trial(participant, record, screening, coordinator, midwife_srp1, ae_values, site_srp1):
    """A bit of everything: an enrolled participant with a day, an AE, a query, a deviation, a screening."""
    observation = record(participant, 1)
    return {
        "participant": participant,
        "observation": observation,
        "screening": screening,
        "event": adverse_events.record_adverse_event(participant=participant, values=ae_values(), by=midwife_srp1),
        "query": queries.raise_query(participant=participant, day=1, text="Feeds?", by=coordinator),
        "deviation": deviations.record_deviation(
            site=site_srp1,
            participant=participant,
            by=coordinator,
            values=deviation_values(),
        ),
    }


@pytest.fixture
def locked(study, trial, coordinator):
    masking.lock_database(study=study, by=coordinator, reason="Last participant completed day 7")
    return trial


def snapshot():
    """Every clinical row as it is, and how many audit events exist."""
    rows = {model.__name__: sorted(model.objects.values_list()) for model in CLINICAL}
    return rows, pghistory.models.Events.objects.count()


def refused(call):
    with pytest.raises(StudyLocked) as caught:
        call()
    message = " ".join(caught.value.messages)
    assert "locked" in message, message
    assert "coordinator" in message, message
    return message


# --- every service ----------------------------------------------------------------------------


def service_calls(trial, users, site, values):
    p, o, s, e, q, d = (trial[k] for k in ("participant", "observation", "screening", "event", "query", "deviation"))
    midwife, coordinator = users["midwife.srp1"], users["coordinator"]
    today = timezone.localdate()
    return {
        "screen_mother": lambda: services.screen_mother(
            site=site, by=midwife, screened_on=today, mother=mother("Dewi"), answers=ELIGIBLE_ANSWERS
        ),
        "record_consent": lambda: services.record_consent(
            screening=s, consented_on=today, form_version="1.0", by=midwife
        ),
        "enroll_participant": lambda: services.enroll_participant(
            screening=s,
            by=midwife,
            consent=services.ConsentDetails(today, "1.0"),
            arm=site.study.arms.first(),
            rationale="Purposive",
        ),
        "withdraw_participant": lambda: services.withdraw_participant(
            participant=p, status="withdrawn", on=today, reason="Moved", by=coordinator
        ),
        "complete_participant": lambda: services.complete_participant(participant=p, on=today, by=coordinator),
        "exclude_from_population": lambda: exclusion.exclude_from_population(
            participant=p, scope="all", reason="Ineligible", by=coordinator
        ),
        "record_observation": lambda: observation_services.record_observation(
            participant=p, day=2, values=values(p, 2), by=midwife, idempotency_key=uuid.uuid4()
        ),
        "correct_observation": lambda: observation_services.correct_observation(
            observation=o, values=values(p, 1, feeds_24h=7), by=midwife, reason="Typo", expected_version=o.version
        ),
        "verify_observations": lambda: observation_services.verify_observations(
            observations=Observation.objects.filter(pk=o.pk), by=coordinator
        ),
        "unlock_observation": lambda: observation_services.unlock_observation(
            observation=o, by=coordinator, reason="x"
        ),
        "record_adverse_event": lambda: adverse_events.record_adverse_event(
            participant=p, values=trial["ae_values"](), by=midwife
        ),
        "follow_up_adverse_event": lambda: adverse_events.follow_up_adverse_event(
            event=e,
            values=trial["ae_values"](outcome="recovered"),
            by=midwife,
            reason="Visit",
            expected_version=e.version,
        ),
        "acknowledge_adverse_event": lambda: adverse_events.acknowledge_adverse_event(event=e, by=coordinator),
        "report_adverse_event": lambda: adverse_events.report_adverse_event(event=e, by=coordinator, reference="EC-1"),
        "record_deviation": lambda: deviations.record_deviation(site=site, by=coordinator, values=deviation_values()),
        "update_deviation": lambda: deviations.update_deviation(
            deviation=d, values=deviation_values(grade="minor"), by=coordinator, reason="Regraded"
        ),
        "raise_query": lambda: queries.raise_query(participant=p, text="Why?", by=coordinator),
        "answer_query": lambda: queries.answer_query(query=q, by=midwife, answer="Checked"),
        "answer_query_with_correction": lambda: queries.answer_query_with_correction(
            query=q, by=midwife, answer="Fixed", values=values(p, 1, feeds_24h=8), expected_version=o.version
        ),
        "close_query": lambda: queries.close_query(query=q, by=coordinator),
        "reopen_query": lambda: queries.reopen_query(query=q, by=coordinator, reason="Again"),
        "source_verify": lambda: monitoring.source_verify(observation=o, by=coordinator),
    }


SERVICES = [
    "screen_mother", "record_consent", "enroll_participant", "withdraw_participant", "complete_participant",
    "exclude_from_population", "record_observation", "correct_observation", "verify_observations",
    "unlock_observation", "record_adverse_event", "follow_up_adverse_event", "acknowledge_adverse_event",
    "report_adverse_event", "record_deviation", "update_deviation", "raise_query", "answer_query",
    "answer_query_with_correction", "close_query", "reopen_query", "source_verify",
]  # fmt: skip


@pytest.mark.parametrize("name", SERVICES)
def test_every_write_service_refuses_a_locked_study_and_changes_nothing(
    name, locked, cast, site_srp1, good_values, ae_values
):
    locked["ae_values"] = ae_values
    values = lambda p, day, **changes: {  # noqa: E731
        **good_values(p, day, **changes),
        "breast_full_then_soft": True,
    }
    call = service_calls(locked, cast, site_srp1, values)[name]
    before = snapshot()
    message = refused(call)
    assert timezone.localdate().isoformat() in message
    assert snapshot() == before


def test_the_message_names_who_locked_it_and_when(locked, study):
    message = refused(lambda: control.require_unlocked(study))
    assert "by coordinator" in message
    assert control.control_for(study).locked_at.astimezone(timezone.get_current_timezone()).strftime("%H:%M") in message


def test_the_message_is_translated(locked, study):
    with translation.override("id"), pytest.raises(StudyLocked) as caught:
        control.require_unlocked(study)
    assert "Basis data studi dikunci pada" in " ".join(caught.value.messages)


def test_every_service_is_listed_here():
    """A new write service must be added to SERVICES (and call require_unlocked)."""
    assert len(SERVICES) == len(set(SERVICES)) == 22


# --- the database itself ----------------------------------------------------------------------


def copy_row(table: str, changes: dict) -> str:
    """INSERT … SELECT of a copy of row %(<key>)s of ``table`` (every column but id), with ``changes``."""
    return f"{table}|" + "|".join(f"{k}={v}" for k, v in changes.items())


def _copy_sql(spec: str, key: str) -> str:
    table, *pairs = spec.split("|")
    changes = dict(pair.split("=", 1) for pair in pairs)
    columns = [c.name for c in connection.introspection.get_table_description(connection.cursor(), table)]
    columns = [c for c in columns if c != "id"]
    chosen = ", ".join(changes.get(c, c) for c in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {chosen} FROM {table} WHERE id = %({key})s"


def raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


RAW_WRITES = {
    "update an observation": ("UPDATE observations_observation SET feeds_24h = 1 WHERE id = %(observation)s", ""),
    "insert an observation": (
        copy_row("observations_observation", {"day": "day + 1", "idempotency_key": "gen_random_uuid()"}),
        "observation",
    ),
    "verify an observation": (
        "UPDATE observations_observation SET verified_at = now() WHERE id = %(observation)s", {}
    ),
    "withdraw a participant": (
        "UPDATE enrollment_participant SET status = 'withdrawn', status_date = enrolled_on, status_reason = 'x' "
        "WHERE id = %(participant)s", "",
    ),
    "exclude a participant": (
        "UPDATE enrollment_participant SET excluded_from_analysis = true, exclusion_reason = 'x' "
        "WHERE id = %(participant)s", "",
    ),
    "change a screening": ("UPDATE enrollment_screening SET full_name = 'X' WHERE id = %(screening)s", ""),
    "change a screening answer": (
        "UPDATE enrollment_screeninganswer SET answer = NOT answer WHERE screening_id = %(screening)s", {}
    ),
    "insert a consent": (
        "INSERT INTO enrollment_consent (screening_id, consented_on, form_version, obtained_by_id, created_at) "
        "SELECT id, screened_on, '1.0', screened_by_id, now() FROM enrollment_screening WHERE id = %(screening)s",
        "",
    ),
    "change an adverse event": ("UPDATE safety_adverseevent SET outcome = 'recovered' WHERE id = %(event)s", ""),
    "answer a query": (
        "UPDATE safety_dataquery SET status = 'answered', answer = 'x' WHERE id = %(query)s", {}
    ),
    "change a deviation": ("UPDATE safety_protocoldeviation SET grade = 'major' WHERE id = %(deviation)s", ""),
}  # fmt: skip


@pytest.mark.parametrize("what", list(RAW_WRITES))
def test_the_database_refuses_a_raw_write_through_the_apps_connection(what, locked):
    sql, key = RAW_WRITES[what]
    if key:
        sql = _copy_sql(sql, key)
    ids = {key: getattr(value, "pk", None) for key, value in locked.items()}
    before = snapshot()
    with pytest.raises(DatabaseError) as caught:
        raw(sql % ids)
    assert getattr(caught.value.__cause__, "sqlstate", None) == STUDY_LOCKED_SQLSTATE
    assert "is locked" in str(caught.value)
    assert snapshot() == before


def test_the_app_cannot_switch_the_freeze_off(locked):
    sql = "UPDATE observations_observation SET feeds_24h = 1 WHERE id = %s"
    pgid = FrozenWhenLocked().get_pgid(Observation)

    def switched_off_then_written():  # two statements, one transaction: a query with values holds one
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL pgtrigger.ignore = '{{observations_observation:{pgid}}}'")
            cursor.execute(sql, [locked["observation"].pk])

    with pytest.raises(DatabaseError, match="is locked"):
        switched_off_then_written()
    for statement in ("ALTER TABLE observations_observation DISABLE TRIGGER USER",
                      "SET session_replication_role = replica"):  # fmt: skip
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)


def test_an_orm_write_that_skips_the_services_is_refused_too(locked):
    with pytest.raises(DatabaseError, match="is locked"), transaction.atomic():
        Observation.objects.filter(pk=locked["observation"].pk).update(notes="after the lock")
    assert Observation.objects.get(pk=locked["observation"].pk).notes == ""


def test_writes_work_again_after_unlocking(locked, study, coordinator, record):
    masking.unlock_database(study=study, by=coordinator, reason="Late correction of SRP1-004, query 12")
    record(locked["participant"], 2)
    raw("UPDATE safety_dataquery SET text = text || '.' WHERE id = %s", [locked["query"].pk])
    assert Observation.objects.filter(participant=locked["participant"]).count() == 2


# --- pages, API, import ------------------------------------------------------------------------


def test_the_observation_form_shows_the_lock_instead_of_a_form(locked, client_for):
    participant = locked["participant"]
    client = client_for("midwife.srp1")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("observations:form", args=[participant.pk, 2])).content.decode()
    assert 'data-testid="study-locked"' in page
    assert 'name="feeds_24h"' not in page


def test_a_posted_observation_form_is_refused_with_the_message(locked, client_for, good_values):
    participant = locked["participant"]
    client = client_for("midwife.srp1")
    client.cookies["django_language"] = "en"
    before = snapshot()
    response = client.post(reverse("observations:form", args=[participant.pk, 2]), {
        **good_values(participant, 2), "idempotency_key": str(uuid.uuid4()),
    })  # fmt: skip
    assert response.status_code == 200
    assert "The study database was locked" in response.content.decode()
    assert snapshot() == before


def test_a_correction_posted_through_the_form_is_refused(locked, client_for, good_values):
    participant, observation = locked["participant"], locked["observation"]
    client = client_for("midwife.srp1")
    client.cookies["django_language"] = "en"
    before = snapshot()
    response = client.post(reverse("observations:form", args=[participant.pk, 1]), {
        **good_values(participant, 1, feeds_24h=7), "reason": "Typo", "version": observation.version,
    })  # fmt: skip
    assert "The study database was locked" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("page", ["screening_new", "enroll", "withdraw", "exclusion"])
def test_the_enrolment_pages_show_the_lock(locked, client_for, page):
    args = {"screening_new": [], "enroll": [locked["screening"].pk]}.get(page, [locked["participant"].pk])
    client = client_for("coordinator")
    client.cookies["django_language"] = "en"
    assert 'data-testid="study-locked"' in client.get(reverse(f"enrollment:{page}", args=args)).content.decode()


def test_a_posted_withdrawal_is_refused_with_the_message(locked, client_for):
    participant = locked["participant"]
    client = client_for("midwife.srp1")
    client.cookies["django_language"] = "en"
    before = snapshot()
    response = client.post(
        reverse("enrollment:withdraw", args=[participant.pk]),
        {"status": "withdrawn", "on": timezone.localdate().isoformat(), "reason": "Moved away"},
    )
    assert 'class="alert alert-danger' in response.content.decode() or "errorlist" in response.content.decode()
    assert "The study database was locked" in response.content.decode()
    assert snapshot() == before


def test_today_shows_the_study_locked_notice(locked, client_for):
    client = client_for("midwife.srp1")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("observations:today")).content.decode()
    assert 'data-testid="study-locked"' in page


def test_today_shows_only_the_locks_of_her_own_studies(study, trial, coordinator, client_for):
    other = Study.objects.create(slug="elsewhere", title_id="Di tempat lain", title_en="Elsewhere")
    Site.objects.create(study=other, code="ELS", name="Puskesmas Lain")
    masking.lock_database(study=other, by=coordinator, reason="Their last participant completed day 7")
    client = client_for("midwife.srp1")
    assert 'data-testid="study-locked"' not in client.get(reverse("observations:today")).content.decode()
    masking.lock_database(study=study, by=coordinator, reason="Last participant completed day 7")
    page = client.get(reverse("observations:today")).content.decode()
    assert page.count('data-testid="study-locked"') == 1


def api(client, method, url, data):
    return getattr(client, method)(url, data, content_type="application/json")


def test_the_api_refuses_every_write_with_409_and_the_message(locked, client_for, good_values, ae_values):
    participant, observation, s = locked["participant"], locked["observation"], locked["screening"]
    midwife, coordinator = client_for("midwife.srp1"), client_for("coordinator")
    values = {**good_values(participant, 2), "breast_full_then_soft": True}
    calls = [
        (midwife, "post", "/api/v1/observations/", {"participant": participant.pk, "day": 2, **values}),
        (midwife, "patch", f"/api/v1/observations/{observation.pk}/",
         {"feeds_24h": 7, "reason": "Typo", "version": observation.version}),
        (midwife, "post", "/api/v1/participants/",
         {"screening": s.pk, "consented_on": s.screened_on.isoformat(), "consent_form_version": "1.0",
          "arm": "moringa", "rationale": "Purposive"}),
        (midwife, "post", "/api/v1/adverse-events/",
         {"participant": participant.pk, **ae_values(onset_date=timezone.localdate().isoformat())}),
        (coordinator, "post", "/api/v1/data-queries/", {"participant": participant.pk, "text": "Why?"}),
    ]  # fmt: skip
    before = snapshot()
    for client, method, url, data in calls:
        client.cookies["django_language"] = "en"
        response = api(client, method, url, data)
        assert response.status_code == 409, (url, response.status_code, response.content)
        assert "The study database was locked" in response.json()["non_field_errors"][0], url
    assert snapshot() == before


@pytest.fixture
def import_files(today):
    start = today - timedelta(days=10)
    participants = f"{P_HEADER}\nIMP-001,SRP1,moringa,{start},{start},completed,,,28,1\n"
    observations = f"{O_HEADER}\n{obs_line('IMP-001', 1, start)}\n"
    return participants, observations


def test_the_import_command_refuses_a_locked_study(locked, import_files, tmp_path, cast):
    paths = []
    for name, text in zip(("p.csv", "o.csv"), import_files, strict=True):
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / name))
    before = snapshot()
    with pytest.raises(CommandError, match="locked"):
        call_command("import_trial_data", *paths, "--study", "moringa-oxytocin", "--user", "coordinator")
    assert snapshot() == before


def test_the_browser_import_refuses_a_locked_study(locked, import_files, client_for):
    client = client_for("coordinator")
    client.cookies["django_language"] = "en"
    assert 'data-testid="study-locked"' in client.get(reverse("observations:import")).content.decode()
    before = snapshot()
    response = client.post(reverse("observations:import"), {
        "participants_file": SimpleUploadedFile("p.csv", import_files[0].encode()),
        "observations_file": SimpleUploadedFile("o.csv", import_files[1].encode()),
    })  # fmt: skip
    assert "The study database was locked" in response.content.decode()
    assert snapshot() == before


# --- lock and unlock ----------------------------------------------------------------------------


def test_unlocking_needs_a_reason_and_is_in_the_audit_trail(locked, study, client_for):
    client = client_for("coordinator")
    url = reverse("analysis:settings_action")
    client.post(url, {"action": "unlock", "reason": "  "})
    assert control.is_locked(study)
    client.post(url, {"action": "unlock", "reason": "Late correction of SRP1-004"})
    row = StudyControl.objects.get(study=study)
    assert not row.is_locked
    last = history_for(row)[-1]
    assert (last.user, last.reason) == ("coordinator", "Late correction of SRP1-004")
    assert [c.field for c in last.changes] == ["locked_at", "locked_by"] or {"locked_at"} <= {
        c.field for c in last.changes
    }


def test_the_unlock_service_refuses_a_blank_reason(locked, study, coordinator):
    with pytest.raises(ValidationError):
        masking.unlock_database(study=study, by=coordinator, reason=" ")
    assert control.is_locked(study)


@pytest.mark.parametrize("username", ["midwife.srp1", "investigator", "outsider"])
@pytest.mark.parametrize("action", ["lock", "unlock"])
def test_only_the_coordinator_locks_or_unlocks(username, action, study, trial, coordinator, client_for):
    if action == "unlock":
        masking.lock_database(study=study, by=coordinator, reason="Complete")
    was = control.is_locked(study)
    response = client_for(username).post(reverse("analysis:settings_action"), {"action": action, "reason": "Try"})
    assert response.status_code == 403
    assert StudyControl.objects.filter(study=study, locked_at__isnull=was).count() == 0


def test_the_dashboard_and_the_study_page_say_since_when_and_by_whom(locked, study, client_for):
    at = timezone.localtime(StudyControl.objects.get(study=study).locked_at).strftime("%Y-%m-%d %H:%M")
    for username, url in (("coordinator", reverse("analysis:dashboard")),
                          ("investigator", reverse("analysis:dashboard")),
                          ("coordinator", reverse("enrollment:study_detail"))):  # fmt: skip
        client = client_for(username)
        client.cookies["django_language"] = "en"
        page = client.get(url).content.decode()
        assert 'data-testid="lock-banner"' in page, (username, url)
        assert at in page, (username, url)


@pytest.mark.django_db(transaction=True)
def test_a_write_in_flight_holds_the_lock_off_until_it_commits(study, participant, record, coordinator):
    """The freeze trigger share-locks the study's control row: the coordinator's lock waits for the write."""
    StudyControl.objects.create(study=study)
    observation = record(participant, 1)
    with transaction.atomic():
        raw("UPDATE observations_observation SET notes = 'in flight' WHERE id = %s", [observation.pk])
        with psycopg.connect(**connection.get_connection_params()) as other:
            other.execute("SET lock_timeout = '200ms'")
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("SELECT 1 FROM enrollment_studycontrol WHERE study_id = %s FOR UPDATE", [study.pk])
