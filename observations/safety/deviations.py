"""The protocol-deviation register: entries by the coordinator, and out-of-window visits entered automatically.

The automatic entries are written by a database trigger on observations (migration 0002 of this
app): whatever saves an observation outside its visit window — the form, the API, an import or
``psql`` — the register gets one row for it, in the same transaction.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.control import require_unlocked
from enrollment.models import Participant, Site
from observations.safety.models import DeviationCategory, DeviationGrade, ProtocolDeviation
from trialsite import audit
from trialsite.roles import Capability, require

DEVIATION_FIELDS = (
    "category", "grade", "description", "corrective_action", "preventive_action",
    "occurred_on", "identified_on", "resolved_on",
)  # fmt: skip


def deviation_errors(values: dict, *, today: date) -> dict[str, list[str]]:
    """Every rule the values break, by field. Pure."""
    errors: dict[str, list[str]] = {}
    occurred, identified, resolved = (values.get(k) for k in ("occurred_on", "identified_on", "resolved_on"))
    if values.get("category") not in DeviationCategory.values:
        errors["category"] = [_("Choose a category.")]
    if values.get("grade") not in DeviationGrade.values:
        errors["grade"] = [_("Choose major or minor.")]
    if not (values.get("description") or "").strip():
        errors["description"] = [_("Describe the deviation.")]
    for name, value in (("occurred_on", occurred), ("identified_on", identified), ("resolved_on", resolved)):
        if value and value > today:
            errors.setdefault(name, []).append(_("The date cannot be in the future."))
    if not occurred:
        errors.setdefault("occurred_on", []).append(_("Give the date of the deviation."))
    if not identified:
        errors.setdefault("identified_on", []).append(_("Give the date it was identified."))
    if occurred and identified and identified < occurred:
        errors.setdefault("identified_on", []).append(_("It cannot be identified before it happened."))
    if occurred and resolved and resolved < occurred:
        errors.setdefault("resolved_on", []).append(_("It cannot be resolved before it happened."))
    return errors


def _cleaned(values: dict, participant: Participant | None, site: Site, today: date | None) -> dict:
    cleaned = {name: values.get(name) for name in DEVIATION_FIELDS}
    for name in ("description", "corrective_action", "preventive_action"):
        cleaned[name] = (cleaned[name] or "").strip()
    errors = deviation_errors(cleaned, today=today or timezone.localdate())
    if participant is not None and participant.site_id != site.pk:
        errors.setdefault("participant_code", []).append(_("This participant is at another site."))
    if errors:
        raise ValidationError(errors)
    return cleaned


def record_deviation(
    *, site: Site, values: dict, by, participant: Participant | None = None, today: date | None = None
) -> ProtocolDeviation:
    """Enter a deviation in the register (coordinators)."""
    require(by, Capability.RECORD_DEVIATIONS)
    require_unlocked(site.study)
    cleaned = _cleaned(values, participant, site, today)
    with transaction.atomic(), audit.reason(_("First entry"), user=by.pk):
        return ProtocolDeviation.objects.create(
            study=site.study, site=site, participant=participant, reported_by=by, **cleaned
        )


def update_deviation(*, deviation: ProtocolDeviation, values: dict, by, reason: str, today: date | None = None):
    """Change an entry (e.g. add the corrective action or the resolution date); needs a reason."""
    require(by, Capability.RECORD_DEVIATIONS)
    require_unlocked(deviation.study)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for this change.")]})
    cleaned = _cleaned(values, deviation.participant, deviation.site, today)
    with transaction.atomic(), audit.reason(reason.strip(), user=by.pk):
        for name, value in cleaned.items():
            setattr(deviation, name, value)
        deviation.save()
    return deviation
