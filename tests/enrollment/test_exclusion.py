"""Exclusion from an analysis population: coordinator only, with a reason, audited, shown in flow and analysis."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from analysis.results import compute_results, load_analysis_data
from analysis.visibility import flow_with_analysis
from enrollment.exclusion import ExclusionScope, exclude_from_population, lift_exclusion
from enrollment.models import Participant
from observations import services
from trialsite import audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(study, site_srp1, arm_moringa, midwife_srp1):
    """A moringa participant with day 1 and day 7 observed: in both populations."""
    start = timezone.localdate() - timedelta(days=8)
    person = Participant.objects.create(
        study=study, site=site_srp1, arm=arm_moringa, participant_id="SRP1-950", enrolled_on=start,
        intervention_start=start, status="completed", status_date=start + timedelta(days=6),
    )  # fmt: skip
    for day in (1, 7):
        values = {
            "observed_on": start + timedelta(days=day - 1), "feeds_24h": 10, "wet_diapers_24h": 7,
            "sleep_after_feed_hours": "2.5", "breast_full_then_soft": True, "adherence": "yes",
        }  # fmt: skip
        services.record_observation(participant=person, day=day, values=values, by=midwife_srp1)
    return person


def _complete(study, population):
    return compute_results(study, population=population)["groups"][0]


def test_per_protocol_exclusion_keeps_her_in_the_primary_analysis(analysed, study, coordinator):
    assert _complete(study, "per_protocol")["n_complete"] == 1
    exclude_from_population(
        participant=analysed, scope=ExclusionScope.PER_PROTOCOL, reason="Took another galactagogue", by=coordinator
    )
    assert _complete(study, "complete_cases")["n_complete"] == 1
    per_protocol = _complete(study, "per_protocol")
    assert per_protocol["n_complete"] == 0
    assert per_protocol["excluded"]["excluded_from_per_protocol"] == 1


def test_excluding_from_every_population_shows_in_the_flow(analysed, study, coordinator):
    exclude_from_population(
        participant=analysed, scope=ExclusionScope.ALL, reason="Consent withdrawn for data", by=coordinator
    )
    assert _complete(study, "complete_cases")["excluded"]["excluded_from_analysis"] == 1
    flow = flow_with_analysis(study, load_analysis_data(study, population="complete_cases"))
    arm = next(a for a in flow["arms"] if a["code"] == "moringa")
    excluded = {r["reason"]: r["count"] for r in arm["not_analysed_reasons"]}.get("excluded_from_analysis", 0)
    assert (arm["analysed"], excluded) == (0, 1)


def test_setting_and_lifting_need_a_reason_and_are_audited(analysed, coordinator):
    with pytest.raises(ValidationError):
        exclude_from_population(participant=analysed, scope=ExclusionScope.ALL, reason=" ", by=coordinator)
    person = exclude_from_population(
        participant=analysed, scope=ExclusionScope.ALL, reason="Twin birth", by=coordinator
    )
    with pytest.raises(ValidationError):
        lift_exclusion(participant=person, reason="", by=coordinator)
    person = lift_exclusion(participant=person, reason="Eligibility confirmed by the committee", by=coordinator)
    assert not person.excluded_from_analysis
    assert person.exclusion_reason == ""
    reasons = [entry.reason for entry in audit.history_for(person)][-2:]
    assert reasons == ["Twin birth", "Eligibility confirmed by the committee"]


@pytest.mark.parametrize("username", ["midwife.srp1", "investigator", "outsider"])
def test_only_the_coordinator_excludes(cast, analysed, username):
    with pytest.raises(PermissionDenied):
        exclude_from_population(participant=analysed, scope=ExclusionScope.ALL, reason="x", by=cast[username])


@pytest.mark.parametrize(
    ("username", "expected"), [("coordinator", 200), ("midwife.srp1", 403), ("investigator", 403), ("outsider", 403)]
)
def test_the_exclusion_page_by_role(client_for, analysed, username, expected):
    assert client_for(username).get(reverse("enrollment:exclusion", args=[analysed.pk])).status_code == expected


def test_the_page_excludes_and_the_participant_page_shows_it(client_for, analysed):
    client = client_for("coordinator")
    url = reverse("enrollment:exclusion", args=[analysed.pk])
    assert client.post(url, {"scope": "per_protocol", "reason": ""}).status_code == 200
    response = client.post(url, {"scope": "per_protocol", "reason": "Used formula on days 2-4"})
    assert response.status_code == 302
    page = client.get(reverse("enrollment:participant_detail", args=[analysed.pk])).content.decode()
    assert "Used formula on days 2-4" in page
    assert client.post(url, {"scope": "lift", "reason": "Formula was one bottle only"}).status_code == 302
    assert not Participant.objects.get(pk=analysed.pk).excluded_from_per_protocol
