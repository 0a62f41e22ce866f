"""The monitor: reads everything at her assigned sites (identified), raises queries, marks days source-verified;
enters and changes no clinical data."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from observations.models import Observation
from observations.safety import monitoring
from observations.safety.models import SourceVerification

pytestmark = pytest.mark.django_db


def test_she_reads_her_sites_participants_with_identifiers(client_for, monitor, participant, par_participant):
    participant.full_name = "Siti Rahayu"
    participant.save()
    client = client_for("monitor.srp1")
    page = client.get(reverse("enrollment:participant_detail", args=[participant.pk])).content.decode()
    assert "Siti Rahayu" in page
    assert client.get(reverse("observations:timeline", args=[participant.pk])).status_code == 200
    assert client.get(reverse("enrollment:participant_detail", args=[par_participant.pk])).status_code == 404
    listing = client.get(reverse("enrollment:participant_list")).content.decode()
    assert participant.participant_id in listing
    assert par_participant.participant_id not in listing


def test_she_enters_and_changes_no_clinical_data(client_for, monitor, participant, record, good_values):
    observation = record(participant, 1)
    client = client_for("monitor.srp1")
    assert client.get(reverse("observations:form", args=[participant.pk, 2])).status_code == 403
    assert (
        client.post(reverse("observations:form", args=[participant.pk, 2]), good_values(participant, 2)).status_code
        == 403
    )
    assert client.post(reverse("observations:verify", args=[observation.pk])).status_code == 403
    assert client.get(reverse("enrollment:screening_new")).status_code == 403
    assert client.get(reverse("enrollment:withdraw", args=[participant.pk])).status_code == 403
    assert client.get(reverse("enrollment:exclusion", args=[participant.pk])).status_code == 403
    assert Observation.objects.count() == 1
    assert Observation.objects.get().version == 1


def test_she_marks_a_day_source_verified_once(client_for, monitor, participant, record):
    observation = record(participant, 1)
    client = client_for("monitor.srp1")
    response = client.post(reverse("safety:source_verify", args=[observation.pk]))
    assert response.status_code == 302
    check = SourceVerification.objects.get()
    assert (check.verified_by, check.observation_version) == (monitor, 1)
    timeline = client.get(reverse("observations:timeline", args=[participant.pk])).content.decode()
    assert 'data-testid="sdv-1"' in timeline
    with pytest.raises(ValidationError):
        monitoring.source_verify(observation=observation, by=monitor)


def test_source_verification_is_for_monitors_and_coordinators(
    client_for, monitor, participant, par_participant, record, midwife_par
):
    observation = record(participant, 1)
    theirs = record(par_participant, 1, user=midwife_par)
    assert client_for("midwife.srp1").post(reverse("safety:source_verify", args=[observation.pk])).status_code == 403
    assert client_for("investigator").post(reverse("safety:source_verify", args=[observation.pk])).status_code == 403
    assert client_for("monitor.srp1").post(reverse("safety:source_verify", args=[theirs.pk])).status_code == 404
    assert not SourceVerification.objects.exists()


def test_she_raises_a_query_from_the_timeline(client_for, monitor, participant, record):
    record(participant, 1)
    client = client_for("monitor.srp1")
    timeline = client.get(reverse("observations:timeline", args=[participant.pk])).content.decode()
    assert 'data-testid="query-1"' in timeline
    response = client.post(
        reverse("safety:query_new", args=[participant.pk]), {"day": 1, "field_name": "", "text": "Sheet unsigned"}
    )
    assert response.status_code == 302
    assert 'data-testid="query-count-row"' in client.get(reverse("home")).content.decode()
