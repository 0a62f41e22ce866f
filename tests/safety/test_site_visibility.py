"""Site visibility, the one rule of who sees which rows (enrollment.models.visible_sites), read with the user.

A signed-in request's user comes with the ids of the sites she is a current member of, read in the one
statement that loads her (trialsite.accounts.PasswordBackend); every scoped list then filters on those ids
instead of building a subquery over the memberships in every query. These tests hold the ids to the
membership rows, and each ``for_user`` list of a signed-in user to the rows the memberships themselves give
a user loaded by the ORM, role by role.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from enrollment.models import MEMBER_SITE_IDS, Membership, Participant, Site
from observations.models import Observation
from observations.safety import deviations
from observations.safety.models import AdverseEvent, DataQuery, ProtocolDeviation
from trialsite import audit
from trialsite.accounts import PasswordBackend

pytestmark = pytest.mark.django_db

SCOPED = (Site, Participant, Observation, AdverseEvent, DataQuery, ProtocolDeviation)


def signed_in(user):
    """The user as a signed-in request loads her."""
    return PasswordBackend().get_user(user.pk)


def _end(membership_filter, by) -> None:
    with audit.reason("Pindah tugas", user=by.pk):
        Membership.objects.filter(**membership_filter).update(
            ended_at=timezone.now(), ended_by=by, end_reason="Pindah tugas"
        )


@pytest.fixture
def rows_at_both_sites(make_participant, site_par, record, make_event, make_query, cast, today):
    """A participant at each site with a day, an adverse event, a data query and a deviation."""
    for site, midwife in ((None, cast["midwife.srp1"]), (site_par, cast["midwife.par"])):
        person = make_participant(**({"site": site} if site else {}))
        record(person, day=1, user=midwife)
        make_event(person, user=midwife)
        make_query(person, day=1)
        values = {
            "category": "consent", "grade": "major", "description": "Old consent form version used",
            "corrective_action": "", "preventive_action": "", "occurred_on": today - timedelta(days=2),
            "identified_on": today, "resolved_on": None,
        }  # fmt: skip
        deviations.record_deviation(site=person.site, participant=person, by=cast["coordinator"], values=values)


def test_a_signed_in_user_comes_with_her_current_sites_only(cast, site_srp1, site_par):
    midwife, coordinator = cast["midwife.par"], cast["coordinator"]
    Membership.objects.create(user=midwife, site=site_srp1)
    assert sorted(getattr(signed_in(midwife), MEMBER_SITE_IDS)) == sorted([site_srp1.pk, site_par.pk])
    _end({"user": midwife, "site": site_par}, coordinator)
    assert getattr(signed_in(midwife), MEMBER_SITE_IDS) == [site_srp1.pk]
    _end({"user": midwife}, coordinator)
    assert getattr(signed_in(midwife), MEMBER_SITE_IDS) == []
    assert not Participant.objects.for_user(signed_in(midwife)).exists()
    assert getattr(signed_in(coordinator), MEMBER_SITE_IDS) == []


@pytest.mark.parametrize(
    "username", ["midwife.srp1", "midwife.par", "monitor.srp1", "coordinator", "investigator", "outsider"]
)
def test_each_list_of_a_signed_in_user_has_the_rows_her_memberships_give(rows_at_both_sites, monitor, cast, username):
    loaded_by_the_orm = get_user_model().objects.get(username=username)  # scoped through the memberships
    user = signed_in(loaded_by_the_orm)
    seen = {}
    for model in SCOPED:
        seen[model] = set(model.objects.for_user(user).values_list("pk", flat=True))
        assert seen[model] == set(model.objects.for_user(loaded_by_the_orm).values_list("pk", flat=True)), model
    everything = {model: set(model.objects.values_list("pk", flat=True)) for model in SCOPED}
    if username in ("coordinator", "investigator"):
        assert seen == everything
    elif username == "outsider":
        assert not any(seen.values())
    else:  # her own site's rows, one of each, and not the other site's
        assert all(len(seen[model]) == 1 for model in SCOPED[1:]), seen
        assert all(seen[model] < everything[model] for model in SCOPED), seen


def test_an_ended_membership_hides_its_site_from_the_next_request(rows_at_both_sites, cast, site_srp1):
    midwife = cast["midwife.srp1"]
    assert Observation.objects.for_user(signed_in(midwife)).exists()
    _end({"user": midwife, "site": site_srp1}, cast["coordinator"])
    assert not any(model.objects.for_user(signed_in(midwife)).exists() for model in SCOPED)


def test_a_signed_in_midwifes_lists_filter_on_her_site_ids_not_on_the_memberships(cast):
    user = signed_in(cast["midwife.srp1"])
    for model in SCOPED:
        assert Membership._meta.db_table not in str(model.objects.for_user(user).query), model
