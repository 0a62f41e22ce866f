"""Adverse-event pages, role × action: allowed, read-only and forbidden, by site."""

import pytest
from django.urls import reverse

from observations.safety import adverse_events
from observations.safety.models import AdverseEvent

pytestmark = pytest.mark.django_db


def _form(values: dict, **extra) -> dict:
    data = {k: ("" if v is None else v) for k, v in values.items() if v not in (False,)}
    for name, value in values.items():
        if value is True:
            data[name] = "on"
    data["onset_date"] = values["onset_date"].isoformat()
    return data | extra


@pytest.mark.parametrize(
    ("username", "expected"),
    [("midwife.srp1", 200), ("midwife.par", 200), ("coordinator", 200), ("investigator", 200), ("outsider", 403)],
)
def test_the_list_needs_a_role(client_for, username, expected, cast):
    assert client_for(username).get(reverse("safety:ae_list")).status_code == expected


def test_a_midwife_never_sees_another_sites_events(client_for, make_event, participant, par_participant, midwife_par):
    mine, theirs = make_event(participant), make_event(par_participant, user=midwife_par)
    client = client_for("midwife.srp1")
    listing = client.get(reverse("safety:ae_list")).content.decode()
    assert participant.participant_id in listing
    assert par_participant.participant_id not in listing
    assert client.get(reverse("safety:ae_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("safety:ae_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("safety:ae_follow_up", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("safety:ae_new", args=[par_participant.pk])).status_code == 404


def test_a_midwife_enters_an_event_through_the_page(client_for, participant, ae_values):
    response = client_for("midwife.srp1").post(reverse("safety:ae_new", args=[participant.pk]), _form(ae_values()))
    event = AdverseEvent.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("safety:ae_detail", args=[event.pk])


def test_bad_input_shows_the_error_and_writes_nothing(client_for, participant, ae_values):
    data = _form(ae_values(term="other"))
    response = client_for("midwife.srp1").post(reverse("safety:ae_new", args=[participant.pk]), data)
    assert response.status_code == 200
    assert not AdverseEvent.objects.exists()
    assert "is-invalid" in response.content.decode()


@pytest.mark.parametrize("username", ["investigator", "monitor.srp1", "outsider"])
def test_only_midwives_and_coordinators_enter_events(client_for, monitor, participant, ae_values, username):
    response = client_for(username).post(reverse("safety:ae_new", args=[participant.pk]), _form(ae_values()))
    assert response.status_code == 403
    assert not AdverseEvent.objects.exists()


def test_a_follow_up_through_the_page_is_a_new_version(client_for, make_event, participant, ae_values):
    event = make_event(participant)
    data = _form(ae_values(severity="moderate"), version=1, reason="Worse at the second visit")
    response = client_for("coordinator").post(reverse("safety:ae_follow_up", args=[event.pk]), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.version, event.severity) == (2, "moderate")
    detail = client_for("investigator").get(reverse("safety:ae_detail", args=[event.pk])).content.decode()
    assert detail.count('data-testid="ae-version"') == 2
    assert "Worse at the second visit" not in detail  # the reason is free text: withheld from investigators
    detail = client_for("coordinator").get(reverse("safety:ae_detail", args=[event.pk])).content.decode()
    assert "Worse at the second visit" in detail


def test_the_badge_and_clock_show_for_the_investigator_and_coordinator_only(
    client_for, participant, midwife_srp1, serious_values
):
    adverse_events.record_adverse_event(participant=participant, values=serious_values, by=midwife_srp1)
    for username in ("investigator", "coordinator"):
        page = client_for(username).get(reverse("home")).content.decode()
        assert 'data-testid="sae-badge"' in page
        listing = client_for(username).get(reverse("safety:ae_list")).content.decode()
        assert 'data-testid="sae-clock"' in listing
    assert 'data-testid="sae-badge"' not in client_for("midwife.srp1").get(reverse("home")).content.decode()


@pytest.mark.parametrize(("username", "expected"), [("investigator", 302), ("midwife.srp1", 403), ("outsider", 403)])
def test_acknowledging_is_for_investigators_and_coordinators(
    client_for, participant, midwife_srp1, serious_values, username, expected
):
    event = adverse_events.record_adverse_event(participant=participant, values=serious_values, by=midwife_srp1)
    response = client_for(username).post(reverse("safety:ae_acknowledge", args=[event.pk]))
    assert response.status_code == expected
    event.refresh_from_db()
    assert (event.acknowledged_at is not None) == (expected == 302)


def test_reporting_through_the_page_stops_the_clock(client_for, participant, midwife_srp1, serious_values):
    event = adverse_events.record_adverse_event(participant=participant, values=serious_values, by=midwife_srp1)
    client = client_for("coordinator")
    client.post(reverse("safety:ae_report", args=[event.pk]), {"reference": "KEPK-77"})
    event.refresh_from_db()
    assert event.reported_at is not None
    assert event.acknowledged_at is not None
    assert 'data-testid="sae-badge"' not in client.get(reverse("home")).content.decode()


def test_a_monitor_reads_events_at_her_site_only(
    client_for, monitor, make_event, participant, par_participant, midwife_par
):
    mine, theirs = make_event(participant), make_event(par_participant, user=midwife_par)
    client = client_for("monitor.srp1")
    assert client.get(reverse("safety:ae_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("safety:ae_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("safety:ae_follow_up", args=[mine.pk])).status_code == 403
