"""The load test's people (bench/flows.py, played by bench/locustfile.py) judge the app's answers as the app gives them.

Each flow is played here through Django's test client on the seeded demo study: a save the app made
must count as saved, a day outside its window must be saved after its deviation reason, a refusal
must count as refused, and the export must count as downloaded.
"""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from bench import flows
from enrollment.models import Participant
from observations.models import Observation

pytestmark = pytest.mark.django_db


@pytest.fixture
def mother(cast, study, site_srp1, arm_moringa):
    """A mother at SRP1 whose day 1 was three days ago: day 4 is due today, days 1–3 overdue."""
    start = timezone.localdate() - timedelta(days=3)
    return Participant.objects.create(
        study=study, site=site_srp1, arm=arm_moringa, participant_id="SRP1-900", enrolled_on=start,
        intervention_start=start,
    )  # fmt: skip


def _path(mother, day: int) -> str:
    return f"/observations/participant/{mother.pk}/day/{day}/"


def _post(client, path: str, fields: dict):
    response = client.post(path, fields)
    body = response.content.decode()
    return flows.save_outcome(response.status_code, response.headers, body, first_entry="reason" not in fields), body


def _form(client, path: str) -> dict:
    return flows.filled(flows.form_fields(client.get(path).content.decode()))


def test_a_day_due_today_saved_as_the_load_test_saves_it_counts_as_saved(mother, client_for):
    midwife = client_for("midwife.srp1")
    today = midwife.get("/observations/today/").content.decode()
    assert _path(mother, 4) in [link for link, *_ in flows.FORM_LINK.findall(today)]
    fields = _form(midwife, _path(mother, 4))
    assert not flows.is_correction(fields)
    outcome, body = _post(midwife, _path(mother, 4), fields)
    assert outcome is flows.Saved.SAVED, flows.refusal(200, body)
    assert Observation.objects.filter(participant=mother, day=4).exists()


def test_a_day_saved_outside_its_window_needs_its_deviation_reason_then_counts_as_saved(mother, client_for):
    midwife = client_for("midwife.srp1")
    today = _form(midwife, _path(mother, 4))["observed_on"]
    fields = _form(midwife, _path(mother, 1)) | {"observed_on": today}
    outcome, _body = _post(midwife, _path(mother, 1), fields)
    assert outcome is flows.Saved.NEEDS_DEVIATION_REASON
    assert not Observation.objects.filter(participant=mother, day=1).exists()
    outcome, body = _post(midwife, _path(mother, 1), fields | {"deviation_reason": flows.DEVIATION_REASON})
    assert outcome is flows.Saved.SAVED, flows.refusal(200, body)
    assert Observation.objects.get(participant=mother, day=1).deviation_reason == flows.DEVIATION_REASON


def test_a_correction_from_the_timeline_counts_as_saved(mother, client_for):
    midwife = client_for("midwife.srp1")
    assert _post(midwife, _path(mother, 4), _form(midwife, _path(mother, 4)))[0] is flows.Saved.SAVED
    timeline = midwife.get(f"/observations/participant/{mother.pk}/").content.decode()
    assert _path(mother, 4) in [link for link, *_ in flows.FORM_LINK.findall(timeline)]
    fields = _form(midwife, _path(mother, 4))
    assert flows.is_correction(fields)
    outcome, body = _post(midwife, _path(mother, 4), flows.filled(fields, wet_diapers=5))
    assert outcome is flows.Saved.SAVED, flows.refusal(200, body)
    stored = Observation.objects.get(participant=mother, day=4)
    assert (stored.version, stored.wet_diapers_24h) == (2, 5)


def test_a_first_entry_of_a_day_someone_else_saved_meanwhile_counts_as_taken(mother, client_for):
    midwife = client_for("midwife.srp1")
    fields = _form(midwife, _path(mother, 4))
    other = _form(midwife, _path(mother, 4))
    assert _post(midwife, _path(mother, 4), other)[0] is flows.Saved.SAVED
    outcome, _body = _post(midwife, _path(mother, 4), fields)
    assert outcome is flows.Saved.TAKEN
    assert Observation.objects.get(participant=mother, day=4).version == 1


def test_a_first_entry_overtaken_between_the_pages_read_and_its_save_counts_as_taken(
    mother, client_for, cast, monkeypatch
):
    """The race of two midwives on one day: the other's save commits while this one is being saved."""
    from observations import services

    real = services.record_observation

    def overtaken(**kwargs):
        real(**{**kwargs, "by": cast["midwife.par"], "idempotency_key": uuid.uuid4()})
        return real(**kwargs)

    midwife = client_for("midwife.srp1")
    fields = _form(midwife, _path(mother, 4))
    monkeypatch.setattr(services, "record_observation", overtaken)
    outcome, body = _post(midwife, _path(mother, 4), fields)
    assert outcome is flows.Saved.TAKEN, flows.refusal(200, body)
    assert Observation.objects.get(participant=mother, day=4).version == 1


def test_a_correction_someone_else_corrected_meanwhile_counts_as_taken(mother, client_for):
    midwife = client_for("midwife.srp1")
    assert _post(midwife, _path(mother, 4), _form(midwife, _path(mother, 4)))[0] is flows.Saved.SAVED
    mine, theirs = _form(midwife, _path(mother, 4)), _form(midwife, _path(mother, 4))
    assert _post(midwife, _path(mother, 4), flows.filled(theirs, wet_diapers=5))[0] is flows.Saved.SAVED
    outcome, _body = _post(midwife, _path(mother, 4), flows.filled(mine, wet_diapers=8))
    assert outcome is flows.Saved.TAKEN
    assert Observation.objects.get(participant=mother, day=4).wet_diapers_24h == 5


