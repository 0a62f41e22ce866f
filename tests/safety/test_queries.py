"""Data queries: open → answered → closed, the correction chain in the audit trail, and verification refused."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from enrollment.models import Membership
from observations import services
from observations.models import Observation
from observations.safety import queries
from observations.safety.models import DataQuery, QueryStatus
from trialsite import audit

pytestmark = pytest.mark.django_db


def test_the_coordinators_query_is_answered_with_a_correction_and_closed(client_for, participant, record):
    observation = record(participant, 2, feeds_24h=40)
    coordinator = client_for("coordinator")
    response = coordinator.post(
        reverse("safety:query_new", args=[participant.pk]),
        {"day": 2, "field_name": "feeds_24h", "text": "feeds 40 — please check the paper sheet"},
    )
    query = DataQuery.objects.get()
    assert response.status_code == 302
    assert query.status == QueryStatus.OPEN

    midwife = client_for("midwife.srp1")
    today_page = midwife.get(reverse("observations:today")).content.decode()
    assert "feeds 40 — please check the paper sheet" in today_page
    form_page = midwife.get(reverse("observations:form", args=[participant.pk, 2])).content.decode()
    assert 'data-testid="open-query"' in form_page

    detail = midwife.get(reverse("safety:query_detail", args=[query.pk])).content.decode()
    assert 'data-testid="correction-form"' in detail
    correction = {
        "observed_on": observation.observed_on.isoformat(), "feeds_24h": 10, "wet_diapers_24h": 7,
        "sleep_after_feed_hours": "2.5", "breast_full_then_soft": "yes", "adherence": "yes", "notes": "",
        "version": 1, "idempotency_key": str(observation.idempotency_key),
        "answer": "Paper sheet says 10; typed 40 by mistake",
    }  # fmt: skip
    response = midwife.post(reverse("safety:query_correct", args=[query.pk]), correction)
    assert response.status_code == 302, response.content.decode()
    observation.refresh_from_db()
    query.refresh_from_db()
    assert (observation.feeds_24h, observation.version) == (10, 2)
    assert (query.status, query.correction_id, query.correction_version) == ("answered", observation.pk, 2)

    assert coordinator.post(reverse("safety:query_close", args=[query.pk])).status_code == 302
    query.refresh_from_db()
    assert query.status == QueryStatus.CLOSED

    with translation.override("en"):
        query_trail = audit.history_for(query)
        day_trail = audit.history_for(observation)
        statuses = [next((str(c.new) for c in e.changes if c.field == "status"), None) for e in query_trail]
    assert statuses == ["Open", "Answered", "Closed"]
    assert [e.user for e in query_trail] == ["coordinator", "midwife.srp1", "coordinator"]
    correction_entry = day_trail[-1]
    assert correction_entry.user == "midwife.srp1"
    assert f"#{query.pk}" in correction_entry.reason
    assert "Paper sheet says 10" in correction_entry.reason
    feeds = next(c for c in correction_entry.changes if c.field == "feeds_24h")
    assert (feeds.old, feeds.new) == (40, 10)


def test_an_explanation_leaves_the_data_alone(participant, record, make_query, midwife_srp1):
    observation = record(participant, 1)
    query = queries.answer_query(query=make_query(participant, day=1), by=midwife_srp1, answer="It is right")
    assert query.status == QueryStatus.ANSWERED
    assert Observation.objects.get(pk=observation.pk).version == 1


def test_a_day_with_an_unclosed_query_cannot_be_verified(participant, record, make_query, coordinator, midwife_srp1):
    record(participant, 1)
    record(participant, 2)
    query = make_query(participant, day=1)
    with pytest.raises(ValidationError, match="1"):
        services.verify_observations(observations=participant.observations.all(), by=coordinator)
    assert not Observation.objects.filter(verified_at__isnull=False).exists()
    queries.answer_query(query=query, by=midwife_srp1, answer="Checked")
    with pytest.raises(ValidationError):
        services.verify_observations(observations=participant.observations.all(), by=coordinator)
    queries.close_query(query=query, by=coordinator)
    assert services.verify_observations(observations=participant.observations.all(), by=coordinator) == 2


def test_the_verify_page_says_why_it_refused(client_for, participant, record, make_query):
    observation = record(participant, 1)
    make_query(participant, day=1)
    response = client_for("coordinator").post(reverse("observations:verify", args=[observation.pk]), follow=True)
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert Observation.objects.get(pk=observation.pk).verified_at is None


def test_the_raiser_or_a_coordinator_closes_and_reopening_needs_a_reason(participant, make_query, monitor, coordinator):
    query = make_query(participant, user=monitor)
    with pytest.raises(ValidationError):
        queries.reopen_query(query=query, by=monitor, reason="again")
    queries.close_query(query=query, by=coordinator)
    with pytest.raises(ValidationError):
        queries.reopen_query(query=query, by=monitor, reason=" ")
    reopened = queries.reopen_query(query=query, by=monitor, reason="The answer does not match the sheet")
    assert reopened.status == QueryStatus.OPEN
    assert "does not match" in reopened.text


def test_someone_else_cannot_close_a_monitors_query(participant, make_query, monitor, django_user_model, site_srp1):
    second = django_user_model.objects.create_user("monitor.two")
    second.groups.add(Group.objects.get(name="monitor"))
    Membership.objects.create(user=second, site=site_srp1)
    query = make_query(participant, user=monitor)
    with pytest.raises(PermissionDenied):
        queries.close_query(query=query, by=second)


@pytest.mark.parametrize(
    ("changes", "field"), [({"day": 99}, "day"), ({"field_name": "feeds_24h"}, "day"), ({"text": " "}, "text")]
)
def test_bad_queries_are_refused(participant, coordinator, changes, field):
    values = {"participant": participant, "by": coordinator, "text": "check", **changes}
    with pytest.raises(ValidationError) as error:
        queries.raise_query(**values)
    assert field in error.value.message_dict
    assert not DataQuery.objects.exists()


@pytest.mark.parametrize(
    ("username", "expected"),
    [("coordinator", 200), ("monitor.srp1", 200), ("midwife.srp1", 403), ("investigator", 403), ("outsider", 403)],
)
def test_raising_a_query_is_for_coordinators_and_monitors(client_for, monitor, participant, username, expected):
    assert client_for(username).get(reverse("safety:query_new", args=[participant.pk])).status_code == expected


def test_a_midwife_never_sees_another_sites_queries(client_for, participant, par_participant, make_query):
    theirs = make_query(par_participant)
    client = client_for("midwife.srp1")
    assert client.get(reverse("safety:query_detail", args=[theirs.pk])).status_code == 404
    assert par_participant.participant_id not in client.get(reverse("safety:query_list")).content.decode()
    assert "feeds 40" not in client.get(reverse("observations:today")).content.decode()
    answer = client.post(reverse("safety:query_answer", args=[theirs.pk]), {"answer": "x"})
    assert answer.status_code == 404


def test_open_counts_by_site_and_age_on_the_home_page_and_dashboard(
    client_for, participant, par_participant, make_query
):
    make_query(participant)
    make_query(par_participant)
    old = make_query(participant)
    DataQuery.objects.filter(pk=old.pk).update(raised_at=old.raised_at - timedelta(days=10))
    counts = {row["site"]: row for row in queries.open_counts_by_site_and_age(old.raised_by)}
    assert counts["SRP1"]["total"] == 2
    assert counts["SRP1"]["bands"] == [1, 1, 0]
    assert counts["PAR"]["total"] == 1
    home = client_for("coordinator").get(reverse("home")).content.decode()
    assert home.count('data-testid="query-count-row"') == 2
    assert 'data-testid="query-count-row"' not in client_for("midwife.srp1").get(reverse("home")).content.decode()
    dashboard = client_for("coordinator").get(reverse("analysis:dashboard")).content.decode()
    assert 'data-testid="query-counts"' in dashboard
