"""A de-identified bundle holds no direct identifier, no participant ID and no calendar date."""

import io
import re
import zipfile

import pandas as pd
import pyreadstat
import pytest
from django.core.management import call_command
from django.urls import reverse

from enrollment.deidentify import pseudonyms
from enrollment.models import Participant
from tests.analysis import shared_export

pytestmark = pytest.mark.django_db


# One export study for the module, built once; each test's writes are rolled back after it.
study, cast, export_study = shared_export.study, shared_export.cast, shared_export.export_study


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def texts_of(path) -> list[str]:
    """Everything readable in a file: its bytes as text, and for containers their cells and XML."""
    texts = [path.read_bytes().decode("utf-8", errors="replace")]
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            texts += [book.read(name).decode("utf-8", errors="replace") for name in book.namelist()]
    if path.suffix in (".sav", ".dta"):
        frame, _meta = (pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta)(path)
        texts.append(frame.astype(str).to_csv())
    return texts


def identifiers(study) -> list[str]:
    found = []
    for p in Participant.objects.filter(study=study):
        found += [p.participant_id, p.full_name, p.phone, p.date_of_birth.isoformat(),
                  p.date_of_birth.strftime("%d/%m/%Y"), p.enrolled_on.isoformat()]  # fmt: skip
    return [text for text in found if text]


@pytest.mark.parametrize(("file_format", "layout"), [("csv", "long"), ("csv", "wide"), ("xlsx", "long"),
                                                     ("sav", "wide"), ("dta", "long")])  # fmt: skip
def test_deidentified_bundle_contains_none_of_the_demo_identifiers(export_study, tmp_path, unzip, file_format, layout):
    output = tmp_path / "bundle.zip"
    call_command("export_dataset", "--format", file_format, "--layout", layout, "--deidentified",
                 "--user", "investigator", "--output", str(output))  # fmt: skip
    folder = unzip(output)
    secrets = identifiers(export_study)
    assert len(secrets) > 40
    for path in folder.iterdir():
        for text in texts_of(path):
            leaked = [s for s in secrets if s in text]
            assert not leaked, f"{path.name} contains {leaked[:3]}"
            if path.name not in ("manifest.json", "results.json"):
                assert not ISO_DATE.search(text), f"{path.name} contains a calendar date"


def test_pseudonyms_are_stable_across_exports_and_replace_the_ids(export_study, tmp_path, unzip):
    frames = []
    for n in (1, 2):
        output = tmp_path / f"b{n}.zip"
        call_command("export_dataset", "--format", "csv", "--layout", "long", "--deidentified",
                     "--user", "coordinator", "--output", str(output))  # fmt: skip
        frames.append(pd.read_csv(unzip(output) / "participants.csv", dtype=str))
    assert frames[0]["participant_id"].tolist() == frames[1]["participant_id"].tolist()
    ids = Participant.objects.filter(study=export_study).values_list("participant_id", flat=True)
    assert set(frames[0]["participant_id"]) == set(pseudonyms(export_study.slug, ids).values())
    assert all(alias.startswith("P-") and len(alias) == 18 for alias in frames[0]["participant_id"])


def test_dates_become_days_relative_to_the_intervention_start(export_study, tmp_path, unzip):
    output = tmp_path / "b.zip"
    call_command("export_dataset", "--format", "csv", "--layout", "long", "--deidentified",
                 "--user", "coordinator", "--output", str(output))  # fmt: skip
    folder = unzip(output)
    people = pd.read_csv(folder / "participants.csv", dtype=str, keep_default_na=False)
    observations = pd.read_csv(folder / "observations.csv", dtype=str, keep_default_na=False)
    assert {"enrolled_offset_days", "status_offset_days"} <= set(people.columns)
    assert not {"enrolled_on", "intervention_start", "status_date", "full_name", "phone"} & set(people.columns)
    assert not {"observed_on", "notes", "deviation_reason"} & set(observations.columns)
    aliases = pseudonyms(export_study.slug, Participant.objects.values_list("participant_id", flat=True))
    participant = Participant.objects.filter(study=export_study).order_by("participant_id").first()
    row = people[people.participant_id == aliases[participant.participant_id]].iloc[0]
    assert int(row["enrolled_offset_days"]) == (participant.enrolled_on - participant.intervention_start).days
    observation = participant.observations.exclude(observed_on=None).first()
    mine = observations[(observations.participant_id == aliases[participant.participant_id])
                        & (observations.day == str(observation.day))].iloc[0]  # fmt: skip
    assert int(mine["observed_offset_days"]) == (observation.observed_on - participant.intervention_start).days


def test_the_page_serves_investigators_a_deidentified_bundle(client_for, export_study):
    response = client_for("investigator").post(
        reverse("exports:export_download"),
        {"file_format": "csv", "layout": "wide", "identification": "deidentified", "site": "", "language": "id"},
    )
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as bundle:
        data = bundle.read("data.csv").decode()
    assert not [s for s in identifiers(export_study) if s in data]
