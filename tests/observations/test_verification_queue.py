"""The verification queue: days saved and not yet verified, by site, for those who may verify."""

import pytest
from django.urls import reverse

from observations import services
from observations.models import Observation

pytestmark = pytest.mark.django_db

QUEUE = "observations:verification_queue"


@pytest.fixture
def saved_days(participant, par_participant, record, midwife_par):
    first = record(participant, 1)
    record(participant, 2)
    record(par_participant, 1, user=midwife_par)
    return first


def test_the_queue_lists_saved_unverified_days_by_site(client_for, participant, par_participant, saved_days):
    page = client_for("coordinator").get(reverse(QUEUE), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="queue-site-SRP1"' in page
    assert 'data-testid="queue-site-PAR"' in page
    assert page.count('data-testid="queue-day"') == 3
    assert reverse("observations:form", args=[participant.pk, 2]) in page


def test_a_verified_day_leaves_the_queue(client_for, participant, saved_days, coordinator):
    services.verify_observations(observations=Observation.objects.filter(pk=saved_days.pk), by=coordinator)
    page = client_for("coordinator").get(reverse(QUEUE)).content.decode()
    assert page.count('data-testid="queue-day"') == 2


def test_verifying_from_the_queue_returns_to_the_queue(client_for, saved_days):
    response = client_for("coordinator").post(
        reverse("observations:verify", args=[saved_days.pk]), {"next": reverse(QUEUE)}
    )
    assert response.status_code == 302
    assert response.url == reverse(QUEUE)
    assert Observation.objects.get(pk=saved_days.pk).is_locked


def test_verifying_a_site_from_the_queue(client_for, participant, saved_days, site_srp1):
    response = client_for("coordinator").post(reverse("observations:verify_site", args=[site_srp1.pk]))
    assert response.url == reverse(QUEUE)
    assert all(o.is_locked for o in Observation.objects.filter(participant__site=site_srp1))
    assert not any(o.is_locked for o in Observation.objects.exclude(participant__site=site_srp1))


@pytest.mark.parametrize("username", ["midwife.srp1", "investigator", "outsider"])
def test_only_those_who_may_verify_see_the_queue(client_for, saved_days, username):
    assert client_for(username).get(reverse(QUEUE)).status_code == 403


def test_the_queue_is_in_the_navigation_of_those_who_may_verify(client_for, saved_days):
    assert reverse(QUEUE) in client_for("coordinator").get(reverse("home")).content.decode()
    assert reverse(QUEUE) not in client_for("midwife.srp1").get(reverse("home")).content.decode()