def test_a_day_recorded_as_not_observed_is_recognised_and_left_alone(mother, cast, client_for):
    from observations import services

    services.record_observation(
        participant=mother, day=1, values={"missing_reason": "unreachable"}, by=cast["midwife.srp1"]
    )
    midwife = client_for("midwife.srp1")
    assert flows.recorded_as_missing(flows.form_fields(midwife.get(_path(mother, 1)).content.decode()))
    assert not flows.recorded_as_missing(flows.form_fields(midwife.get(_path(mother, 2)).content.decode()))


def test_a_save_without_its_values_counts_as_refused_with_the_forms_error(mother, client_for):
    midwife = client_for("midwife.srp1")
    fields = flows.form_fields(midwife.get(_path(mother, 4)).content.decode())
    outcome, body = _post(midwife, _path(mother, 4), fields)
    assert outcome is flows.Saved.REFUSED
    assert flows.refusal(200, body) != "200: no form error"


def test_the_coordinators_csv_export_counts_as_downloaded(mother, client_for):
    coordinator = client_for("coordinator")
    fields = flows.form_fields(coordinator.get("/analysis/export/").content.decode())
    response = coordinator.post("/analysis/export/download/", fields | {"file_format": "csv", "layout": "long"})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert flows.is_export(response.status_code, response.headers, content), (response.status_code, content[:300])


def test_the_investigators_poller_polls_what_the_page_names_and_hears_nothing_changed(mother, client_for):
    investigator = client_for("investigator")
    url = flows.poll_url(investigator.get("/analysis/").content.decode())
    assert url.startswith("/analysis/live/?")
    assert "fingerprint=" in url
    assert "sections=" in url
    assert investigator.get(url, HTTP_HX_REQUEST="true").status_code == 204


def test_a_load_test_investigator_signs_in_with_her_authenticator_and_reaches_the_dashboard(mother, client):
    from bench.load_people import create_people

    key = "3132333435363738393031323334353637383930"
    create_people(investigators=2, coordinators=1, password="Load-test-Passw0rd", key=key)
    login = flows.form_fields(client.get("/accounts/login/").content.decode())
    client.post("/accounts/login/", login | {"username": "investigator.load2", "password": "Load-test-Passw0rd"})
    assert "/accounts/two-factor/" in client.get("/analysis/").headers["Location"]
    step = flows.form_fields(client.get("/accounts/two-factor/").content.decode())
    assert client.post("/accounts/two-factor/", step | {"token": flows.totp(key)}).status_code == 302
    assert client.get("/analysis/").status_code == 200


def test_the_authenticator_code_is_rfc_6238s():
    key = "3132333435363738393031323334353637383930"  # RFC 6238 appendix B, SHA-1: 94287082 at t = 59
    assert flows.totp(key, at=59) == "287082"
    assert flows.totp(key, at=1111111109) == "081804"


def test_a_midwife_finds_her_mothers_timelines_on_the_participant_list(mother, client_for):
    midwife = client_for("midwife.srp1")
    timelines = flows.timelines_in_list(midwife.get("/enrollment/participants/").content.decode())
    assert timelines == [f"/observations/participant/{mother.pk}/"]
    assert midwife.get(timelines[0]).status_code == 200


def test_a_refusal_names_the_field_its_error_is_on(mother, client_for):
    midwife = client_for("midwife.srp1")
    assert _post(midwife, _path(mother, 4), _form(midwife, _path(mother, 4)))[0] is flows.Saved.SAVED
    fields = flows.filled(_form(midwife, _path(mother, 4))) | {"reason": ""}
    outcome, body = _post(midwife, _path(mother, 4), fields)
    assert outcome is flows.Saved.REFUSED
    assert flows.refusal(200, body).startswith("200: id_reason: ")


def test_a_day_not_yet_saved_opened_from_the_timeline_is_a_first_entry_and_counts_as_taken_when_overtaken(
    mother, client_for
):
    """The timeline links days not yet saved too. Such a form is a first entry: overtaken by another midwife's
    save it comes back as the day's correction form asking for a reason, which is "taken meanwhile" when
    judged by the form the app gave (the load test once judged it by the link's page: a refusal on id_reason)."""
    midwife = client_for("midwife.srp1")
    timeline = midwife.get(f"/observations/participant/{mother.pk}/").content.decode()
    assert _path(mother, 4) in [link for link, *_ in flows.FORM_LINK.findall(timeline)]
    opened = flows.form_fields(midwife.get(_path(mother, 4)).content.decode())
    assert not flows.is_correction(opened)
    assert _post(midwife, _path(mother, 4), _form(midwife, _path(mother, 4)))[0] is flows.Saved.SAVED
    response = midwife.post(_path(mother, 4), flows.filled(opened))
    body = response.content.decode()
    assert flows.save_outcome(200, response.headers, body, first_entry=True) is flows.Saved.TAKEN
    assert flows.save_outcome(200, response.headers, body, first_entry=False) is flows.Saved.REFUSED
    assert flows.refusal(200, body).startswith("200: id_reason: ")
