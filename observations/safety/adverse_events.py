"""Workflows for adverse events: record, follow up (a new version with a reason), acknowledge, report.

Validation is plain Python (:func:`adverse_event_errors`); every write runs in ``transaction.atomic``
and an audit context naming the user and the reason, so each version lands in the trail.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.control import require_unlocked
from enrollment.models import Participant
from observations.safety import alerts
from observations.safety.models import RESOLVED_OUTCOMES, SERIOUSNESS_CRITERIA, AdverseEvent, AETerm, Outcome, Subject
from trialsite import audit
from trialsite.roles import Capability, require

CRITERIA = tuple(name for name, _label in SERIOUSNESS_CRITERIA)
AE_FIELDS = (
    "subject", "onset_date", "term", "term_other", "severity", *CRITERIA, "relatedness", "expectedness",
    "action_taken", "outcome", "resolution_date", "description",
)  # fmt: skip
INFANT_TERMS = (AETerm.INFANT_JAUNDICE, AETerm.INFANT_WEIGHT_LOSS, AETerm.FEEDING_REFUSAL)
MOTHER_TERMS = (AETerm.BREAST_ENGORGEMENT, AETerm.MASTITIS, AETerm.NIPPLE_PAIN)


def adverse_event_errors(values: dict, *, enrolled_on: date, today: date) -> dict[str, list[str]]:
    """Every rule the values break, by field (empty when they are valid). Pure: no database."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    onset, resolved = values.get("onset_date"), values.get("resolution_date")
    if onset and onset > today:
        add("onset_date", _("The onset date cannot be in the future."))
    if onset and onset < enrolled_on:
        add("onset_date", _("The onset date cannot be before enrolment."))
    if values.get("term") == AETerm.OTHER and not (values.get("term_other") or "").strip():
        add("term_other", _("Describe the event."))
    if values.get("term") in INFANT_TERMS and values.get("subject") == Subject.MOTHER:
        add("subject", _("This event is the infant's."))
    if values.get("term") in MOTHER_TERMS and values.get("subject") == Subject.INFANT:
        add("subject", _("This event is the mother's."))
    if resolved and resolved > today:
        add("resolution_date", _("The resolution date cannot be in the future."))
    if resolved and onset and resolved < onset:
        add("resolution_date", _("The resolution date cannot be before the onset."))
    if values.get("outcome") in RESOLVED_OUTCOMES and not resolved:
        add("resolution_date", _("Give the date the event resolved (or the date of death)."))
    if values.get("outcome") not in (*RESOLVED_OUTCOMES, Outcome.UNKNOWN) and resolved:
        add("resolution_date", _("An event that has not resolved has no resolution date."))
    if values.get("serious_death") and values.get("outcome") != Outcome.FATAL:
        add("outcome", _("An event that results in death has the outcome fatal."))
    return errors


def _validated(participant: Participant, values: dict, today: date | None) -> dict:
    cleaned = {name: values.get(name) for name in AE_FIELDS}
    for name in CRITERIA:
        cleaned[name] = bool(cleaned[name])
    for name in ("term_other", "description"):
        cleaned[name] = (cleaned[name] or "").strip()
    if cleaned["term"] != AETerm.OTHER:
        cleaned["term_other"] = ""
    errors = adverse_event_errors(cleaned, enrolled_on=participant.enrolled_on, today=today or timezone.localdate())
    if errors:
        raise ValidationError(errors)
    cleaned["serious"] = any(cleaned[name] for name in CRITERIA)
    return cleaned


def record_adverse_event(*, participant: Participant, values: dict, by, today: date | None = None) -> AdverseEvent:
    """Enter a new adverse event; a serious one alerts investigators and coordinators when the write commits."""
    require(by, Capability.ENTER_ADVERSE_EVENTS)
    require_unlocked(participant.study)
    cleaned = _validated(participant, values, today)
    with transaction.atomic(), audit.reason(_("First entry"), user=by.pk):
        event = AdverseEvent.objects.create(
            participant=participant, created_by=by, serious_since=timezone.now() if cleaned["serious"] else None,
            **cleaned,
        )  # fmt: skip
        if event.serious:
            alerts.alert_serious_event(event)
    return event


def follow_up_adverse_event(
    *, event: AdverseEvent, values: dict, by, reason: str, expected_version: int, today: date | None = None
) -> AdverseEvent:
    """Save a follow-up as the next version (the previous one stays in the audit trail).

    Needs a reason; a stale ``expected_version`` is refused. An event that becomes serious starts its
    reporting clock and alerts.
    """
    require(by, Capability.ENTER_ADVERSE_EVENTS)
    require_unlocked(event.participant.study)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for this change.")]})
    cleaned = _validated(event.participant, values, today)
    with transaction.atomic(), audit.reason(reason.strip(), user=by.pk):
        current = AdverseEvent.objects.select_for_update(no_key=True).get(pk=event.pk)
        if current.version != expected_version:
            raise ValidationError(_("Someone saved a follow-up of this event since you opened it; reload the page."))
        becomes_serious = cleaned["serious"] and current.serious_since is None
        for name, value in cleaned.items():
            setattr(current, name, value)
        if becomes_serious:
            current.serious_since = timezone.now()
        current.version = F("version") + 1
        current.save()
        current.refresh_from_db()
        if becomes_serious:
            alerts.alert_serious_event(current)
    return current


def acknowledge_adverse_event(*, event: AdverseEvent, by) -> AdverseEvent:
    """An investigator or coordinator has seen the serious event (the clock keeps running until reported)."""
    require(by, Capability.REPORT_ADVERSE_EVENTS)
    require_unlocked(event.participant.study)
    if not event.serious:
        raise ValidationError(_("Only serious adverse events are acknowledged and reported."))
    with transaction.atomic(), audit.reason(_("Serious adverse event acknowledged"), user=by.pk):
        AdverseEvent.objects.filter(pk=event.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=by, updated_at=timezone.now()
        )
    return AdverseEvent.objects.get(pk=event.pk)


def report_adverse_event(*, event: AdverseEvent, by, reference: str) -> AdverseEvent:
    """Record that the serious event was reported (ethics committee, sponsor) with the report's reference."""
    require(by, Capability.REPORT_ADVERSE_EVENTS)
    require_unlocked(event.participant.study)
    if not event.serious:
        raise ValidationError(_("Only serious adverse events are acknowledged and reported."))
    if not (reference or "").strip():
        raise ValidationError({"reference": [_("Give the reference of the report (e.g. the committee's number).")]})
    with transaction.atomic(), audit.reason(_("Serious adverse event reported"), user=by.pk):
        now = timezone.now()
        AdverseEvent.objects.filter(pk=event.pk, reported_at__isnull=True).update(
            reported_at=now, reported_by=by, report_reference=reference.strip(), updated_at=now,
            acknowledged_at=event.acknowledged_at or now, acknowledged_by=event.acknowledged_by or by,
        )  # fmt: skip
    return AdverseEvent.objects.get(pk=event.pk)
