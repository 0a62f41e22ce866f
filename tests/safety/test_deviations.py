"""The protocol-deviation register: automatic out-of-window entries, entry by the coordinator, filters, export."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from observations.safety import deviations
from observations.safety.models import ProtocolDeviation

pytestmark = pytest.mark.django_db


@pytest.fixture
def deviation_values(today):
    def make(**changes):
        values = {
            "category": "consent", "grade": "major", "description": "Old consent form version used",
            "corrective_action": "", "preventive_action": "", "occurred_on": today - timedelta(days=2),
            "identified_on": today, "resolved_on": None,
        }  # fmt: skip
        return values | changes

    return make


def _out_of_window(participant, record, day=1):
    late = participant.intervention_start + timedelta(days=day + 1)  # the window is ± 1 day
    return record(participant, day, observed_on=late.isoformat(), deviation_reason="Mother was at her parents' house")


def test_an_out_of_window_visit_enters_the_register_by_itself(participant, record):
    observation = _out_of_window(participant, record)
    assert observation.out_of_window
    entry = ProtocolDeviation.objects.get()
    assert (entry.category, entry.grade, entry.automatic) == ("visit_window", "minor", True)
    assert (entry.observation, entry.participant, entry.site) == (observation, participant, participant.site)
    assert entry.description == "Mother was at her parents' house"


def test_an_in_window_visit_does_not(participant, record):
    record(participant, 1)
    assert not ProtocolDeviation.objects.exists()


def test_an_out_of_window_row_written_in_psql_is_registered_too(participant, record):
    observation = record(participant, 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE observations_observation SET out_of_window = true, deviation_reason = 'late' WHERE id = %s",
            [observation.pk],
        )
    assert ProtocolDeviation.objects.get().observation_id == observation.pk


def test_the_coordinator_enters_and_changes_a_deviation(coordinator, site_srp1, participant, deviation_values, today):
    entry = deviations.record_deviation(
        site=site_srp1, values=deviation_values(), by=coordinator, participant=participant
    )
    with pytest.raises(ValidationError):
        deviations.update_deviation(deviation=entry, values=deviation_values(resolved_on=today), by=coordinator,
                                    reason="")  # fmt: skip
    entry = deviations.update_deviation(
        deviation=entry, values=deviation_values(resolved_on=today, corrective_action="Re-consented"),
        by=coordinator, reason="Re-consent obtained",
    )  # fmt: skip
    assert entry.resolved_on == today


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "weather"}, "category"),
        ({"description": " "}, "description"),
        ({"identified_on": None}, "identified_on"),
        ({"resolved_on": "past"}, "resolved_on"),
    ],
)
def test_bad_deviations_are_refused(coordinator, site_srp1, deviation_values, changes, field, today):
    if changes.get("resolved_on") == "past":
        changes = {"resolved_on": today - timedelta(days=10)}
    with pytest.raises(ValidationError) as error:
        deviations.record_deviation(site=site_srp1, values=deviation_values(**changes), by=coordinator)
    assert field in error.value.message_dict
    assert not ProtocolDeviation.objects.exists()


def test_a_deviation_of_a_participant_at_another_site_is_refused(coordinator, site_par, participant, deviation_values):
    with pytest.raises(ValidationError):
        deviations.record_deviation(site=site_par, values=deviation_values(), by=coordinator, participant=participant)


@pytest.mark.parametrize("username", ["investigator", "monitor.srp1", "midwife.srp1"])
def test_only_the_coordinator_enters_deviations(cast, monitor, site_srp1, deviation_values, username):
    with pytest.raises(PermissionDenied):
        deviations.record_deviation(site=site_srp1, values=deviation_values(), by=cast[username])


@pytest.mark.parametrize(
    ("username", "expected"),
    [("coordinator", 200), ("investigator", 200), ("monitor.srp1", 200), ("midwife.srp1", 403), ("outsider", 403)],
)
def test_the_register_page_by_role(client_for, monitor, username, expected):
    assert client_for(username).get(reverse("safety:deviation_list")).status_code == expected


def test_the_new_deviation_page_is_for_the_coordinator(client_for, monitor, site_srp1, today):
    assert client_for("investigator").get(reverse("safety:deviation_new")).status_code == 403
    assert client_for("monitor.srp1").get(reverse("safety:deviation_new")).status_code == 403
    data = {
        "site": site_srp1.pk, "category": "allocation", "grade": "minor", "description": "Envelope opened early",
        "occurred_on": today.isoformat(), "identified_on": today.isoformat(),
    }  # fmt: skip
    response = client_for("coordinator").post(reverse("safety:deviation_new"), data)
    assert response.status_code == 302
    assert ProtocolDeviation.objects.get().reported_by.username == "coordinator"


def test_filters_and_the_csv_export(client_for, coordinator, site_srp1, participant, record, deviation_values):
    _out_of_window(participant, record)
    deviations.record_deviation(site=site_srp1, values=deviation_values(description="=HYPERLINK(1)"), by=coordinator)
    client = client_for("coordinator")
    listing = client.get(reverse("safety:deviation_list"), {"category": "visit_window"}).content.decode()
    assert listing.count('data-testid="deviation-row"') == 1
    response = client.get(reverse("safety:deviation_export"), {"grade": "major"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[0][0] == "Puskesmas"
    assert rows[1][4] == "'=HYPERLINK(1)"


def test_a_monitor_sees_only_her_sites_deviations(client_for, monitor, coordinator, site_par, deviation_values):
    entry = deviations.record_deviation(site=site_par, values=deviation_values(), by=coordinator)
    client = client_for("monitor.srp1")
    assert client.get(reverse("safety:deviation_detail", args=[entry.pk])).status_code == 404
    assert 'data-testid="deviation-row"' not in client.get(reverse("safety:deviation_list")).content.decode()
