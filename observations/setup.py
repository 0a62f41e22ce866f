"""Set-up of what the daily form scores and asks: a study's thresholds and each arm's adherence kind.

Both are fixed by the study's first observation: a score or an adherence answer saved under one
rule cannot be compared with one saved under another. The database refuses a threshold change
after that too (``InstrumentSettings``' trigger).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from enrollment.models import AdherenceKind, Arm, Study
from observations.models import InstrumentSettings, Observation, instrument_for
from trialsite import audit
from trialsite.roles import Capability, require

THRESHOLD_FIELDS = ("feeds_min", "feeds_max", "wet_diapers_min", "sleep_hours_min", "breast_met_when")


def instrument_lock(study: Study) -> str:
    """Why the thresholds and adherence kinds of ``study`` can no longer change (empty when they still can)."""
    saved = Observation.objects.filter(participant__study=study).count()
    if saved:
        return _(
            "Locked: %(n)d observations were scored and asked with these rules; "
            "changing them would make the days incomparable."
        ) % {"n": saved}
    return ""


def _changes(settings: InstrumentSettings, thresholds: dict, arms: dict[int, Arm], adherence: dict[int, str]):
    fields = [name for name, value in thresholds.items() if getattr(settings, name) != value]
    changed_arms = [arms[pk] for pk, kind in adherence.items() if arms[pk].adherence != kind]
    return fields, changed_arms


def set_up_instrument(*, by, study: Study, thresholds: dict, adherence: dict[int, str], reason: str):
    """Change the scoring thresholds (``THRESHOLD_FIELDS``) and the adherence kind of arms (by arm pk).

    Refused once the study has an observation, and for an arm of another study. Errors name the
    threshold fields, ``adherence_<arm pk>`` and ``reason``.
    """
    require(by, Capability.SET_UP_STUDY)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for this change.")]})
    settings = InstrumentSettings.objects.get(pk=instrument_for(study).pk)
    arms = {arm.pk: arm for arm in study.arms.all()}
    if set(adherence) - set(arms):
        raise ValidationError(_("This arm is not in the study."))
    unknown = [pk for pk, kind in adherence.items() if kind not in AdherenceKind.values]
    if unknown:
        raise ValidationError({f"adherence_{unknown[0]}": [_("Choose what this arm records.")]})
    fields, changed_arms = _changes(settings, thresholds, arms, adherence)
    lock = instrument_lock(study)
    if lock and (fields or changed_arms):
        raise ValidationError({fields[0] if fields else f"adherence_{changed_arms[0].pk}": [lock]})
    for name in fields:
        setattr(settings, name, thresholds[name])
    settings.full_clean(exclude=["study"], validate_constraints=False)
    with transaction.atomic(), audit.reason(reason.strip(), user=by.pk):
        if fields:
            settings.save(update_fields=fields)
        for arm in changed_arms:
            arm.adherence = adherence[arm.pk]
            arm.save(update_fields=["adherence"])
    study._instrument_cache = settings
    return settings
