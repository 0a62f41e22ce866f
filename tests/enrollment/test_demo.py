"""The demo participants: through the services, deterministic, and safe to run twice."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from enrollment.models import Allocation, Participant, Screening
from observations.demo.study import seed_participants

pytestmark = pytest.mark.django_db


def _snapshot():
    return list(Participant.objects.order_by("participant_id").values_list("participant_id", "arm__code", "status"))


def test_seed_demo_with_participants_runs_twice(study):
    call_command("seed_demo", "--participants", "34", "--seed", "1", "--password", "demo-Password-2026")
    first = _snapshot()
    assert len(first) == 34
    assert {p[0].split("-")[0] for p in first} == {"SRP1", "PAR"}
    assert {p[1] for p in first} == {"moringa", "oxytocin_massage"}
    assert {p[2] for p in first} >= {"completed", "withdrawn"}
    assert Screening.objects.filter(eligible=False).exists()
    assert Allocation.objects.count() == 34
    call_command("seed_demo", "--participants", "34", "--seed", "1")
    assert _snapshot() == first


def test_demo_participants_are_deterministic_and_only_the_shortfall_is_added(study, cast):
    created = seed_participants(study, 10, seed=7)
    assert len(created) == 10
    assert any(p.status == "active" for p in created)
    assert all(p.intervention_start <= timezone.localdate() for p in created)
    assert seed_participants(study, 10, seed=7) == []
    assert len(seed_participants(study, 12, seed=7)) == 2


class _Rollback(Exception):
    pass


def _signature_of_a_rolled_back_run(study, seed: int):
    signature = []
    try:
        with transaction.atomic():
            created = seed_participants(study, 8, seed=seed)
            signature = [(p.participant_id, p.arm.code, p.intervention_start, p.status, p.parity) for p in created]
            raise _Rollback
    except _Rollback:
        pass
    return signature


def test_the_same_seed_gives_the_same_participants(study, cast):
    first = _signature_of_a_rolled_back_run(study, 3)
    assert not Participant.objects.exists()
    assert _signature_of_a_rolled_back_run(study, 3) == first
    assert _signature_of_a_rolled_back_run(study, 4) != first
