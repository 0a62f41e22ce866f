"""Imports stay bounded and honest: size cap, server-side staging, hostile bytes, every error, the documented format."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError
from django.urls import reverse

from enrollment.models import Participant
from observations.models import Observation

from .conftest import O_HEADER, obs_line
from .test_import import assert_fails, run, snapshot, upload

pytestmark = pytest.mark.django_db


def post_bytes(client, participants: bytes, observations: bytes):
    return client.post(reverse("observations:import"), {
        "participants_file": SimpleUploadedFile("p.csv", participants),
        "observations_file": SimpleUploadedFile("o.csv", observations),
    })  # fmt: skip


def messages_of(response) -> str:
    form_errors = " ".join(str(e) for errs in response.context["form"].errors.values() for e in errs)
    rows = " ".join(str(e) for e in response.context.get("errors") or [])
    return form_errors + " " + rows


def test_a_file_above_the_size_cap_is_refused_with_a_clear_message(client_for, settings, participants_csv):
    settings.IMPORT_MAX_BYTES = 1000
    big = (O_HEADER + "\n").encode() + b"x" * 2000
    client = client_for("coordinator")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = post_bytes(client, participants_csv.encode(), big)
    assert response.status_code == 200
    assert "o.csv is larger than the limit of 1000\xa0bytes" in messages_of(response)
    assert Participant.objects.count() == 0


def test_the_size_cap_defaults_to_20_mb(settings):
    from django.conf import settings as live

    assert live.IMPORT_MAX_BYTES == 20 * 1024 * 1024


def test_the_preview_keeps_the_upload_on_the_server_not_in_the_page(client_for, participants_csv, observations_csv):
    client = client_for("coordinator")
    preview = upload(client, participants_csv, observations_csv)
    page = preview.content.decode()
    assert "IMP-001,SRP1" not in page
    assert "participants_text" not in page
    response = client.post(reverse("observations:import"), {**preview.context["confirm"].initial, "confirm": "1"})
    assert response.status_code == 302
    assert Observation.objects.count() == 3


def test_another_user_cannot_confirm_a_staged_upload(client_for, participants_csv, observations_csv, cast):
    from django.contrib.auth.models import Group

    preview = upload(client_for("coordinator"), participants_csv, observations_csv)
    other = cast["outsider"]
    other.groups.add(Group.objects.get(name="coordinator"))
    response = client_for("outsider").post(
        reverse("observations:import"), {**preview.context["confirm"].initial, "confirm": "1"}
    )
    assert response.status_code in (200, 302)
    assert Participant.objects.count() == 0


def test_a_nul_byte_is_refused_with_line_and_column(client_for, participants_csv, observations_csv):
    bad = observations_csv.replace("IMP-001,1,", "IMP-001,1\x00,", 1)
    response = upload(client_for("coordinator"), participants_csv, bad)
    errors = [(e.file, e.line) for e in response.context["errors"]]
    assert ("o.csv", 2) in errors, messages_of(response)
    assert "NUL" in messages_of(response)
    assert response.context["confirm"] is None


def test_a_nul_byte_makes_the_command_fail_cleanly(capsys, write, participants_csv, observations_csv, cast):
    bad = observations_csv.replace("IMP-001,1,", "IMP-001,1\x00,", 1)
    assert_fails(capsys, write, participants_csv, bad, "observations.csv, line 2, column 10", "NUL")


def test_a_superscript_digit_in_day_is_an_error_not_a_crash(capsys, write, participants_csv, observations_csv, cast):
    bad = observations_csv.replace("IMP-001,1,", "IMP-001,\u00b9,", 1)
    assert_fails(capsys, write, participants_csv, bad, "observations.csv, line 2, column day")


@pytest.mark.parametrize("digit", ["\u0661", "\uff11", "\u00b2"])
def test_non_ascii_digits_in_numbers_are_refused(capsys, write, participants_csv, observations_csv, cast, digit):
    bad = observations_csv.replace(",7,2.5,yes", f",{digit},2.5,yes", 1)
    assert_fails(capsys, write, participants_csv, bad, "observations.csv, line 2, column wet_diapers_24h")


def test_a_latin1_file_is_refused_with_line_and_column(client_for, participants_csv, observations_csv):
    bad = (participants_csv + "IMP-003,SRP1,moringa,2026-01-01,2026-01-01,active,,,28,1\n").replace(
        "IMP-003", "IBU-\u00c4"
    )
    response = post_bytes(client_for("coordinator"), bad.encode("latin-1"), observations_csv.encode())
    text = messages_of(response)
    assert "line 4" in text, text
    assert "column 5" in text
    assert "UTF-8" in text
    assert Participant.objects.count() == 0


def test_a_binary_file_is_refused(client_for, observations_csv):
    binary = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256))
    response = post_bytes(client_for("coordinator"), binary, observations_csv.encode())
    assert "line 1" in messages_of(response)
    assert Participant.objects.count() == 0


def test_a_massage_row_with_minutes_and_empty_adherence_imports_as_documented(
    write,
    participants_csv,
    observations_csv,
    start,
    cast,
):
    row = obs_line("IMP-002", 2, start, arm="massage").replace(",yes,15,", ",,15,")
    run(write, participants_csv, observations_csv + row + "\n")
    stored = Observation.objects.get(participant__participant_id="IMP-002", day=2)
    assert stored.massage_minutes == 15


def test_every_error_of_a_row_is_reported(capsys, write, participants_csv, observations_csv, cast):
    bad = observations_csv.replace(",7,2.5,yes", ",77,30,yes", 1).replace("IMP-001,1,", "IMP-001,1,", 1)
    bad = bad.replace("IMP-001,1,", "IMP-001,1,", 1)
    lines = bad.splitlines()
    lines[1] = lines[1].replace(",7,", ",99,", 1)
    err = assert_fails(capsys, write, participants_csv, "\n".join(lines) + "\n",
                       "line 2, column feeds_24h", "line 2, column wet_diapers_24h")  # fmt: skip
    assert "line 2, column sleep_after_feed_hours" in err


def test_errors_beyond_the_cap_are_summarised(capsys, write, participants_csv, settings, start, cast):
    settings.IMPORT_MAX_ERRORS = 5
    rows = [O_HEADER] + [f"NOPE-{i},1,,,,,,,,,," for i in range(12)]
    err = assert_fails(capsys, write, participants_csv, "\n".join(rows) + "\n", "\u2026 and 7 more")
    assert err.count("column participant_id") == 5


def test_a_100000_character_note_is_refused(capsys, write, participants_csv, observations_csv, cast):
    header, first, *_rest = observations_csv.splitlines()
    header = header.replace(",adherence", ",notes,adherence")
    cells = first.split(",")
    cells.insert(7, "n" * 100_000)
    body = "\n".join([header, ",".join(cells)]) + "\n"
    assert_fails(capsys, write, participants_csv, body, "line 2, column notes", "2000")


def test_a_too_long_status_reason_is_refused(capsys, write, participants_csv, observations_csv, cast):
    bad = participants_csv.replace("moved away", "m" * 5000)
    assert_fails(capsys, write, bad, observations_csv, "participants.csv, line 3, column status_reason")


def test_the_import_page_offers_a_template_and_links_the_format(client_for):
    page = client_for("coordinator").get(reverse("observations:import")).content.decode()
    assert reverse("observations:import_template", args=["participants"]) in page
    assert reverse("observations:import_template", args=["observations"]) in page
    assert reverse("observations:import_format") in page


@pytest.mark.parametrize(
    ("name", "header"), [("participants", "participant_id,site,arm"), ("observations", "participant_id,day")]
)
def test_the_templates_download_as_csv_with_the_documented_header(client_for, name, header):
    response = client_for("coordinator").get(reverse("observations:import_template", args=[name]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith(header)


def test_the_format_page_shows_the_interchange_specification(client_for):
    response = client_for("coordinator").get(reverse("observations:import_format"))
    assert response.status_code == 200
    assert "massage_minutes" in response.content.decode()


def test_an_escaped_formula_in_a_note_imports_as_typed(write, participants_csv, start, cast):
    header = O_HEADER.replace(",adherence", ",notes,adherence")
    cells = obs_line("IMP-001", 1, start, feeds="7", score="4").split(",")
    cells.insert(7, "'=HYPERLINK(x;KLIK)")
    run(write, participants_csv, "\n".join([header, ",".join(cells)]) + "\n")
    assert Observation.objects.get(participant__participant_id="IMP-001").notes == "=HYPERLINK(x;KLIK)"


def test_nothing_is_written_when_the_command_fails(capsys, write, participants_csv, cast):
    before = snapshot()
    with pytest.raises(CommandError):
        run(write, participants_csv, f"{O_HEADER}\nIMP-001,\u00b9\n")
    assert snapshot() == before


def test_an_enrolment_dated_9999_is_refused_by_the_import(
    capsys, write, participants_csv, observations_csv, start, cast
):
    d = start.isoformat()
    bad = participants_csv.replace(f"IMP-001,SRP1,moringa,{d},{d},", "IMP-001,SRP1,moringa,9999-12-31,9999-12-31,", 1)
    assert bad != participants_csv
    assert_fails(capsys, write, bad, observations_csv, "participants.csv, line 2, column enrolled_on")


def test_a_day_1_months_after_enrolment_is_refused_by_the_import(
    capsys, write, participants_csv, observations_csv, start, cast
):
    later = (start + timedelta(days=31)).isoformat()
    bad = participants_csv.replace(f"IMP-001,SRP1,moringa,{start.isoformat()},{start.isoformat()},",
                                   f"IMP-001,SRP1,moringa,{start.isoformat()},{later},", 1)  # fmt: skip
    assert_fails(capsys, write, bad, observations_csv, "participants.csv, line 2, column intervention_start")


def test_an_enrolment_before_the_study_start_is_refused_by_the_import(capsys, write, study, participants_csv,
                                                                      observations_csv, start, cast):  # fmt: skip
    study.start_date = start + timedelta(days=1)
    study.save(update_fields=["start_date"])
    assert_fails(capsys, write, participants_csv, observations_csv, "participants.csv, line 2, column enrolled_on")
