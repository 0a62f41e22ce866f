"""Who may export what, by page and by command; every export lands in the append-only export log."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import ProgrammingError, transaction
from django.urls import reverse

from analysis import masking
from analysis.exports.bundle import MANIFEST
from analysis.exports.models import ExportRecord
from tests.analysis import shared_export

pytestmark = pytest.mark.django_db


# One export study for the module, built once; each test's writes are rolled back after it.
study, cast, export_study = shared_export.study, shared_export.cast, shared_export.export_study


CSV_LONG = {"file_format": "csv", "layout": "long", "site": "", "language": "en"}


def post_export(client, identification, **changes):
    return client.post(reverse("exports:export_download"), {**CSV_LONG, "identification": identification, **changes})


def test_coordinator_sees_the_page_with_both_options_and_the_log(client_for, export_study):
    page = client_for("coordinator").get(reverse("exports:export"))
    assert page.status_code == 200
    assert b'value="identified"' in page.content
    assert b'data-testid="export-form"' in page.content


def test_investigator_sees_the_page_without_the_identified_option_or_the_log(client_for, export_study):
    page = client_for("investigator").get(reverse("exports:export"))
    assert page.status_code == 200
    assert b'value="identified"' not in page.content
    assert b'value="deidentified"' in page.content
    assert b"export-log" not in page.content


@pytest.mark.parametrize("username", ["midwife.srp1", "outsider"])
def test_midwives_and_people_without_a_role_cannot_open_the_page(client_for, export_study, username):
    assert client_for(username).get(reverse("exports:export")).status_code == 403


@pytest.mark.parametrize("username", ["midwife.srp1", "outsider"])
def test_midwives_and_people_without_a_role_cannot_download(client_for, export_study, username):
    assert post_export(client_for(username), "deidentified").status_code == 403
    assert not ExportRecord.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, export_study):
    assert client.get(reverse("exports:export")).status_code == 302


def test_coordinator_downloads_an_identified_bundle(client_for, export_study):
    response = post_export(client_for("coordinator"), "identified")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as bundle:
        manifest = json.loads(bundle.read(MANIFEST))
        people = bundle.read("participants.csv").decode()
    assert manifest["options"]["deidentified"] is False
    first = export_study.participants.order_by("participant_id").first()
    assert first.full_name in people


def test_investigator_downloads_a_deidentified_bundle(client_for, export_study):
    response = post_export(client_for("investigator"), "deidentified")
    assert response.status_code == 200
    record = ExportRecord.objects.get()
    assert (record.user.username, record.deidentified) == ("investigator", True)


def test_investigator_is_refused_an_identified_bundle_by_the_server(client_for, export_study):
    response = post_export(client_for("investigator"), "identified")
    assert response.status_code == 403
    assert not ExportRecord.objects.exists()


def test_investigator_is_refused_an_identified_export_by_the_command(export_study, tmp_path):
    output = tmp_path / "x.zip"
    with pytest.raises(CommandError, match="de-identified data only"):
        call_command("export_dataset", "--format", "csv", "--layout", "long", "--user", "investigator",
                     "--language", "en", "--output", str(output))  # fmt: skip
    assert not output.exists()
    assert not ExportRecord.objects.exists()


def test_midwife_is_refused_any_export_by_the_command(export_study, tmp_path):
    with pytest.raises(CommandError, match="Refused"):
        call_command("export_dataset", "--format", "csv", "--layout", "long", "--deidentified",
                     "--user", "midwife.srp1", "--output", str(tmp_path / "x.zip"))  # fmt: skip


def test_an_unknown_site_is_an_error_not_an_empty_export(export_study, tmp_path):
    with pytest.raises(CommandError, match="XYZ"):
        call_command("export_dataset", "--format", "csv", "--layout", "long", "--site", "XYZ",
                     "--user", "coordinator", "--output", str(tmp_path / "x.zip"))  # fmt: skip


def test_every_export_is_logged_with_who_options_and_the_bundle_hash(client_for, export_study, tmp_path):
    output = tmp_path / "b.zip"
    call_command("export_dataset", "--format", "sav", "--layout", "wide", "--deidentified", "--site", "PAR",
                 "--language", "en", "--user", "coordinator", "--output", str(output))  # fmt: skip
    record = ExportRecord.objects.get()
    assert (record.file_format, record.layout, record.deidentified, record.site_code, record.language) == (
        "sav", "wide", True, "PAR", "en")  # fmt: skip
    assert record.sha256 == hashlib.sha256(output.read_bytes()).hexdigest()
    page = client_for("coordinator").get(reverse("exports:export"))
    assert record.sha256.encode() in page.content


def test_the_export_log_cannot_be_changed_or_deleted(client_for, export_study):
    post_export(client_for("coordinator"), "deidentified")
    record = ExportRecord.objects.get()
    for action in (lambda: ExportRecord.objects.filter(pk=record.pk).update(sha256="0" * 64),
                   lambda: ExportRecord.objects.filter(pk=record.pk).delete()):  # fmt: skip
        with pytest.raises(ProgrammingError, match=r"pgtrigger|permission denied"), transaction.atomic():
            action()
    assert ExportRecord.objects.get().sha256 == record.sha256


def test_outcome_masking_leaves_arm_columns_and_results_out_for_investigators(client_for, export_study, coordinator):
    masking.set_outcome_masking(study=export_study, masked=True, by=coordinator, reason="blinded phase")
    response = post_export(client_for("investigator"), "deidentified")
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as bundle:
        names = set(bundle.namelist())
        header = bundle.read("participants.csv").decode().splitlines()[0].split(",")
        obs_header = bundle.read("observations.csv").decode().splitlines()[0].split(",")
    assert "results.json" not in names
    assert "arm" not in header
    assert not {"adherence", "massage_minutes"} & set(obs_header)
    assert ExportRecord.objects.get().masked is True
