"""Worklist, completeness, timeline, deviations: who may see them, what they show, constant query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "status"),
    [("midwife.srp1", 200), ("coordinator", 200), ("investigator", 403), ("outsider", 403)],
)
def test_today_is_for_midwives_and_coordinators(client_for, username, status):
    assert client_for(username).get(reverse("observations:today")).status_code == status


@pytest.mark.parametrize(
    ("username", "status"),
    [("coordinator", 200), ("investigator", 403), ("midwife.srp1", 403), ("outsider", 403)],
)
def test_completeness_is_for_coordinators(client_for, username, status):
    assert client_for(username).get(reverse("observations:completeness")).status_code == status


@pytest.mark.parametrize(
    ("username", "status"),
    [("coordinator", 200), ("investigator", 200), ("midwife.srp1", 403), ("outsider", 403)],
)
def test_deviations_are_for_coordinators_and_investigators(client_for, username, status):
    assert client_for(username).get(reverse("observations:deviations")).status_code == status


def test_deviations_page_is_read_only_for_investigators(client_for, participant, record):
    late = participant.intervention_start + timedelta(days=3)
    record(participant, 1, observed_on=late.isoformat(), deviation_reason="Banjir")
    content = client_for("investigator").get(reverse("observations:deviations")).content.decode()
    assert "Banjir" not in content  # free text: de-identified viewers see a dash
    assert 'data-testid="deviation-row"' in content
    assert "Banjir" in client_for("coordinator").get(reverse("observations:deviations")).content.decode()
    assert "<form" not in content.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize(
    ("username", "status"),
    [("midwife.srp1", 200), ("coordinator", 200), ("investigator", 200), ("midwife.par", 404), ("outsider", 403)],
)
def test_timeline_is_visible_at_her_sites_only(client_for, participant, username, status):
    assert client_for(username).get(reverse("observations:timeline", args=[participant.pk])).status_code == status


def test_timeline_is_read_only_for_investigators(client_for, participant, record):
    record(participant, 1)
    content = client_for("investigator").get(reverse("observations:timeline", args=[participant.pk])).content.decode()
    assert reverse("observations:form", args=[participant.pk, 1]) not in content
    assert reverse("observations:verify_participant", args=[participant.pk]) not in content


@pytest.mark.parametrize(
    ("username", "status"),
    [("midwife.srp1", 200), ("coordinator", 200), ("investigator", 403), ("midwife.par", 404), ("outsider", 403)],
)
def test_the_form_is_for_writers_at_her_sites(client_for, participant, username, status):
    assert client_for(username).get(reverse("observations:form", args=[participant.pk, 1])).status_code == status


def test_investigator_cannot_post_the_form(client_for, participant, good_values):
    url = reverse("observations:form", args=[participant.pk, 1])
    assert client_for("investigator").post(url, good_values(participant, 1)).status_code == 403


def test_timeline_lists_days_with_target_dates_status_and_score(client_for, participant, record):
    record(participant, 1)
    record(participant, 2, missing_reason="refused")
    response = client_for("midwife.srp1").get(reverse("observations:timeline", args=[participant.pk]))
    days = response.context["days"]
    assert [d.status for d in days] == ["entered", "missing", "overdue", "due", "upcoming", "upcoming", "upcoming"]
    assert days[3].target == participant.intervention_start + timedelta(days=3)
    assert response.context["chart"]["scores"][:2] == [5, None]
    assert 'id="score-chart-data"' in response.content.decode()


def test_today_shows_due_overdue_and_coming_up_for_her_sites_only(client_for, participant, par_participant, record):
    record(participant, 1)
    worklist = client_for("midwife.srp1").get(reverse("observations:today")).context["worklist"]
    assert [(i.participant.pk, i.day) for i in worklist.due] == [(participant.pk, 4)]
    assert [(i.participant.pk, i.day) for i in worklist.overdue] == [(participant.pk, 2), (participant.pk, 3)]
    assert [(i.participant.pk, i.day) for i in worklist.upcoming] == [(participant.pk, 5), (participant.pk, 6)]


def test_today_links_each_item_to_the_form(client_for, participant):
    content = client_for("midwife.srp1").get(reverse("observations:today")).content.decode()
    assert reverse("observations:form", args=[participant.pk, 4]) in content


def test_today_names_the_mother_so_the_midwife_knows_whom_to_visit(client_for, make_participant, today):
    make_participant(full_name="Siti Aminah", start=today)
    content = client_for("midwife.srp1").get(reverse("observations:today")).content.decode()
    assert "Siti Aminah" in content


def test_withdrawn_participants_leave_the_worklist(client_for, make_participant, today):
    make_participant(status="withdrawn", status_date=today - timedelta(days=1), status_reason="moved")
    worklist = client_for("midwife.srp1").get(reverse("observations:today")).context["worklist"]
    assert worklist.due == worklist.overdue == []


def test_completeness_counts_entered_and_missing_per_site_and_day(client_for, participant, par_participant, record):
    record(participant, 1)
    record(participant, 2, missing_reason="refused")
    response = client_for("coordinator").get(reverse("observations:completeness"))
    sites = {site.code: site.days for site in response.context["sites"]}
    srp1 = sites[participant.site.code]
    assert (srp1[0].entered, srp1[0].expected, srp1[1].missing) == (1, 1, 1)
    assert sites[par_participant.site.code][0].percent == 0
    assert len(response.context["overdue"]) == 1 + 3  # SRP1 day 3, PAR days 1-3


def _many(make_participant, site, count):
    for _ in range(count):
        make_participant(site=site)


@pytest.mark.parametrize("count", [5, 50])
def test_today_query_count_does_not_grow_with_participants(
    client_for, make_participant, site_srp1, cast, django_assert_max_num_queries, count
):
    _many(make_participant, site_srp1, count)
    client = client_for("midwife.srp1")
    # the same at 5 and 50 participants: session, user (with roles, language, password flag, devices), the page's
    with django_assert_max_num_queries(6):
        response = client.get(reverse("observations:today"))
    assert len(response.context["worklist"].due) == count


@pytest.mark.parametrize("count", [5, 50])
def test_completeness_query_count_does_not_grow_with_participants(
    client_for, make_participant, site_srp1, cast, django_assert_max_num_queries, count
):
    _many(make_participant, site_srp1, count)
    client = client_for("coordinator")
    # the same at 5 and 50 participants: sign-in steps and the safety alert add theirs to the page's
    with django_assert_max_num_queries(9):
        response = client.get(reverse("observations:completeness"))
    assert len(response.context["overdue"]) == 3 * count


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(("name", "username"), [("observations:today", "midwife.srp1"),
                                                ("observations:completeness", "coordinator")])  # fmt: skip
def test_query_count_is_the_same_for_5_and_50_participants(client_for, make_participant, site_srp1, name, username):
    client = client_for(username)
    _many(make_participant, site_srp1, 5)
    few = _queries(client, reverse(name))
    _many(make_participant, site_srp1, 45)
    assert _queries(client, reverse(name)) == few


def test_timeline_query_count_does_not_grow_with_recorded_days(client_for, participant, record):
    """The history of every day is read together: a fixed number of queries, not some per recorded day."""
    client, url = client_for("midwife.srp1"), reverse("observations:timeline", args=[participant.pk])
    record(participant, 1)
    client.get(url)  # warm per-process caches
    one_day = _queries(client, url)
    record(participant, 2)
    record(participant, 3)
    assert _queries(client, url) == one_day <= 11


def test_timeline_query_count_does_not_grow_with_the_people_who_saved_days(client_for, participant, record, cast):
    """Who created or verified a day is bookkeeping the timeline does not show: not looked up person by person."""
    client, url = client_for("midwife.srp1"), reverse("observations:timeline", args=[participant.pk])
    record(participant, 1)
    client.get(url)  # warm per-process caches
    one_person = _queries(client, url)
    record(participant, 2, user=cast["coordinator"])
    assert _queries(client, url) == one_person
