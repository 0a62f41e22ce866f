"""Plausible synthetic observations for the demo study (``seed_demo --participants N``)."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from enrollment.models import AdherenceKind, Membership, Participant, Study
from observations.models import Adherence, MissingReason, Observation
from observations.services import correct_observation, local_today, record_observation
from observations.validation import DATA_FIELDS as _EDITABLE
from trialsite.roles import Role

MISSING_RATE = 0.07
MISSING_CHOICES = (MissingReason.NOT_VISITED, MissingReason.UNREACHABLE, MissingReason.REFUSED)


def _chance(participant: Participant, day: int, n_days: int) -> float:
    """Probability an indicator is met: low at day 1, rising over the days, faster with the massage."""
    slope = 0.55 if participant.arm.adherence == AdherenceKind.MASSAGE else 0.4
    return min(0.95, 0.2 + slope * (day - 1) / max(n_days - 1, 1))


def _values(rng: random.Random, participant: Participant, day: int, n_days: int) -> dict:
    p = _chance(participant, day, n_days)
    met = [rng.random() < p for _ in range(4)]
    massage = participant.arm.adherence == AdherenceKind.MASSAGE
    given = rng.random() < 0.9
    return {
        "feeds_24h": rng.randint(8, 12) if met[0] else rng.choice((4, 5, 6, 7, 13, 14)),
        "wet_diapers_24h": rng.randint(6, 10) if met[1] else rng.randint(2, 5),
        "sleep_after_feed_hours": Decimal(rng.choice((2, 2.5, 3, 3.5, 4)) if met[2] else rng.choice((0.5, 1, 1.5))),
        "breast_full_then_soft": met[3],
        "adherence": (Adherence.YES if given else Adherence.NO)
        if massage
        else rng.choice((Adherence.YES,) * 8 + (Adherence.PARTLY, Adherence.NO)),
        "massage_minutes": rng.choice((15, 15, 20)) if massage and given else None,
        "expressed_volume_ml": rng.randint(10, 60) + 10 * day if rng.random() < 0.5 else None,
    }


def _day(rng, participant, day, today, deviations_left, user) -> Observation | None:
    schedule = participant.schedule
    target = schedule.target(day)
    # Today's visits are left for the midwife to enter, so the demo worklist has work in it.
    last = min(today - timedelta(days=1), schedule.stopped_on or today)
    if target > last:
        return None
    if rng.random() < MISSING_RATE:
        values = {"missing_reason": rng.choice(MISSING_CHOICES)}
    else:
        values = {**_values(rng, participant, day, schedule.n_days), "observed_on": target}
        late = target + timedelta(days=schedule.window_days + 1)
        if deviations_left[0] > 0 and day > 1 and late <= last and rng.random() < 0.1:
            values.update(observed_on=late, deviation_reason="Ibu sedang di rumah orang tua; kunjungan tertunda.")
            deviations_left[0] -= 1
    return record_observation(participant=participant, day=day, values=values, by=user, today=today)


@transaction.atomic
def seed_observations(study: Study, *, seed: int) -> int:
    """Fill observations up to today for the study's participants; returns how many were added."""
    rng, today, added, deviations_left = random.Random(seed), local_today(), [], [2]
    participants = Participant.objects.filter(study=study).select_related("study", "arm").order_by("participant_id")
    stored = set(Observation.objects.filter(participant__study=study).values_list("participant_id", "day"))
    midwives = _site_midwives(study)
    for participant in participants:
        for day in range(1, study.n_days + 1):
            if (participant.pk, day) not in stored:
                obs = _day(rng, participant, day, today, deviations_left, midwives.get(participant.site_id))
                added += [obs] if obs is not None else []
    _correct_a_few(rng, [o for o in added if not o.is_missing], today, midwives)
    return len(added)


def _site_midwives(study: Study) -> dict:
    """site id -> a midwife of that site, so demo entries are attributed as real ones would be."""
    memberships = Membership.objects.current().filter(site__study=study, user__groups__name=Role.MIDWIFE)
    memberships = memberships.select_related("user")
    return {m.site_id: m.user for m in memberships.order_by("user__username")}


def _correct_a_few(rng: random.Random, observations: list[Observation], today, midwives: dict) -> None:
    for obs in rng.sample(observations, k=min(3, len(observations))):
        values = {name: getattr(obs, name) for name in _EDITABLE}
        values["wet_diapers_24h"] = min(40, obs.wet_diapers_24h + 1)
        correct_observation(
            observation=obs,
            values=values,
            by=midwives.get(obs.participant.site_id),
            reason="Salah salin dari lembar observasi kertas.",
            expected_version=obs.version,
            today=today,
        )
