"""SPSS and Stata files written row by row: every cell as in the CSV, every label as pyreadstat wrote it.

The exported .sav and .dta are read back with pyreadstat and (Stata) pandas' own reader and
compared cell by cell with the CSV of the same export; their dictionaries are compared with
the files pyreadstat writes from the same rows (what the exports were before).
"""

import csv
import math
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from django.core.management import call_command
from django.utils import translation

from analysis.exports.columns import CATEGORY, DATE, DECIMAL, INTEGER, TEXT, Variable
from analysis.exports.services import ExportOptions, build_tables
from analysis.exports.writers import Table, write_dta, write_sav
from analysis.exports.writers_coded import ShapeChanged
from enrollment.models import Participant
from observations.demo import study as enrollment_demo
from observations.interchange import unescape_formula
from observations.models import MissingReason, Observation
from observations.services import local_today, record_observation
from trialsite import audit

pytestmark = pytest.mark.django_db

# Stripped, as the forms save text: SPSS pads text with spaces, so a trailing space cannot survive a .sav.
LONG_NOTE = ("Ibu merasa payudara penuh sebelum menyusui dan lembek sesudahnya; bayi tidur nyenyak. " * 4).strip()
VERY_LONG_NOTE = ("Catatan bidan: ibu sehat, ASI lancar, bayi menyusu kuat — ñ é ü. " * 33).strip()  # > 2,045 bytes
READERS = {"sav": pyreadstat.read_sav, "dta": pyreadstat.read_dta}


@pytest.fixture
def varied_study(export_study, cast):
    """The export study plus a participant whose every due day is marked missing and two long Indonesian notes."""
    newcomer = enrollment_demo.seed_participants(export_study, 17, seed=11)[-1]
    midwife = next(u for u in cast.values() if u.username.startswith("midwife") and newcomer.site.code.lower() in
                   u.username.lower())  # fmt: skip
    yesterday = local_today() - timedelta(days=1)
    for day in range(1, export_study.n_days + 1):
        if newcomer.schedule.target(day) <= yesterday:
            record_observation(participant=newcomer, day=day, values={"missing_reason": MissingReason.REFUSED},
                               by=midwife, today=local_today())  # fmt: skip
    recorded = Observation.objects.filter(missing_reason="").order_by("pk")
    with audit.reason("long notes for the export test"):
        Observation.objects.filter(pk=recorded[0].pk).update(notes=LONG_NOTE)
        Observation.objects.filter(pk=recorded[1].pk).update(notes=VERY_LONG_NOTE)
    return export_study


@pytest.fixture
def export(tmp_path, unzip):
    def run(file_format, layout, *extra, language="id"):
        output = tmp_path / f"{file_format}-{layout}-{language}-{len(extra)}.zip"
        call_command("export_dataset", "--format", file_format, "--layout", layout, "--language", language,
                     "--user", "coordinator", "--output", str(output), *extra)  # fmt: skip
        return unzip(output)

    return run


def _expected(variable: Variable, raw: str):
    """The CSV cell as the SPSS/Stata file must hold it."""
    if variable.kind == TEXT:
        return unescape_formula(raw)
    if raw == "":
        return None
    if variable.kind == CATEGORY:
        return next(float(code) for value, code, _label in variable.codes if value == raw)
    return date.fromisoformat(raw) if variable.kind == DATE else float(raw)


def _same(read, expected) -> bool:
    if expected is None:
        return read is None or read is pd.NaT or (isinstance(read, float) and math.isnan(read))
    if isinstance(read, pd.Timestamp):
        read = read.date()
    return read == expected


def _assert_cells_equal(frame: pd.DataFrame, csv_rows: list[dict], variables: list[Variable]) -> None:
    assert list(frame.columns) == [v.name for v in variables]
    assert len(frame) == len(csv_rows)
    for read, row in zip(frame.itertuples(index=False), csv_rows, strict=True):
        for v, cell in zip(variables, read, strict=True):
            assert _same(cell, _expected(v, row[v.name])), (v.name, cell, row[v.name])


