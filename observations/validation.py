"""Every rule of one observation, shared by the form, the API and the import.

Pure: no queries. Ranges come from the model fields (declared once, there); the
schedule rules from :mod:`observations.rules`. Errors are ``{field: [message]}``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from enrollment.models import AdherenceKind
from enrollment.rules import text_errors
from enrollment.schedule import Schedule
from observations import rules
from observations.models import MEASURED, Adherence, Observation

DATA_FIELDS = (
    "observed_on", "feeds_24h", "wet_diapers_24h", "sleep_after_feed_hours", "breast_full_then_soft",
    "expressed_volume_ml", "infant_weight_g", "notes", "adherence", "massage_minutes",
    "missing_reason", "deviation_reason",
)  # fmt: skip
"""What a person records for a day (day and participant identify the row; score is derived)."""

EMPTY_WHEN_MISSING = (*MEASURED, "expressed_volume_ml", "infant_weight_g", "adherence", "massage_minutes")
TEXT_FIELDS = ("notes", "adherence", "missing_reason", "deviation_reason")


def _empty(value) -> bool:
    return value is None or value == ""


def clean_fields(values: dict) -> tuple[dict, dict[str, list[str]]]:
    """Convert and range-check each field with its model field; returns (cleaned, errors)."""
    cleaned, errors = {}, {}
    for name in DATA_FIELDS:
        field = Observation._meta.get_field(name)
        raw = values.get(name)
        if _empty(raw):
            cleaned[name] = "" if name in TEXT_FIELDS else None
            continue
        if name in TEXT_FIELDS:
            errors.update(text_errors(name, str(raw), field.max_length))  # TextField.clean checks no length
        try:
            cleaned[name] = field.clean(raw, None)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
    sleep = cleaned.get("sleep_after_feed_hours")
    if sleep is not None and (Decimal(sleep) * 2) % 1 != 0:
        errors.setdefault("sleep_after_feed_hours", []).append(_("Enter hours in steps of 0.5."))
    return cleaned, errors


def _content_errors(cleaned: dict, adherence: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if cleaned["missing_reason"]:
        for name in EMPTY_WHEN_MISSING:
            if not _empty(cleaned[name]):
                errors[name] = [_("Leave this empty for a day marked missing.")]
        return errors
    for name in MEASURED:
        if cleaned[name] is None:
            errors[name] = [_("This field is required (or mark the day missing with a reason).")]
    errors.update(_adherence_errors(cleaned, adherence))
    return errors


def _adherence_errors(cleaned: dict, adherence: str) -> dict[str, list[str]]:
    """``massage`` arms record given yes/no plus minutes; ``dose`` arms record yes/partly/no (``Arm.adherence``)."""
    if adherence == AdherenceKind.DOSE:
        if cleaned["massage_minutes"] is not None:
            return {"massage_minutes": [_("Massage minutes are recorded only in the oxytocin-massage group.")]}
        return {}
    if cleaned["adherence"] == Adherence.PARTLY:
        return {"adherence": [_("For the massage, answer yes or no.")]}
    if cleaned["adherence"] == Adherence.YES and cleaned["massage_minutes"] is None:
        return {"massage_minutes": [_("Enter how many minutes the massage lasted.")]}
    # Empty adherence with minutes is the interchange format's way of writing the massage arm.
    if cleaned["adherence"] == Adherence.NO and cleaned["massage_minutes"]:
        return {"massage_minutes": [_("Minutes are recorded only when the massage was given.")]}
    return {}


def observation_errors(
    values: dict, *, day: int, schedule: Schedule, adherence: str, today: date
) -> tuple[dict, dict[str, list[str]]]:
    """(cleaned values, every broken rule) for one day of one participant, all at once.

    A field whose value cannot be read has that error only; the rules between fields run on the rest.
    """
    cleaned, errors = clean_fields(values)
    readable = {name: None if name in errors else cleaned.get(name) for name in DATA_FIELDS}
    for field, messages in _content_errors(readable, adherence).items():
        if field not in errors:
            errors[field] = messages
    for field, messages in rules.schedule_errors(
        schedule,
        day=day,
        observed_on=readable["observed_on"],
        missing_reason=readable["missing_reason"] or "",
        deviation_reason=readable["deviation_reason"] or "",
        today=today,
    ).items():
        errors.setdefault(field, []).extend(messages)
    return cleaned, errors
