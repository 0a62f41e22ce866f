"""Adverse events in the export: their own labelled table, in the codebook, de-identified like the rest."""

from datetime import timedelta

import pandas as pd
import pyreadstat
import pytest
from django.core.management import call_command
from django.utils import timezone

from enrollment.deidentify import pseudonyms
from enrollment.models import Participant
from observations.safety import adverse_events
from tests.analysis import shared_export

pytestmark = pytest.mark.django_db


# One export study for the module, built once; each test's writes are rolled back after it.
study, cast, export_study = shared_export.study, shared_export.cast, shared_export.export_study


DESCRIPTION = "Dirawat di RSUD Tangerang oleh dr. Wulan"


@pytest.fixture
def events(export_study, cast):
    people = list(Participant.objects.filter(study=export_study).order_by("participant_id")[:2])
    midwives = {"SRP1": cast["midwife.srp1"], "PAR": cast["midwife.par"]}
    base = {
        "subject": "infant", "term": "infant_jaundice", "term_other": "", "severity": "severe",
        "relatedness": "unlikely", "expectedness": "expected", "action_taken": "referred", "outcome": "ongoing",
        "resolution_date": None, "description": DESCRIPTION,
    }  # fmt: skip
    made = []
    for person, serious in zip(people, (True, False), strict=True):
        onset = max(person.enrolled_on, timezone.localdate() - timedelta(days=1))
        values = base | {"onset_date": onset, "serious_hospitalisation": serious}
        made.append(
            adverse_events.record_adverse_event(participant=person, values=values, by=midwives[person.site.code])
        )
    return made


def _export(tmp_path, unzip, *args) -> object:
    output = tmp_path / "bundle.zip"
    call_command("export_dataset", *args, "--output", str(output))
    return unzip(output)


def test_the_identified_export_has_a_labelled_adverse_event_table(events, tmp_path, unzip):
    folder = _export(tmp_path, unzip, "--format", "csv", "--layout", "long", "--user", "coordinator",
                     "--language", "en")  # fmt: skip
    table = pd.read_csv(folder / "adverse_events.csv", dtype=str)
    assert len(table) == 2
    assert set(table["term"]) == {"infant_jaundice"}
    assert sorted(table["serious"]) == ["no", "yes"]
    assert DESCRIPTION in set(table["description"])
    codebook = pd.read_csv(folder / "codebook.csv", dtype=str)
    rows = codebook[codebook["table"] == "adverse_events"].set_index("variable")
    assert rows.loc["term", "label"] == "Adverse event"
    assert "infant_jaundice = Infant jaundice" in rows.loc["term", "allowed_values"]
    assert rows.loc["serious_hospitalisation", "label"] == "Requires or prolongs hospitalisation"


def test_the_spss_file_reads_back_with_value_labels_in_indonesian(events, tmp_path, unzip):
    folder = _export(tmp_path, unzip, "--format", "sav", "--layout", "long", "--user", "coordinator",
                     "--language", "id")  # fmt: skip
    frame, meta = pyreadstat.read_sav(folder / "adverse_events.sav")
    assert len(frame) == 2
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["severity"] == "Tingkat keparahan"
    assert "Bayi kuning (ikterus)" in meta.variable_value_labels["term"].values()


def test_the_deidentified_export_drops_free_text_and_dates(events, export_study, tmp_path, unzip):
    folder = _export(tmp_path, unzip, "--format", "csv", "--layout", "wide", "--deidentified",
                     "--user", "investigator")  # fmt: skip
    text = (folder / "adverse_events.csv").read_text()
    table = pd.read_csv(folder / "adverse_events.csv", dtype=str)
    assert DESCRIPTION not in text
    assert "description" not in table.columns
    assert "onset_date" not in table.columns
    assert "onset_offset_days" in table.columns
    ids = Participant.objects.filter(study=export_study).values_list("participant_id", flat=True)
    aliases = set(pseudonyms(export_study.slug, ids).values())
    assert set(table["participant_id"]) <= aliases
    for event in events:
        assert event.participant.participant_id not in text


def test_exclusions_are_exported_with_their_population(export_study, coordinator, tmp_path, unzip):
    from enrollment.exclusion import exclude_from_population

    person = Participant.objects.filter(study=export_study).order_by("participant_id").first()
    exclude_from_population(participant=person, scope="per_protocol", reason="Formula on days 2-4", by=coordinator)
    folder = _export(tmp_path, unzip, "--format", "csv", "--layout", "long", "--user", "coordinator")
    table = pd.read_csv(folder / "analysis_exclusions.csv", dtype=str)
    assert table.to_dict("records") == [
        {
            "participant_id": person.participant_id,
            "population": "per_protocol",
            "exclusion_reason": "Formula on days 2-4",
        }
    ]
    folder = _export(tmp_path, unzip, "--format", "csv", "--layout", "long", "--deidentified", "--user", "investigator")
    text = (folder / "analysis_exclusions.csv").read_text()
    assert "Formula" not in text
    assert person.participant_id not in text
