"""The import page explains the format, keeps a checked upload after an error, and takes observations alone."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enrollment.models import Participant
from observations.interchange import OBSERVATION_REQUIRED, PARTICIPANT_REQUIRED
from observations.models import Observation

from .conftest import O_HEADER, obs_line

pytestmark = pytest.mark.django_db
IMPORT = reverse("observations:import")


def csv_file(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode())


def test_the_page_lists_the_columns_with_an_example_and_links_the_format(client_for):
    response = client_for("coordinator").get(IMPORT)
    html = response.content.decode()
    shown = response.context["format_help"]
    assert shown["participants"]["required"] == PARTICIPANT_REQUIRED
    assert shown["observations"]["example"].splitlines()[0].startswith("participant_id,day,observed_on")
    assert len(shown["observations"]["example"].splitlines()) == 2
    assert reverse("observations:import_format") in html
    assert "sleep_after_feed_hours" in html
    assert ", ".join(OBSERVATION_REQUIRED) in html


def test_observations_alone_are_imported_for_participants_already_enrolled(client_for, participant, start):
    client = client_for("coordinator")
    observations = f"{O_HEADER}\n" + obs_line(participant.participant_id, 1, participant.intervention_start) + "\n"
    preview = client.post(IMPORT, {"observations_file": csv_file("observations.csv", observations)})
    assert preview.status_code == 200
    assert list(preview.context["errors"]) == []
    response = client.post(IMPORT, {**preview.context["confirm"].initial, "confirm": "1"})
    assert response.status_code == 302
    assert Observation.objects.get().participant == participant


def test_no_file_at_all_is_a_clear_error(client_for):
    response = client_for("coordinator").post(IMPORT, {})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Observation.objects.count() == 0


def test_after_an_error_the_upload_is_kept_and_only_the_fixed_file_is_chosen_again(
    client_for, participants_csv, observations_csv
):
    client = client_for("coordinator")
    broken = observations_csv.replace(",yes,,,,4", ",yes,,,,5")
    failed = client.post(IMPORT, {
        "participants_file": csv_file("participants.csv", participants_csv),
        "observations_file": csv_file("observations.csv", broken),
    })  # fmt: skip
    assert failed.context["errors"]
    token = failed.context["form"].initial["upload"]
    assert "participants.csv" in failed.content.decode()  # named as kept
    fixed = client.post(IMPORT, {"upload": token, "observations_file": csv_file("observations.csv", observations_csv)})
    assert list(fixed.context["errors"]) == []
    client.post(IMPORT, {**fixed.context["confirm"].initial, "confirm": "1"})
    assert Participant.objects.filter(participant_id__startswith="IMP").count() == 2
    assert Observation.objects.count() == 3
