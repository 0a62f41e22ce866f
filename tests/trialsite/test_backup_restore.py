"""Backups and the restore drill: back up a running demo study, restore it into a new database, use the copy."""

import json
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from pghistory.models import Events

from analysis.exports.services import ExportOptions, export_bundle
from analysis.results import compute_results
from enrollment.models import Participant, ParticipantStatus
from observations.demo import daily as observations_demo
from observations.demo import study as demo
from observations.models import Observation
from observations.services import correct_observation, local_today, record_observation
from tests.conftest import PASSWORD
from trialsite.auditchain import verify_chain
from trialsite.backup import BackupError, backup_database, complete_backups, restore_database
from trialsite.pgtools import ConnParams

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def running_study(study, cast, tmp_path):
    """The demo study with participants, observations, a correction, an export and their audit events."""
    demo.seed_participants(study, 8, seed=3)
    observations_demo.seed_observations(study, seed=3)
    observation = Observation.objects.filter(missing_reason="").order_by("id").first()
    values = _values_of(observation, feeds_24h=9)
    correct_observation(observation=observation, values=values, by=cast["coordinator"], reason="Salah ketik",
                        expected_version=observation.version)  # fmt: skip
    options = ExportOptions(file_format="csv", layout="long", deidentified=True)
    export_bundle(study=study, by=cast["coordinator"], options=options, folder=tmp_path)
    return study


def _values_of(observation: Observation, **changes) -> dict:
    fields = ("observed_on", "feeds_24h", "wet_diapers_24h", "sleep_after_feed_hours", "breast_full_then_soft",
              "adherence", "massage_minutes", "expressed_volume_ml", "deviation_reason")  # fmt: skip
    return {**{f: getattr(observation, f) for f in fields}, **changes}


def audit_events() -> list[tuple]:
    rows = Events.objects.values_list("pgh_model", "pgh_obj_id", "pgh_label", "pgh_data", "pgh_context_id")
    return sorted(
        (model, str(obj), label, json.dumps(data, sort_keys=True), str(ctx)) for model, obj, label, data, ctx in rows
    )


@contextmanager
def new_database(suffix: str):
    """Point Django's connection at a new, empty database on the same server; drop it afterwards."""
    original = connection.settings_dict["NAME"]
    name = f"{original}_{suffix}"
    admin = ConnParams.from_settings().with_dbname("postgres")
    with admin.connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield name
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
        with admin.connect(autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restore_drill_gives_the_same_study_on_a_new_database(running_study, tmp_path):
    before = {"sha": compute_results(running_study)["data_sha256"], "events": audit_events()}
    assert any(
        model == "observations.ObservationEvent" and label == "update" for model, _o, label, _d, _c in before["events"]
    )
    backup = backup_database(params=ConnParams.from_settings(), folder=tmp_path / "backups", keep=3)

    with new_database("restored"):
        call_command("restore", str(backup))  # as the operator does: restore, then migrate (grants)
        assert verify_chain().intact
        study = type(running_study).objects.get(slug=running_study.slug)
        assert compute_results(study)["data_sha256"] == before["sha"]
        assert audit_events() == before["events"]
        for username in demo.DEMO_USERS:
            response = Client().post("/accounts/login/", {"username": username, "password": PASSWORD})
            assert response.status_code == 302, username
        _save_a_new_observation(study)


def _save_a_new_observation(study):
    """The copy takes new data, and its audit trigger records it."""
    participant = Participant.objects.filter(study=study, status=ParticipantStatus.ACTIVE).order_by("-id").first()
    taken = set(participant.observations.values_list("day", flat=True))
    day = min(set(range(1, study.n_days + 1)) - taken)
    events = Events.objects.count()
    midwife = participant.site.memberships.first().user
    saved = record_observation(participant=participant, day=day, values={"missing_reason": "not_visited"},
                               by=midwife, today=local_today() + timedelta(days=30))  # fmt: skip
    assert saved.pk
    assert Events.objects.count() > events


def test_manifest_names_checksum_version_migrations_and_row_counts(running_study, tmp_path):
    backup = backup_database(params=ConnParams.from_settings(), folder=tmp_path, keep=3)
    manifest = json.loads((backup / "manifest.json").read_text())
    assert len(manifest["dump"]["sha256"]) == 64
    assert manifest["app_version"]
    assert "enrollment.0001_initial" in manifest["migrations"]
    assert manifest["row_counts"]["public.enrollment_participant"] == Participant.objects.count()
    assert manifest["row_counts"]["public.observations_observation"] == Observation.objects.count()


def test_only_the_newest_backups_are_kept(study, tmp_path):
    made = [backup_database(params=ConnParams.from_settings(), folder=tmp_path, keep=2) for _ in range(3)]
    assert complete_backups(tmp_path) == made[1:]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_a_damaged_dump_is_refused_before_the_database_is_touched(study, tmp_path):
    backup = backup_database(params=ConnParams.from_settings(), folder=tmp_path, keep=1)
    with (backup / "database.dump").open("r+b") as f:
        # Invert four bytes: fixed bytes may be what is already there (the dump's header shifts with
        # the database's name; under test_trialsite_gw0 offset 100 held zeros) and damage nothing.
        f.seek(100)
        damaged = bytes(b ^ 0xFF for b in f.read(4))
        f.seek(100)
        f.write(damaged)
    with new_database("damaged"), pytest.raises(BackupError, match="SHA-256"):
        restore_database(params=ConnParams.from_settings(), backup=backup)


def test_a_database_that_has_tables_is_not_overwritten(study, tmp_path):
    backup = backup_database(params=ConnParams.from_settings(), folder=tmp_path, keep=1)
    with pytest.raises(BackupError, match="not empty"):
        restore_database(params=ConnParams.from_settings(), backup=backup)


def test_a_backup_from_a_newer_version_is_refused(study, tmp_path):
    backup = backup_database(params=ConnParams.from_settings(), folder=tmp_path, keep=1)
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["migrations"].append("enrollment.9999_from_the_future")
    (backup / "manifest.json").write_text(json.dumps(manifest))
    with new_database("future"), pytest.raises(BackupError, match="newer Trialsite"):
        restore_database(params=ConnParams.from_settings(), backup=backup)


def test_backup_and_restore_commands_report_what_they_did(study, tmp_path, capsys):
    call_command("backup", "--output-dir", str(tmp_path), "--keep", "2")
    assert "Backup written" in capsys.readouterr().out
    [backup] = complete_backups(tmp_path)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(backup))
    with new_database("command"):
        call_command("restore", str(backup))
    assert "counts match" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgres://owner:s%40cret@db.example.org:5433/trial",
            ConnParams("trial", "owner", "s@cret", "db.example.org", "5433"),
        ),
        (
            "postgresql://owner@%2Fvar%2Frun%2Fpostgresql/",
            ConnParams("fallback", "owner", "", "/var/run/postgresql", ""),
        ),
    ],
)
def test_an_owner_url_gives_the_connection_parameters(url, expected):
    assert ConnParams.from_url(url, default_dbname="fallback") == expected
