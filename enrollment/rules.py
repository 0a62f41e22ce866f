"""Date, age and text rules of enrolment records, shared by the form, the API, the import and the admin.

Pure: no queries, no request. Every function returns ``{field: [message, ...]}`` (empty when
all rules hold) so that each caller reports every broken rule at once, against its field,
with the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext as _

# No record of this app can be older: the floor when the study has no start date, so that
# paper data of an earlier study still imports but a typo such as 0202 or 1026 does not.
EARLIEST_PLAUSIBLE = date(2000, 1, 1)
AGE_RANGE = (12, 60)
# Day 1 may be planned a little after enrolment, not months ahead (a typo in the year).
MAX_START_DELAY_DAYS = 30

Errors = dict[str, list[str]]


def add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def merge(*parts: Mapping[str, list[str]]) -> Errors:
    merged: Errors = {}
    for part in parts:
        for field, messages in part.items():
            merged.setdefault(field, []).extend(messages)
    return merged


def age_on(born: date, on: date) -> int:
    """Completed years on ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def earliest_date(study_start: date | None) -> date:
    return study_start or EARLIEST_PLAUSIBLE


def date_errors(field: str, on: date | None, *, today: date, study_start: date | None) -> Errors:
    """A study date is neither after today nor before the study start (or the plausible floor)."""
    errors: Errors = {}
    if on is None:
        return errors
    if on > today:
        add(errors, field, _("The date cannot be in the future."))
    elif study_start is not None and on < study_start:
        add(errors, field, _("The date cannot be before the study started (%(date)s).") % {"date": study_start})
    elif on < EARLIEST_PLAUSIBLE:
        add(errors, field, _("The date cannot be before %(date)s.") % {"date": EARLIEST_PLAUSIBLE})
    return errors


def text_errors(field: str, value: str | None, max_length: int | None) -> Errors:
    """No NUL character and at most ``max_length`` characters (Django's own messages)."""
    validators = [ProhibitNullCharactersValidator()]
    if max_length:
        validators.append(MaxLengthValidator(max_length))
    errors: Errors = {}
    for validator in validators:
        try:
            validator(value or "")
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)
    return errors


def texts_errors(model, values: Mapping[str, str | None]) -> Errors:
    """``text_errors`` of each value against the ``max_length`` declared on ``model``'s field."""
    return merge(*(text_errors(name, value, model._meta.get_field(name).max_length) for name, value in values.items()))


def screening_errors(
    *, screened_on: date, date_of_birth: date | None, delivery_date: date | None, today: date, study_start: date | None
) -> Errors:
    """Dates of a screening: plausible, delivery not after screening, the mother 12–60 at screening."""
    errors = merge(
        date_errors("screened_on", screened_on, today=today, study_start=study_start),
        date_errors("delivery_date", delivery_date, today=today, study_start=None),
    )
    if delivery_date is not None and delivery_date > screened_on:
        add(errors, "delivery_date", _("The delivery date cannot be after the screening date."))
    if date_of_birth is not None and not AGE_RANGE[0] <= age_on(date_of_birth, screened_on) <= AGE_RANGE[1]:
        add(errors, "date_of_birth", _("The mother must be between 12 and 60 years old at screening."))
    return errors


def enrolment_errors(
    *,
    screened_on: date,
    consented_on: date | None,
    enrolled_on: date,
    intervention_start: date,
    today: date,
    study_start: date | None,
) -> Errors:
    """Screening ≤ consent ≤ enrolment ≤ day 1 (≤ 30 days later), none in the future, none before the study."""
    errors = merge(
        date_errors("consented_on", consented_on, today=today, study_start=study_start),
        date_errors("enrolled_on", enrolled_on, today=today, study_start=study_start),
    )
    if consented_on is not None and consented_on < screened_on:
        add(errors, "consented_on", _("Consent cannot be dated before the screening."))
    if consented_on is not None and enrolled_on < consented_on:
        add(errors, "enrolled_on", _("Enrolment cannot be before consent."))
    if enrolled_on < screened_on:
        add(errors, "enrolled_on", _("Enrolment cannot be before the screening."))
    return merge(errors, start_errors(enrolled_on=enrolled_on, intervention_start=intervention_start))


def start_errors(*, enrolled_on: date, intervention_start: date) -> Errors:
    """Day 1 from the enrolment date to MAX_START_DELAY_DAYS after it."""
    if intervention_start < enrolled_on:
        return {"intervention_start": [_("Day 1 cannot be before the enrolment date.")]}
    if (intervention_start - enrolled_on).days > MAX_START_DELAY_DAYS:
        message = _("Day 1 must be within %(days)d days of the enrolment date.")
        return {"intervention_start": [message % {"days": MAX_START_DELAY_DAYS}]}
    return {}


def age_at_enrolment_errors(*, date_of_birth: date, enrolled_on: date) -> Errors:
    """The baseline age (at enrolment) stays inside the study's age range too."""
    if AGE_RANGE[0] <= age_on(date_of_birth, enrolled_on) <= AGE_RANGE[1]:
        return {}
    return {"enrolled_on": [_("The mother must be between 12 and 60 years old at enrolment.")]}


def status_date_errors(*, on: date, enrolled_on: date) -> Errors:
    """A withdrawal, loss or completion date: not before enrolment.

    It may lie ahead (a planned completion); it is only compared, never added to, so no
    date can overflow the schedule.
    """
    if on < enrolled_on:
        return {"on": [_("The date cannot be before enrolment.")]}
    return {}