def _csv(folder, name) -> list[dict]:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _variables(study, layout, language, deidentified=False) -> dict[str, list[Variable]]:
    with translation.override(language):
        options = ExportOptions("csv", layout, deidentified, language=language)
        return {t.name: t.variables for t in build_tables(study, options, masked=False)}


@pytest.mark.parametrize("file_format", ["sav", "dta"])
@pytest.mark.parametrize(("layout", "deidentified"), [("long", False), ("wide", False), ("long", True)])
def test_every_cell_is_the_csvs_cell(varied_study, export, file_format, layout, deidentified):
    extra = ("--deidentified",) if deidentified else ()
    csv_folder, folder = export("csv", layout, *extra), export(file_format, layout, *extra)
    for name, variables in _variables(varied_study, layout, "id", deidentified).items():
        frame, meta = READERS[file_format](folder / f"{name}.{file_format}")
        _assert_cells_equal(frame, _csv(csv_folder, name), variables)
        assert meta.number_rows == len(frame)
        if file_format == "dta":
            read = pd.read_stata(folder / f"{name}.dta", convert_categoricals=False)
            _assert_cells_equal(read, _csv(csv_folder, name), variables)


@pytest.mark.parametrize("file_format", ["sav", "dta"])
def test_the_long_indonesian_notes_and_the_all_missing_participant_come_back_whole(varied_study, export,
                                                                                    file_format):  # fmt: skip
    folder = export(file_format, "long")
    days, _meta = READERS[file_format](folder / f"observations.{file_format}")
    assert {LONG_NOTE, VERY_LONG_NOTE} <= set(days["notes"])
    newcomer = Participant.objects.order_by("-pk").first()
    hers = days[days.participant_id == newcomer.participant_id]
    assert len(hers) == Observation.objects.filter(participant=newcomer).count() > 0
    assert hers["feeds_24h"].isna().all()
    assert hers["observed_on"].isna().all()
    wide, _meta = READERS[file_format](export(file_format, "wide") / f"data.{file_format}")
    row = wide[wide.participant_id == newcomer.participant_id].iloc[0]
    assert all(pd.isna(row[f"score_d{day}"]) for day in range(1, varied_study.n_days + 1))


def _reference(table: Table, path, file_format: str) -> None:
    """What the exports wrote before: pyreadstat from a whole DataFrame."""

    def coded(v, value):
        if value is None:
            return "" if v.kind == TEXT else None if v.kind == DATE else np.nan
        if v.kind == CATEGORY:
            return float(next(code for key, code, _label in v.codes if key == value))
        return date.fromisoformat(value) if v.kind == DATE else value if v.kind == TEXT else float(value)

    rows = [[coded(v, value) for v, value in zip(table.variables, row, strict=True)] for row in table.rows()]
    frame = pd.DataFrame(rows, columns=[v.name for v in table.variables], dtype=object)
    for v in table.variables:
        if v.kind in (INTEGER, DECIMAL, CATEGORY):
            frame[v.name] = frame[v.name].astype("float64")
    limit = 80 if file_format == "dta" else None
    labels = [str(v.label)[:limit] for v in table.variables]
    value_labels = {v.name: {code: str(label) for _k, code, label in v.codes} for v in table.variables if v.codes}
    writer = pyreadstat.write_sav if file_format == "sav" else pyreadstat.write_dta
    writer(frame, str(path), column_labels=labels, variable_value_labels=value_labels)


DICTIONARY = ("column_names_to_labels", "variable_value_labels", "original_variable_types", "readstat_variable_types",
              "variable_storage_width", "missing_ranges", "file_label", "number_rows")  # fmt: skip


