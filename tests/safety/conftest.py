"""Adverse events, queries and deviations built on the observation fixtures, and a monitor at SRP1."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from enrollment.models import Membership
from observations.safety import adverse_events, queries
from tests.conftest import PASSWORD, sign_in_fully
from tests.observations.conftest import (  # noqa: F401 (fixtures)
    good_values,
    make_participant,
    massage_participant,
    par_participant,
    participant,
    record,
    today,
)


@pytest.fixture
def monitor(cast, site_srp1):
    """A monitor assigned to SRP1 only."""
    user = get_user_model().objects.create_user("monitor.srp1", password=PASSWORD, email="monitor@example.org")
    user.groups.add(Group.objects.get_or_create(name="monitor")[0])
    Membership.objects.create(user=user, site=site_srp1)
    cast["monitor.srp1"] = user
    return user


@pytest.fixture
def as_user(cast):
    def make(user) -> Client:
        return sign_in_fully(Client(), user)

    return make


@pytest.fixture
def ae_values():
    """ae_values(**changes) -> valid adverse-event values (a mild, non-serious engorgement of the mother)."""

    def make(**changes):
        values = {
            "subject": "mother", "onset_date": timezone.localdate() - timedelta(days=1), "term": "breast_engorgement",
            "term_other": "", "severity": "mild", "relatedness": "unlikely", "expectedness": "expected",
            "action_taken": "none", "outcome": "recovering", "resolution_date": None, "description": "",
        }  # fmt: skip
        values.update(changes)
        return values

    return make


@pytest.fixture
def serious_values(ae_values):
    return ae_values(
        subject="infant", term="infant_jaundice", severity="severe", serious_hospitalisation=True,
        action_taken="referred", outcome="ongoing",
    )  # fmt: skip


@pytest.fixture
def make_event(ae_values, midwife_srp1):
    def make(person, user=None, **changes):
        return adverse_events.record_adverse_event(
            participant=person, values=ae_values(**changes), by=user or midwife_srp1
        )

    return make


@pytest.fixture
def make_query(coordinator):
    def make(person, day=None, user=None, text="feeds 40 — please check the paper sheet", field_name=""):
        return queries.raise_query(
            participant=person, day=day, by=user or coordinator, text=text, field_name=field_name
        )

    return make
