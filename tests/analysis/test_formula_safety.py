"""Typed formulas are exported in every format as text that no spreadsheet runs, and import back unchanged."""

import csv

import openpyxl
import pyreadstat
import pytest
from django.core.management import call_command

from analysis.results import compute_results
from enrollment.models import Arm, Participant, Site, Study
from observations.interchange import escape_formula, unescape_formula
from observations.models import Observation
from tests.analysis import shared_export

pytestmark = pytest.mark.django_db


# One export study for the module, built once; each test's writes are rolled back after it.
study, cast, export_study = shared_export.study, shared_export.cast, shared_export.export_study


PAYLOADS = [
    '=HYPERLINK("http://evil.example","KLIK")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "'=already quoted",
    "=1+1",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile_study(export_study):
    """The export study with a formula typed into every free-text field of some rows."""
    people = list(Participant.objects.filter(study=export_study).order_by("participant_id")[: len(PAYLOADS)])
    for person, payload in zip(people, PAYLOADS, strict=False):
        Participant.objects.filter(pk=person.pk).update(full_name=payload, phone=payload[:30], status_reason=payload)
    observed = Observation.objects.filter(participant__study=export_study, missing_reason="").order_by("id")
    for observation, payload in zip(observed[: len(PAYLOADS)], PAYLOADS, strict=False):
        Observation.objects.filter(pk=observation.pk).update(notes=payload)
    return export_study


def export(slug, tmp_path, unzip, file_format, layout="long"):
    output = tmp_path / f"{file_format}-{layout}.zip"
    call_command("export_dataset", "--format", file_format, "--layout", layout, "--study", slug,
                 "--user", "coordinator", "--output", str(output))  # fmt: skip
    return unzip(output)


def stored_texts(study) -> set[str]:
    people = Participant.objects.filter(study=study)
    return {*people.values_list("full_name", flat=True), *people.values_list("status_reason", flat=True),
            *Observation.objects.filter(participant__study=study).values_list("notes", flat=True)} - {""}  # fmt: skip


@pytest.mark.parametrize("payload", [*PAYLOADS, "\tx", "\rx", "''=x", "plain", "", "2026-01-01", "a=b"])
def test_escaping_is_undone_exactly(payload):
    escaped = escape_formula(payload)
    assert not escaped.startswith(FORMULA_START)
    assert unescape_formula(escaped) == payload


@pytest.mark.parametrize("layout", ["long", "wide"])
def test_no_csv_text_cell_starts_like_a_formula(hostile_study, tmp_path, unzip, layout):
    folder = export(hostile_study.slug, tmp_path, unzip, "csv", layout)
    seen = set()
    for path in folder.glob("*.csv"):
        if path.name == "codebook.csv":
            continue
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                for name, value in row.items():
                    if name in ("full_name", "phone", "status_reason", "notes", "deviation_reason"):
                        assert not value.startswith(FORMULA_START), (name, value)
                        seen.add(unescape_formula(value))
    assert set(PAYLOADS) - {"'=already quoted"} <= seen | {p[:30] for p in PAYLOADS}
    assert "'=already quoted" in seen


def test_numbers_stay_numbers_in_csv(hostile_study, tmp_path, unzip):
    folder = export(hostile_study.slug, tmp_path, unzip, "csv")
    with (folder / "observations.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert all(r["feeds_24h"] == "" or r["feeds_24h"].isdigit() for r in rows)


def test_xlsx_text_cells_are_strings_never_formulas(hostile_study, tmp_path, unzip):
    folder = export(hostile_study.slug, tmp_path, unzip, "xlsx")
    book = openpyxl.load_workbook(folder / "data.xlsx")
    texts = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.add(cell.value)
    assert stored_texts(hostile_study) <= texts
    numbers = [c.value for c in book["observations"]["D"][1:] if c.value is not None]
    assert numbers
    assert all(isinstance(v, int | float) for v in numbers)


@pytest.mark.parametrize("file_format", ["sav", "dta"])
def test_spss_and_stata_keep_the_text_as_typed(hostile_study, tmp_path, unzip, file_format):
    folder = export(hostile_study.slug, tmp_path, unzip, file_format)
    read = pyreadstat.read_sav if file_format == "sav" else pyreadstat.read_dta
    people, _meta = read(str(folder / f"participants.{file_format}"))
    days, _meta = read(str(folder / f"observations.{file_format}"))
    texts = {*people["full_name"], *people["status_reason"], *days["notes"]} - {""}
    assert texts == stored_texts(hostile_study)


def test_the_csv_round_trip_keeps_every_formula_and_the_data_sha256(hostile_study, tmp_path, unzip):
    copy = Study.objects.create(slug="formula-copy", title_id="Salinan", title_en="Copy",
                                n_days=hostile_study.n_days, window_days=hostile_study.window_days)  # fmt: skip
    for site in hostile_study.sites.all():
        Site.objects.create(study=copy, code=site.code, name=site.name, order=site.order)
    for arm in hostile_study.arms.all():
        Arm.objects.create(study=copy, code=arm.code, label_id=arm.label_id, label_en=arm.label_en, order=arm.order,
                           adherence=arm.adherence)  # fmt: skip
    folder = export(hostile_study.slug, tmp_path, unzip, "csv")
    call_command("import_trial_data", str(folder / "participants.csv"), str(folder / "observations.csv"),
                 "--study", copy.slug, "--user", "coordinator")  # fmt: skip
    assert stored_texts(copy) == stored_texts(hostile_study)
    assert compute_results(copy)["data_sha256"] == compute_results(hostile_study)["data_sha256"]


def test_the_codebook_documents_the_escaping(hostile_study, tmp_path, unzip):
    folder = export(hostile_study.slug, tmp_path, unzip, "csv")
    with (folder / "codebook.csv").open(encoding="utf-8", newline="") as f:
        notes = next(r for r in csv.DictReader(f) if r["variable"] == "notes")
    assert "'" in notes["allowed_values"]
