"""Every format read back with values and labels intact, in Indonesian and English."""

import csv
import json

import pandas as pd
import pyreadstat
import pytest
from django.core.management import call_command

from analysis.exports.bundle import sha256_of
from enrollment.models import Participant
from observations.interchange import OBSERVATION_COLUMNS, PARTICIPANT_COLUMNS
from observations.models import Observation
from tests.analysis import shared_export

pytestmark = pytest.mark.django_db


# One export study for the module, built once; each test's writes are rolled back after it.
study, cast, export_study = shared_export.study, shared_export.cast, shared_export.export_study


@pytest.fixture
def export(export_study, tmp_path, unzip):
    """export("csv", "long", "--deidentified", ...) -> folder of the unzipped bundle."""

    def run(file_format, layout, *extra, user="coordinator", language="id"):
        output = tmp_path / f"{file_format}-{layout}-{language}-{len(extra)}.zip"
        call_command(
            "export_dataset", "--format", file_format, "--layout", layout, "--language", language,
            "--user", user, "--output", str(output), *extra,
        )  # fmt: skip
        return unzip(output)

    return run


def test_long_csv_is_the_interchange_format(export):
    folder = export("csv", "long")
    with (folder / "participants.csv").open(encoding="utf-8") as f:
        assert tuple(csv.DictReader(f).fieldnames) == PARTICIPANT_COLUMNS
    with (folder / "observations.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == OBSERVATION_COLUMNS
    assert len(rows) == Observation.objects.count()
    stored = Observation.objects.filter(missing_reason="").select_related("participant").first()
    row = next(r for r in rows if r["participant_id"] == stored.participant.participant_id and
               int(r["day"]) == stored.day)  # fmt: skip
    assert row["observed_on"] == stored.observed_on.isoformat()
    assert row["breast_full_then_soft"] == ("yes" if stored.breast_full_then_soft else "no")
    assert row["sleep_after_feed_hours"] == str(stored.sleep_after_feed_hours)
    assert row["score"] == str(stored.score)


def test_manifest_lists_every_file_with_its_sha256(export):
    folder = export("csv", "long")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    names = {entry["name"] for entry in manifest["files"]}
    assert names == {p.name for p in folder.iterdir()} - {"manifest.json"}
    assert {"participants.csv", "observations.csv", "codebook.csv", "results.json"} <= names
    for entry in manifest["files"]:
        assert sha256_of(folder / entry["name"]) == entry["sha256"]


def test_wide_csv_has_one_row_per_participant_and_the_score_of_each_day(export):
    folder = export("csv", "wide")
    frame = pd.read_csv(folder / "data.csv", dtype=str, keep_default_na=False)
    assert len(frame) == Participant.objects.count()
    assert [f"score_d{d}" for d in range(1, 8)] == [c for c in frame.columns if c.startswith("score_d")]
    for obs in Observation.objects.select_related("participant")[:20]:
        row = frame[frame.participant_id == obs.participant.participant_id].iloc[0]
        assert row[f"score_d{obs.day}"] == ("" if obs.score is None else str(obs.score))
        assert row[f"feeds_24h_d{obs.day}"] == ("" if obs.feeds_24h is None else str(obs.feeds_24h))


@pytest.mark.parametrize(("language", "label"), [("id", "Skor produksi ASI"), ("en", "Milk production score")])
def test_sav_keeps_values_variable_labels_and_value_labels(export, language, label):
    folder = export("sav", "long", language=language)
    frame, meta = pyreadstat.read_sav(folder / "observations.sav")
    labels = meta.column_names_to_labels
    assert labels["score"].startswith(label)
    assert meta.variable_value_labels["breast_full_then_soft"][1.0] == ("Ya" if language == "id" else "Yes")
    assert len(frame) == Observation.objects.count()
    assert frame["score"].sum() == sum(Observation.objects.exclude(score=None).values_list("score", flat=True))
    people, people_meta = pyreadstat.read_sav(folder / "participants.sav")
    arms = people_meta.variable_value_labels["arm"]
    assert set(arms.values()) == (
        {"Serbuk daun kelor", "Pijat oksitosin"} if language == "id" else {"Moringa leaf powder", "Oxytocin massage"}
    )
    first = Participant.objects.order_by("participant_id").select_related("arm").first()
    code = people.loc[people.participant_id == first.participant_id, "arm"].iloc[0]
    assert arms[code] == (first.arm.label_id if language == "id" else first.arm.label_en)


@pytest.mark.parametrize("language", ["id", "en"])
def test_dta_keeps_values_and_labels(export, language):
    folder = export("dta", "wide", language=language)
    frame, meta = pyreadstat.read_dta(folder / "data.dta")
    assert len(frame) == Participant.objects.count()
    expected = {"id": "Skor produksi ASI", "en": "Milk production score"}[language]
    assert meta.column_names_to_labels["score_d7"].startswith(expected)
    assert meta.variable_value_labels["status"][1] == {"id": "Aktif", "en": "Active"}[language]
    for observation in Observation.objects.exclude(score=None).select_related("participant"):
        row = frame[frame.participant_id == observation.participant.participant_id].iloc[0]
        assert row[f"score_d{observation.day}"] == observation.score
        assert row[f"breast_full_then_soft_d{observation.day}"] == (1 if observation.breast_full_then_soft else 0)


def test_xlsx_has_data_sheets_and_a_codebook_sheet(export):
    folder = export("xlsx", "long", language="en")
    sheets = pd.read_excel(folder / "data.xlsx", sheet_name=None, dtype=object)
    assert set(sheets) == {"participants", "observations", "adverse_events", "analysis_exclusions", "codebook"}
    assert len(sheets["observations"]) == Observation.objects.count()
    codebook = sheets["codebook"].set_index(["table", "variable"])
    assert codebook.loc[("observations", "feeds_24h"), "label"] == "Breastfeeds in 24 hours"
    assert codebook.loc[("observations", "feeds_24h"), "allowed_values"] == "0–40"
    observed = Observation.objects.exclude(observed_on=None).select_related("participant").first()
    frame = sheets["observations"]
    row = frame[(frame.participant_id == observed.participant.participant_id) & (frame.day == observed.day)].iloc[0]
    assert row["observed_on"].date() == observed.observed_on
    assert float(row["sleep_after_feed_hours"]) == float(observed.sleep_after_feed_hours)


def test_codebook_csv_lists_label_type_allowed_values_unit_missing_and_codes(export):
    folder = export("csv", "long", language="id")
    with (folder / "codebook.csv").open(encoding="utf-8") as f:
        rows = {(r["table"], r["variable"]): r for r in csv.DictReader(f)}
    adherence = rows[("observations", "adherence")]
    assert adherence["type"] == "kategori"
    assert adherence["codes"] == "2 = Ya; 1 = Sebagian; 0 = Tidak"
    assert rows[("participants", "infant_birth_weight_g")]["unit"] == "gram"
    assert "missing_reason" in rows[("observations", "feeds_24h")]["missing"]


def test_a_site_export_holds_only_that_sites_participants_and_observations(export):
    folder = export("csv", "long", "--site", "PAR")
    people = pd.read_csv(folder / "participants.csv", dtype=str)
    observations = pd.read_csv(folder / "observations.csv", dtype=str)
    par = set(Participant.objects.filter(site__code="PAR").values_list("participant_id", flat=True))
    assert set(people["site"]) == {"PAR"}
    assert set(people["participant_id"]) == par
    assert set(observations["participant_id"]) <= par
    assert len(observations) == Observation.objects.filter(participant__site__code="PAR").count()
