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


def _user_pk(by) -> int | None:
    return by.pk if by is not None and by.is_authenticated else None


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


def replayed_observation(*, participant: Participant, day: int, idempotency_key) -> Observation | None:
    """The observation a first-entry form with ``idempotency_key`` already saved (a resend), or None.

    The one answer to "is this a resend?" for the service, the page and the API. A key used for
    another participant or day is refused.
    """
    key = _as_uuid(idempotency_key)
    existing = Observation.objects.filter(idempotency_key=key).first() if key else None
    if existing is not None and (existing.participant_id, existing.day) != (participant.pk, day):
        raise ValidationError(_("This form was already used for another day; reload the page."))
    return existing


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def record_observation(
    *,
    participant: Participant,
    day: int,
    values: dict,
    by,
    idempotency_key: uuid.UUID | None = None,
    today: date | None = None,
) -> Observation:
    """Save the first entry of ``day``. A resend with the same idempotency key returns the stored row."""
    with transaction.atomic(), audit.reason(_("First entry"), user=_user_pk(by)):
        Participant.objects.select_for_update().filter(pk=participant.pk).first()  # one writer per participant
        existing = replayed_observation(participant=participant, day=day, idempotency_key=idempotency_key)
        if existing is not None:
            return existing
        cleaned = _validated(participant, day, values, today)
        if Observation.objects.filter(participant=participant, day=day).exists():
            raise ValidationError(
                {"day": [_("Day %(day)d already has an observation; correct it instead.") % {"day": day}]}
            )
        observation = Observation(participant=participant, day=day, created_by=by if _user_pk(by) else None, **cleaned)
        if idempotency_key:
            observation.idempotency_key = idempotency_key
        observation.save()
    return observation


def correct_observation(
    *, observation: Observation, values: dict, by, reason: str, expected_version: int, today: date | None = None
) -> Observation:
    """Change a saved observation. Needs a reason; a stale ``expected_version`` raises ObservationConflict.

    The row is locked (SELECT ... FOR UPDATE) while the version and the verification lock are
    checked and the values written; ``Observation.save`` derives the score and window flag, as for
    a first entry.
    """
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for this change.")]})
    cleaned = _validated(observation.participant, observation.day, values, today)
    with transaction.atomic(), audit.reason(reason.strip(), user=_user_pk(by)):
        current = Observation.objects.select_for_update().select_related("participant__study").get(pk=observation.pk)
        if current.is_locked:
            raise ValidationError(_("This observation is verified and locked; ask the coordinator to unlock it."))
        if current.version != expected_version:
            raise ObservationConflict(current=current, submitted=_submitted(current, cleaned))
        for name, value in cleaned.items():
            setattr(current, name, value)
        current.version, current.updated_at = current.version + 1, timezone.now()
        current.save(update_fields=[*cleaned, "version", "updated_at"])
    return Observation.objects.select_related("participant__study", "participant__arm").get(pk=observation.pk)


def _submitted(current: Observation, cleaned: dict) -> dict:
    """What the caller sent, with the values it implies, to show beside the current row."""
    probe = Observation(participant=current.participant, day=current.day, **cleaned)
    return {**cleaned, **probe.derived_values(instrument_for(current.participant.study).thresholds,
                                              current.participant.schedule)}  # fmt: skip


def verify_observations(*, observations, by) -> int:
    """Mark the given (queryset of) observations verified, which locks them. Returns how many changed."""
    require(by, Capability.VERIFY_OBSERVATIONS)
    with transaction.atomic(), audit.reason(_("Verified by the coordinator"), user=_user_pk(by)):
        return observations.filter(verified_at__isnull=True).update(
            verified_at=timezone.now(), verified_by=by, version=F("version") + 1
        )


def unlock_observation(*, observation: Observation, by, reason: str) -> Observation:
    """Lift the verification lock so the observation can be corrected again (coordinator, with a reason)."""
    require(by, Capability.VERIFY_OBSERVATIONS)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for unlocking.")]})
    with transaction.atomic(), audit.reason(reason.strip(), user=_user_pk(by)):
        Observation.objects.filter(pk=observation.pk).update(
            verified_at=None, verified_by=None, version=F("version") + 1, updated_at=timezone.now()
        )
    return Observation.objects.get(pk=observation.pk)
