"""import_trial_data and the browser import: all or nothing, every error with file, line and column."""

import pghistory.models
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from enrollment.models import Participant
from observations.models import Observation
from trialsite.audit import history_for

from .conftest import O_HEADER, P_HEADER, obs_line

pytestmark = pytest.mark.django_db


def run(write, participants, observations, user="coordinator"):
    call_command(
        "import_trial_data", write("participants.csv", participants), write("observations.csv", observations),
        "--study", "moringa-oxytocin", "--user", user,
    )  # fmt: skip


def snapshot():
    return Participant.objects.count(), Observation.objects.count(), pghistory.models.Events.objects.count()


def test_a_good_import_creates_participants_and_observations(write, participants_csv, observations_csv, cast):
    run(write, participants_csv, observations_csv)
    assert Participant.objects.filter(participant_id__startswith="IMP").count() == 2
    scores = dict(Observation.objects.values_list("participant__participant_id", "score").filter(day=1))
    assert scores == {"IMP-001": 4, "IMP-002": 5}
    assert Observation.objects.get(day=2).missing_reason == "not_visited"


def test_imported_rows_are_attributed_to_the_user_with_the_file_name(write, participants_csv, observations_csv, cast):
    run(write, participants_csv, observations_csv)
    entry = history_for(Observation.objects.get(day=1, participant__participant_id="IMP-001"))[0]
    assert (entry.user, entry.reason) == ("coordinator", "observations.csv")
    entry = history_for(Participant.objects.get(participant_id="IMP-001"))[0]
    assert (entry.user, entry.reason) == ("coordinator", "participants.csv")


def test_observations_may_reference_stored_participants(write, participant, cast, start):
    csv = f"{O_HEADER}\n" + obs_line(participant.participant_id, 1, participant.intervention_start) + "\n"
    run(write, P_HEADER + "\n", csv)
    assert Observation.objects.get().participant == participant


def assert_fails(capsys, write, participants, observations, *expected):
    before = snapshot()
    with pytest.raises(CommandError):
        run(write, participants, observations)
    assert snapshot() == before
    err = capsys.readouterr().err
    for text in expected:
        assert text in err, err
    return err


def test_a_bad_value_fails_with_file_line_and_column(capsys, write, participants_csv, observations_csv, start, cast):
    bad = observations_csv.replace("IMP-001,1,", "IMP-001,1,", 1).splitlines()
    bad[1] = bad[1].replace(",7,2.5,", ",abc,2.5,", 1)
    assert_fails(capsys, write, participants_csv, "\n".join(bad), "observations.csv, line 2, column wet_diapers_24h")


def test_an_unknown_participant_fails(capsys, write, participants_csv, observations_csv, start, cast):
    bad = observations_csv + obs_line("NOPE-9", 1, start) + "\n"
    assert_fails(capsys, write, participants_csv, bad, "line 5, column participant_id")


def test_a_duplicate_day_fails(capsys, write, participants_csv, observations_csv, start, cast):
    bad = observations_csv + obs_line("IMP-001", 1, start, feeds="7", score="4") + "\n"
    assert_fails(capsys, write, participants_csv, bad, "line 5, column day")


def test_a_day_already_stored_fails(capsys, write, participant, record, cast):
    record(participant, 1)
    csv = f"{O_HEADER}\n" + obs_line(participant.participant_id, 1, participant.intervention_start) + "\n"
    assert_fails(capsys, write, P_HEADER + "\n", csv, "line 2, column day")


def test_a_score_that_disagrees_fails(capsys, write, participants_csv, observations_csv, cast):
    bad = observations_csv.replace(",yes,,,,4", ",yes,,,,5")
    assert bad != observations_csv
    assert_fails(capsys, write, participants_csv, bad, "line 2, column score")


def test_a_day_after_withdrawal_fails(capsys, write, participants_csv, observations_csv, start, cast):
    bad = observations_csv + obs_line("IMP-002", 5, start, arm="massage") + "\n"
    assert_fails(capsys, write, participants_csv, bad, "line 5, column observed_on")


