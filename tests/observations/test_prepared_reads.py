"""A read built once per shape (trialsite.db.prepared) gives what its queryset gives, for every value and shape."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enrollment.models import Membership, Participant, at_sites, site_scope
from observations.models import Observation
from trialsite.db.prepared import PreparedRead

pytestmark = pytest.mark.django_db


def _participants(horizon, **scope):
    rows = at_sites(Participant.objects.filter(intervention_start__lte=horizon), "site", **scope)
    return rows.order_by("participant_id").values_list("pk", "participant_id", "site__code", "intervention_start")


def test_every_shape_and_value_gives_the_rows_of_its_queryset(make_participant, today, site_srp1, site_par, cast):
    read = PreparedRead(_participants)
    for start in (today - timedelta(days=5), today, today + timedelta(days=5)):
        make_participant(start=start)
        make_participant(site=site_par, start=start)
    scopes = [{}, {"sites": []}, {"sites": [site_srp1.pk]}, {"sites": [site_par.pk]},
              {"sites": [site_srp1.pk, site_par.pk]}, {"member": cast["midwife.par"].pk}]  # fmt: skip
    for _round in range(2):  # the second round runs the statements the first one built
        for scope in scopes:
            for horizon in (today - timedelta(days=1), today, today + timedelta(days=9)):
                assert read.rows(horizon=horizon, **scope) == list(_participants(horizon, **scope)), (scope, horizon)
    make_participant(site=site_par, start=today)  # a row added later is read: the statement is kept, not the rows
    assert len(read.rows(horizon=today, sites=[site_par.pk])) == 3


def test_a_built_read_sends_only_its_statement_and_none_for_an_empty_scope(make_participant, today, site_srp1):
    read = PreparedRead(_participants)
    make_participant()
    read.rows(horizon=today, sites=[site_srp1.pk])
    with CaptureQueriesContext(connection) as queries:
        assert len(read.rows(horizon=today, sites=[site_srp1.pk])) == 1
        assert read.rows(horizon=today, sites=[]) == []
    assert len(queries) == 1


def test_the_rows_come_through_the_fields_converters(make_participant, record):
    participant = make_participant()
    record(participant, 1, sleep_after_feed_hours="2.5")
    read = PreparedRead(
        lambda day: Observation.objects.filter(day=day).values_list("observed_on", "sleep_after_feed_hours", "score")
    )
    rows = read.rows(day=1)
    assert rows == list(Observation.objects.filter(day=1).values_list("observed_on", "sleep_after_feed_hours", "score"))
    assert rows[0][1] == Decimal("2.5")
    assert read.rows(day=2) == []


def test_a_site_taken_away_narrows_the_next_read(make_participant, today, site_par, cast):
    """The scope is a value of each read: a midwife whose membership ends sees her old site no more."""
    midwife = cast["midwife.par"]
    make_participant(site=site_par)
    read = PreparedRead(_participants)
    assert len(read.rows(horizon=today, **site_scope(midwife))) == 1
    ended = {"ended_at": timezone.now(), "end_reason": "Moved to another clinic"}
    Membership.objects.filter(user=midwife, site=site_par).update(**ended)
    assert read.rows(horizon=today, **site_scope(midwife)) == []


def test_a_read_that_computes_with_its_values_is_refused_when_it_is_built():
    read = PreparedRead(lambda day: Observation.objects.filter(day=day + 1).values_list("pk"))
    with pytest.raises(ValueError, match="cannot be prepared"):
        read.rows(day=1)


def test_only_rows_of_values_or_instances_and_only_numbers_dates_and_text_are_prepared():
    with pytest.raises(TypeError, match="gives ModelIterable results, not ValuesListIterable"):
        PreparedRead(lambda day: Observation.objects.filter(day=day)).rows(day=1)
    with pytest.raises(TypeError, match="values_list"):
        PreparedRead(lambda day: Observation.objects.filter(day=day).values("pk")).rows(day=1)
    with pytest.raises(TypeError, match="one statement"):
        PreparedRead(lambda day: Observation.objects.filter(day=day).prefetch_related("participant")).instances(day=1)
    late = PreparedRead(lambda late: Observation.objects.filter(out_of_window=late).values_list("pk"))
    with pytest.raises(TypeError, match="booleans or None"):
        late.rows(late=True)


def _with_relations(pk, **scope):
    participants = at_sites(Participant.objects.filter(pk=pk), "site", **scope)
    return participants.select_related("study", "site", "arm").order_by()[:1]


def test_instances_come_with_the_relations_they_select_and_no_query_after(make_participant, site_par, cast):
    mine, theirs = make_participant(full_name="Dewi"), make_participant(site=site_par)
    read = PreparedRead(_with_relations)
    for _round in range(2):
        (found,) = read.instances(pk=mine.pk, **site_scope(cast["midwife.srp1"]))
        assert read.instances(pk=theirs.pk, **site_scope(cast["midwife.srp1"])) == []
        assert read.instances(pk=theirs.pk, **site_scope(cast["coordinator"])) == [theirs]
        with CaptureQueriesContext(connection) as queries:
            shown = (found.full_name, found.study.slug, found.site.code, found.arm.code, found.intervention_start)
        assert len(queries) == 0
        assert shown == ("Dewi", mine.study.slug, mine.site.code, mine.arm.code, mine.intervention_start)
        assert found._state.adding is False
        assert found._state.db == "default"


def test_a_number_beyond_its_columns_range_is_answered_as_the_orm_answers_it(make_participant, record):
    """Not sent to the server (an error there): the ORM compares nothing with it, as for any lookup."""
    participant = make_participant()
    record(participant, 1)
    read = PreparedRead(lambda day: Observation.objects.filter(day=day).values_list("pk"))
    assert read.rows(day=1) == list(Observation.objects.filter(day=1).values_list("pk"))
    assert read.rows(day=10**12) == [] == list(Observation.objects.filter(day=10**12).values_list("pk"))
    by_participant = PreparedRead(_with_relations)
    assert by_participant.instances(pk=2**63) == []
    assert by_participant.instances(pk=participant.pk) == [participant]


def test_a_day_beyond_any_form_shows_the_form_and_no_server_error(make_participant, client_for):
    participant = make_participant()
    for day in (40_000, 2**31, 2**63 - 1):
        response = client_for("midwife.srp1").get(f"/observations/participant/{participant.pk}/day/{day}/")
        assert response.status_code in (200, 404)
