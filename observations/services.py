"""Workflows that write observations: record, correct (compare-and-swap), verify, unlock.

Every write runs inside ``transaction.atomic`` and an audit context naming the
user and, for every change after the first save, the reason for change.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.control import require_unlocked
from enrollment.models import Participant, Study
from observations.models import Observation, instrument_for
from observations.validation import observation_errors
from trialsite import audit
from trialsite.api_errors import Conflict
from trialsite.ids import one_or_none
from trialsite.roles import Capability, require


class ObservationConflict(Exception):
    """Someone saved the observation after the caller loaded it (stale ``version``)."""

    def __init__(self, *, current: Observation, submitted: dict):
        super().__init__("stale version")
        self.current = current
        self.submitted = submitted


class IdempotencyKeyReused(Conflict):
    """The idempotency key already saved another participant's or day's observation (API: 409)."""


def local_today() -> date:
    return timezone.localdate()


def _user_pk(by) -> int | None:
    return by.pk if by is not None and by.is_authenticated else None


def _checked(participant: Participant, day: int, values: dict, today: date | None) -> tuple[dict, dict]:
    return observation_errors(
        values,
        day=day,
        schedule=participant.schedule,
        adherence=participant.arm.adherence,
        today=today or local_today(),
    )


def _validated(participant: Participant, day: int, values: dict, today: date | None) -> dict:
    cleaned, errors = _checked(participant, day, values, today)
    if errors:
        raise ValidationError(errors)
    return cleaned


def observation_problems(*, participant: Participant, day: int, values: dict, today: date | None = None) -> dict:
    """Every rule ``values`` break for ``day`` of ``participant``, without writing anything.

    For pages that show these beside their own field errors, so that one round shows every problem.
    """
    _cleaned, errors = _checked(participant, day, values, today)
    return errors


def replayed_observation(*, participant: Participant, day: int, idempotency_key) -> Observation | None:
    """The observation a first-entry form with ``idempotency_key`` already saved (a resend), or None.

    The one answer to "is this a resend?" for the service, the page and the API. It is decided under
    a transaction-level advisory lock on the key, so that of two requests carrying the same key the
    second waits for the first to commit and then sees its row; inside ``record_observation`` that
    lock is taken before the participant's. A key used for another participant or day raises
    IdempotencyKeyReused.
    """
    key = _as_uuid(idempotency_key)
    if key is None:
        return None
    # No savepoint inside a save's transaction: the lock is held to its end either way, and a savepoint
    # is two more statements (SAVEPOINT, RELEASE) on every first entry.
    with transaction.atomic(savepoint=False):
        _lock_key(key)
        existing = one_or_none(Observation.objects.filter(idempotency_key=key))
    if existing is not None and (existing.participant_id, existing.day) != (participant.pk, day):
        raise IdempotencyKeyReused(
            {"idempotency_key": [_("This form was already used for another day; reload the page.")]}
        )
    return existing


def is_resend_of(observation: Observation, idempotency_key) -> bool:
    """Is a first-entry form carrying ``idempotency_key`` a resend of ``observation``, read as committed?

    What :func:`replayed_observation` answers, for a caller already holding the day's row: a committed
    row with the key is the resend; no lock is needed, as a first entry of the same key still in flight
    could only fail on this row. A key of another day, or none, is not a resend of this one."""
    key = _as_uuid(idempotency_key)
    return key is not None and observation.idempotency_key == key


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _lock_key(key: uuid.UUID) -> None:
    """Serialise every request carrying ``key`` (whatever participant it names) until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [str(key)])


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
    observation, _created = record_observation_once(
        participant=participant, day=day, values=values, by=by, idempotency_key=idempotency_key, today=today
    )
    return observation


def record_observation_once(
    *,
    participant: Participant,
    day: int,
    values: dict,
    by,
    idempotency_key: uuid.UUID | None = None,
    today: date | None = None,
) -> tuple[Observation, bool]:
    """(observation, created): ``created`` is False for a resend, decided under the lock that writes.

    A key already used for another participant or day raises IdempotencyKeyReused.
    """
    with transaction.atomic(), audit.reason(_("First entry"), user=_user_pk(by)):
        existing = replayed_observation(participant=participant, day=day, idempotency_key=idempotency_key)
        if existing is not None:
            return existing, False
        require_unlocked(participant.study)
        # One writer per participant; FOR NO KEY UPDATE, so that the key checks of other saves (done at
        # COMMIT, under the audit chain's lock) never wait for this row (tests/observations/test_save_locks.py).
        one_or_none(Participant.objects.select_for_update(no_key=True).filter(pk=participant.pk))
        cleaned = _validated(participant, day, values, today)
        if Observation.objects.filter(participant=participant, day=day).exists():
            raise ValidationError(
                {"day": [_("Day %(day)d already has an observation; correct it instead.") % {"day": day}]}
            )
        observation = Observation(participant=participant, day=day, created_by=by if _user_pk(by) else None, **cleaned)
        observation.idempotency_key = _as_uuid(idempotency_key) or observation.idempotency_key
        observation.save()
    return observation, True


