"""Workflows that write observations: record, correct (compare-and-swap), verify, unlock.

Every write runs inside ``transaction.atomic`` and an audit context naming the
user and, for every change after the first save, the reason for change.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.models import Participant
from observations.models import Observation, instrument_for
from observations.validation import observation_errors
from trialsite import audit
from trialsite.roles import Capability, require


class ObservationConflict(Exception):
    """Someone saved the observation after the caller loaded it (stale ``version``)."""

    def __init__(self, *, current: Observation, submitted: dict):
        super().__init__("stale version")
        self.current = current
        self.submitted = submitted


def local_today() -> date:
    return timezone.localdate()


def _user_pk(user) -> int | None:
    return user.pk if user is not None and user.is_authenticated else None


def _validated(participant: Participant, day: int, values: dict, today: date | None) -> dict:
    cleaned, errors = observation_errors(
        values,
        day=day,
        schedule=participant.schedule,
        adherence=participant.arm.adherence,
        today=today or local_today(),
    )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _replay(key: uuid.UUID | None, participant: Participant, day: int) -> Observation | None:
    existing = Observation.objects.filter(idempotency_key=key).first() if key else None
    if existing is not None and (existing.participant_id, existing.day) != (participant.pk, day):
        raise ValidationError(_("This form was already used for another day; reload the page."))
    return existing


def record_observation(
    *,
    participant: Participant,
    day: int,
    values: dict,
    user,
    idempotency_key: uuid.UUID | None = None,
    today: date | None = None,
) -> Observation:
    """Save the first entry of ``day``. A resend with the same idempotency key returns the stored row."""
    with transaction.atomic(), audit.reason(_("First entry"), user=_user_pk(user)):
        Participant.objects.select_for_update().filter(pk=participant.pk).first()  # one writer per participant
        existing = _replay(idempotency_key, participant, day)
        if existing is not None:
            return existing
        cleaned = _validated(participant, day, values, today)
        if Observation.objects.filter(participant=participant, day=day).exists():
            raise ValidationError(
                {"day": [_("Day %(day)d already has an observation; correct it instead.") % {"day": day}]}
            )
        observation = Observation(
            participant=participant, day=day, created_by=user if _user_pk(user) else None, **cleaned
        )
        if idempotency_key:
            observation.idempotency_key = idempotency_key
        observation.save()
    return observation


def correct_observation(
    *, observation: Observation, values: dict, user, reason: str, expected_version: int, today: date | None = None
) -> Observation:
    """Change a saved observation. Needs a reason; a stale ``expected_version`` raises ObservationConflict."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for this change.")]})
    if observation.is_locked:
        raise ValidationError(_("This observation is verified and locked; ask the coordinator to unlock it."))
    participant = observation.participant
    cleaned = _validated(participant, observation.day, values, today)
    probe = Observation(participant=participant, day=observation.day, **cleaned)
    derived = probe.derived_values(instrument_for(participant.study).thresholds, participant.schedule)
    with transaction.atomic(), audit.reason(reason.strip(), user=_user_pk(user)):
        changed = Observation.objects.filter(
            pk=observation.pk, version=expected_version, verified_at__isnull=True
        ).update(**cleaned, **derived, version=F("version") + 1, updated_at=timezone.now())
        if not changed:
            current = Observation.objects.select_related("participant").get(pk=observation.pk)
            if current.is_locked:
                raise ValidationError(_("This observation is verified and locked; ask the coordinator to unlock it."))
            raise ObservationConflict(current=current, submitted={**cleaned, **derived})
    return Observation.objects.select_related("participant__study", "participant__arm").get(pk=observation.pk)


def verify_observations(*, observations, user) -> int:
    """Mark the given (queryset of) observations verified, which locks them. Returns how many changed."""
    require(user, Capability.VERIFY_OBSERVATIONS)
    with transaction.atomic(), audit.reason(_("Verified by the coordinator"), user=_user_pk(user)):
        return observations.filter(verified_at__isnull=True).update(
            verified_at=timezone.now(), verified_by=user, version=F("version") + 1
        )


def unlock_observation(*, observation: Observation, user, reason: str) -> Observation:
    """Lift the verification lock so the observation can be corrected again (coordinator, with a reason)."""
    require(user, Capability.VERIFY_OBSERVATIONS)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for unlocking.")]})
    with transaction.atomic(), audit.reason(reason.strip(), user=_user_pk(user)):
        Observation.objects.filter(pk=observation.pk).update(
            verified_at=None, verified_by=None, version=F("version") + 1, updated_at=timezone.now()
        )
    return Observation.objects.get(pk=observation.pk)