@pytest.mark.parametrize("file_format", ["sav", "dta"])
@pytest.mark.parametrize(("layout", "language"), [("long", "id"), ("wide", "en")])
def test_names_labels_value_labels_types_and_widths_are_as_pyreadstat_wrote_them(
    varied_study, tmp_path, file_format, layout, language
):
    with translation.override(language):
        for table in build_tables(varied_study, ExportOptions(file_format, layout, False), masked=False):
            ours, theirs = tmp_path / f"ours.{file_format}", tmp_path / f"theirs.{file_format}"
            (write_sav if file_format == "sav" else write_dta)(table, ours)
            _reference(table, theirs, file_format)
            (frame, meta), (expected, reference) = READERS[file_format](ours), READERS[file_format](theirs)
            _dates_stay_dates(table, expected, reference, file_format)
            for name in DICTIONARY:
                assert getattr(meta, name) == getattr(reference, name), (table.name, name)
            pd.testing.assert_frame_equal(frame, expected, check_dtype=False)


def _dates_stay_dates(table: Table, frame: pd.DataFrame, meta, file_format: str) -> None:
    """pyreadstat made a date column without any date a one-letter text column; ours stays a date column."""
    for v in table.variables:
        if v.kind == DATE and not (frame[v.name] != "").any():
            meta.original_variable_types[v.name] = "DATE11" if file_format == "sav" else "%td"
            meta.readstat_variable_types[v.name] = "double"
            meta.variable_storage_width[v.name] = 8
            frame[v.name] = np.nan


VARIABLES = [
    Variable("participant_id", "ID peserta", TEXT, ""),
    Variable("feeds", "Menyusui dalam 24 jam", INTEGER, ""),
    Variable("sleep", "Jam tidur", DECIMAL, ""),
    Variable("observed_on", "Tanggal pengamatan", DATE, ""),
    Variable("breast", "Payudara penuh lalu lembek", CATEGORY, "", codes=(("yes", 1, "Ya"), ("no", 0, "Tidak"))),
]


def _table(rows) -> Table:
    return Table("t", VARIABLES, lambda: iter(rows()))


@pytest.mark.parametrize("file_format", ["sav", "dta"])
def test_an_empty_export_keeps_its_variables_and_labels(tmp_path, file_format):
    path = tmp_path / f"empty.{file_format}"
    (write_sav if file_format == "sav" else write_dta)(_table(list), path)
    frame, meta = READERS[file_format](path)
    assert len(frame) == 0
    assert list(frame.columns) == [v.name for v in VARIABLES]
    assert meta.column_names_to_labels["feeds"] == "Menyusui dalam 24 jam"
    assert meta.variable_value_labels["breast"] == {1: "Ya", 0: "Tidak"}


@pytest.mark.parametrize("file_format", ["sav", "dta"])
def test_a_row_the_header_did_not_count_fails_loudly(tmp_path, file_format):
    counts = iter([1, 2])
    table = _table(lambda: [("B-1", 3, Decimal("1.5"), "2026-01-05", "yes")] * next(counts))
    with pytest.raises(ShapeChanged):
        (write_sav if file_format == "sav" else write_dta)(table, tmp_path / f"x.{file_format}")


@pytest.mark.parametrize("file_format", ["sav", "dta"])
def test_a_text_longer_than_measured_fails_loudly(tmp_path, file_format):
    names = iter(["B-1", "B-1 and more"])
    table = _table(lambda: [(next(names), 3, Decimal("1.5"), "2026-01-05", "yes")])
    with pytest.raises(ShapeChanged):
        (write_sav if file_format == "sav" else write_dta)(table, tmp_path / f"x.{file_format}")


@pytest.mark.parametrize("file_format", ["sav", "dta"])
def test_memory_does_not_grow_with_the_rows(tmp_path, file_format):
    def rows(n):
        return lambda: ((f"B-{i:06d}", i % 40, Decimal("1.5"), "2026-01-05", "no") for i in range(n))

    peaks = []
    for n in (10_000, 100_000):
        tracemalloc.start()
        (write_sav if file_format == "sav" else write_dta)(_table(rows(n)), tmp_path / f"{n}.{file_format}")
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 2 * 2**20, peaks
    assert peaks[1] < 1.5 * peaks[0], peaks
    frame, _meta = READERS[file_format](tmp_path / f"100000.{file_format}")
    assert len(frame) == 100_000
    assert frame["participant_id"].iloc[-1] == "B-099999"