def test_an_unknown_column_fails(capsys, write, participants_csv, observations_csv, cast):
    bad = observations_csv.replace("score\n", "score,colour\n", 1).replace("\n", ",\n").replace("colour,\n", "colour\n")
    assert_fails(capsys, write, participants_csv, bad, "line 1, column colour")


def test_bad_participant_rows_fail(capsys, write, participants_csv, observations_csv, cast):
    bad = participants_csv.replace("IMP-001,SRP1,moringa", "IMP-001,NOPE,moringa").replace(",moved away,", ",,")
    err = assert_fails(capsys, write, bad, observations_csv, "participants.csv, line 2, column site")
    assert "participants.csv, line 3, column status_reason" in err


def test_an_unknown_user_fails(write, participants_csv, observations_csv, cast):
    with pytest.raises(CommandError, match="No user"):
        run(write, participants_csv, observations_csv, user="nobody")
    assert Participant.objects.count() == 0


def upload(client, participants, observations):
    return client.post(reverse("observations:import"), {
        "participants_file": SimpleUploadedFile("p.csv", participants.encode()),
        "observations_file": SimpleUploadedFile("o.csv", observations.encode()),
    })  # fmt: skip


def test_browser_import_previews_then_imports_on_confirm(client_for, participants_csv, observations_csv):
    client = client_for("coordinator")
    preview = upload(client, participants_csv, observations_csv)
    assert preview.status_code == 200
    assert Participant.objects.count() == 0
    confirm = preview.context["confirm"]
    response = client.post(reverse("observations:import"), {**confirm.initial, "confirm": "1"})
    assert response.status_code == 302
    assert Observation.objects.count() == 3


def test_browser_import_shows_errors_and_writes_nothing(client_for, participants_csv, observations_csv):
    response = upload(client_for("coordinator"), participants_csv, observations_csv.replace(",yes,,,,4", ",yes,,,,5"))
    assert response.context["confirm"] is None
    assert [(e.file, e.line, e.column) for e in response.context["errors"]] == [("o.csv", 2, "score")]
    assert Participant.objects.count() == 0


@pytest.mark.parametrize(
    ("username", "status"), [("coordinator", 200), ("investigator", 403), ("midwife.srp1", 403), ("outsider", 403)]
)
def test_browser_import_is_for_coordinators(client_for, username, status):
    assert client_for(username).get(reverse("observations:import")).status_code == status


def test_browser_import_refuses_a_file_that_is_not_utf8(client_for, participants_csv):
    response = client_for("coordinator").post(reverse("observations:import"), {
        "participants_file": SimpleUploadedFile("p.csv", participants_csv.encode()),
        "observations_file": SimpleUploadedFile("o.csv", "participant_id,day\nIBU-Ä,1\n".encode("latin-1")),
    })  # fmt: skip
    assert [(e.file, e.line, e.column) for e in response.context["errors"]] == [("o.csv", 2, "5")]
    assert "UTF-8" in response.context["errors"][0].message
    assert Participant.objects.count() == 0


def test_confirming_the_same_preview_twice_imports_once(client_for, participants_csv, observations_csv):
    client = client_for("coordinator")
    confirm = upload(client, participants_csv, observations_csv).context["confirm"]
    client.post(reverse("observations:import"), {**confirm.initial, "confirm": "1"})
    again = client.post(reverse("observations:import"), {**confirm.initial, "confirm": "1"})
    assert again.status_code == 302  # the upload was used: back to the form, with a message
    assert Participant.objects.count() == 2
    assert Observation.objects.count() == 3


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_coordinator_imports_through_the_browser(page, live_server, login, cast, participants_csv, observations_csv):
    login(page, "coordinator")
    page.goto(f"{live_server.url}{reverse('observations:import')}")
    page.set_input_files(
        "input[name=participants_file]",
        files=[{"name": "participants.csv", "mimeType": "text/csv", "buffer": participants_csv.encode()}],
    )
    page.set_input_files(
        "input[name=observations_file]",
        files=[{"name": "observations.csv", "mimeType": "text/csv", "buffer": observations_csv.encode()}],
    )
    page.click("[data-testid=import-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=import-preview]").is_visible()
    page.click("[data-testid=import-confirm]")
    page.wait_for_load_state("networkidle")
    assert Observation.objects.count() == 3
    assert "Kelengkapan" in page.content()
