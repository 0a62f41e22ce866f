"""Exports for spreadsheet users: CSV for Excel, XLSX headers that stay in view, one file instead of a zip."""

import codecs
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from analysis.exports.bundle import sha256_of
from analysis.exports.models import ExportRecord
from enrollment.models import Participant
from observations.models import Observation
from tests.analysis import shared_export

pytestmark = pytest.mark.django_db


# One export study for the module, built once; each test's writes are rolled back after it.
study, cast, export_study = shared_export.study, shared_export.cast, shared_export.export_study


FORM = {"layout": "long", "site": "", "language": "id", "identification": "identified"}


def export(tmp_path, unzip, *extra, file_format="csv"):
    output = tmp_path / f"bundle-{len(extra)}.zip"
    call_command("export_dataset", "--format", file_format, "--layout", "long", "--user", "coordinator",
                 "--output", str(output), *extra)  # fmt: skip
    return unzip(output)


def test_csv_for_excel_starts_every_csv_with_a_bom_and_is_otherwise_the_same(export_study, tmp_path, unzip):
    plain, excel = export(tmp_path, unzip), export(tmp_path, unzip, "--excel")
    csvs = sorted(p.name for p in plain.iterdir() if p.suffix == ".csv")
    assert {"participants.csv", "observations.csv", "codebook.csv"} <= set(csvs)
    for name in csvs:
        marked, unmarked = (excel / name).read_bytes(), (plain / name).read_bytes()
        assert not unmarked.startswith(codecs.BOM_UTF8)
        assert marked == codecs.BOM_UTF8 + unmarked, name


def test_csv_for_excel_imports_unchanged(export_study, tmp_path, unzip):
    from trialsite.textfiles import decode_text

    excel = export(tmp_path, unzip, "--excel")
    text = decode_text((excel / "observations.csv").read_bytes())
    assert text.startswith("participant_id,")


def test_xlsx_sheets_keep_the_header_row_in_view_with_filters_over_every_row(export_study, tmp_path, unzip):
    folder = export(tmp_path, unzip, file_format="xlsx")
    book = load_workbook(folder / "data.xlsx", read_only=False)
    expected_rows = {"participants": Participant.objects.count(), "observations": Observation.objects.count()}
    assert set(expected_rows) <= set(book.sheetnames)
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        width = get_column_letter(sheet.max_column)
        assert sheet.auto_filter.ref == f"A1:{width}{sheet.max_row}", sheet.title
        if sheet.title in expected_rows:
            assert sheet.max_row == 1 + expected_rows[sheet.title]


def test_coordinator_downloads_one_workbook_instead_of_a_zip(client_for, export_study):
    response = client_for("coordinator").post(
        reverse("exports:export_download"), {**FORM, "file_format": "xlsx", "single_file": "on"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    body = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(body), read_only=True)
    assert {"participants", "observations", "codebook"} <= set(book.sheetnames)
    record = ExportRecord.objects.get()
    assert record.file_name.endswith(".xlsx")
    assert record.size_bytes == len(body)
    assert record.manifest["files"][0]["name"] == record.file_name


def test_one_file_is_refused_for_csv_with_the_reason_and_nothing_is_exported(client_for, export_study):
    response = client_for("coordinator").post(
        reverse("exports:export_download"), {**FORM, "file_format": "csv", "single_file": "on"}
    )
    assert response.status_code == 400
    assert "XLSX" in response.content.decode()
    assert not ExportRecord.objects.exists()


def test_one_file_is_refused_for_stata_by_the_command(export_study, tmp_path):
    output = tmp_path / "x.dta"
    with pytest.raises(CommandError, match="XLSX"):
        call_command("export_dataset", "--format", "dta", "--layout", "wide", "--single-file",
                     "--user", "coordinator", "--output", str(output))  # fmt: skip
    assert not output.exists()
    assert not ExportRecord.objects.exists()


def test_one_workbook_by_the_command_is_the_logged_file(export_study, tmp_path):
    output = tmp_path / "data.xlsx"
    call_command("export_dataset", "--format", "xlsx", "--layout", "wide", "--single-file", "--deidentified",
                 "--user", "investigator", "--output", str(output))  # fmt: skip
    assert ExportRecord.objects.get().sha256 == sha256_of(output)
    assert len(list(load_workbook(output, read_only=True)["data"].values)) == 1 + Participant.objects.count()