def correct_observation(
    *,
    observation: Observation,
    values: dict,
    by,
    reason: str,
    expected_version: int,
    key: uuid.UUID | str | None = None,
    today: date | None = None,
) -> Observation:
    """Change a saved observation. Needs a reason; a stale ``expected_version`` raises ObservationConflict.

    The row is locked (SELECT ... FOR UPDATE) while the version and the verification lock are
    checked and the values written; ``Observation.save`` derives the score and window flag, as for
    a first entry. Returns the row as written (with its participant, study and arm), not read again.

    ``key`` names the correction form (its idempotency key); the audit trail records it with the
    change. The same form sent again by the same user (its answer was lost) finds its change made:
    it gets the row as it is now, with nothing written, instead of a conflict.
    """
    require_unlocked(observation.participant.study)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for this change.")]})
    cleaned = _validated(observation.participant, observation.day, values, today)
    key, user = _as_uuid(key), _user_pk(by)
    context = {"user": user} | ({"correction": str(key)} if key else {})
    with transaction.atomic(), audit.reason(reason.strip(), **context):
        # Only the observation's row, FOR NO KEY UPDATE: a plain FOR UPDATE with select_related locked the
        # participant and study rows too, and deadlocked with other saves' key checks at COMMIT.
        current = (
            Observation.objects.select_for_update(of=("self",), no_key=True)
            .select_related("participant__study", "participant__arm")
            .get(pk=observation.pk)
        )
        if current.is_locked:
            raise ValidationError(_("This observation is verified and locked; ask the coordinator to unlock it."))
        if current.version != expected_version:
            if key is not None and user is not None and _correction_made(current, key, user):
                return current
            raise ObservationConflict(current=current, submitted=_submitted(current, cleaned))
        for name, value in cleaned.items():
            setattr(current, name, value)
        current.version, current.updated_at = current.version + 1, timezone.now()
        current.save(update_fields=[*cleaned, "version", "updated_at"])  # with the score and window flag it derives
    return current  # the row as written, not read again


def _correction_made(observation: Observation, key: uuid.UUID, user: int) -> bool:
    """Did ``user``'s correction form ``key`` already change ``observation`` (the audit trail says)?"""
    events = audit.event_model_for(Observation).objects.filter(pgh_obj_id=observation.pk, pgh_label="update")
    return events.filter(pgh_context__metadata__correction=str(key), pgh_context__metadata__user=user).exists()


def _submitted(current: Observation, cleaned: dict) -> dict:
    """What the caller sent, with the values it implies, to show beside the current row."""
    probe = Observation(participant=current.participant, day=current.day, **cleaned)
    return {**cleaned, **probe.derived_values(instrument_for(current.participant.study).thresholds,
                                              current.participant.schedule)}  # fmt: skip


# Raised by a database rule when a day to verify still has a data query that is not closed (day in DETAIL).
OPEN_QUERY_SQLSTATE = "TS001"


def verify_observations(*, observations, by) -> int:
    """Mark the given (queryset of) observations verified, which locks them. Returns how many changed.

    Nothing is verified when one of the days has a data query that is not closed (ValidationError).
    """
    require(by, Capability.VERIFY_OBSERVATIONS)
    for study in Study.objects.filter(participants__observations__in=observations).distinct():
        require_unlocked(study)
    try:
        with transaction.atomic(), audit.reason(_("Verified by the coordinator"), user=_user_pk(by)):
            return observations.filter(verified_at__isnull=True).update(
                verified_at=timezone.now(), verified_by=by, version=F("version") + 1
            )
    except DatabaseError as exc:
        cause = exc.__cause__
        if getattr(cause, "sqlstate", None) != OPEN_QUERY_SQLSTATE:
            raise
        day = cause.diag.message_detail
        raise ValidationError(
            _("Day %(day)s has a data query that is not closed: close it before verifying.") % {"day": day}
        ) from None


def unlock_observation(*, observation: Observation, by, reason: str) -> Observation:
    """Lift the verification lock so the observation can be corrected again (coordinator, with a reason)."""
    require(by, Capability.VERIFY_OBSERVATIONS)
    require_unlocked(observation.participant.study)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for unlocking.")]})
    with transaction.atomic(), audit.reason(reason.strip(), user=_user_pk(by)):
        Observation.objects.filter(pk=observation.pk).update(
            verified_at=None, verified_by=None, version=F("version") + 1, updated_at=timezone.now()
        )
    return Observation.objects.get(pk=observation.pk)
