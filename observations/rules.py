"""Schedule rules of instrument.md for one observation: date errors, day status. Pure, no ORM.

The calendar itself (target dates, windows, "expected by", "has left") is
:class:`enrollment.schedule.Schedule`; these rules only ask it.

Error-returning functions give ``{field: [message, ...]}`` so that the form, the
API and the import report each problem against the field it belongs to.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrollment.schedule import Schedule


class DayStatus(models.TextChoices):
    ENTERED = "entered", gettext_lazy("Entered")
    MISSING = "missing", gettext_lazy("Missing")
    DUE = "due", gettext_lazy("Due today")
    OVERDUE = "overdue", gettext_lazy("Overdue")
    UPCOMING = "upcoming", gettext_lazy("Upcoming")
    NOT_EXPECTED = "not_expected", gettext_lazy("Not expected (withdrawn)")


def default_observation_date(schedule: Schedule, day: int, today: date) -> date:
    """What the form proposes: today while today is inside the day's window, else the target date."""
    target = schedule.target(day)
    if target > today or not schedule.is_out_of_window(day, today):
        return today
    return target


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def schedule_errors(
    schedule: Schedule, *, day: int, observed_on: date | None, missing_reason: str, deviation_reason: str, today: date
) -> dict[str, list[str]]:
    """Every schedule rule broken by one observation (empty dict: all rules hold)."""
    errors: dict[str, list[str]] = {}
    if not 1 <= day <= schedule.n_days:
        _add(errors, "day", _("Day must be between 1 and %(n)d.") % {"n": schedule.n_days})
        return errors
    if missing_reason:
        if schedule.target(day) > today and missing_reason != "withdrawn":
            _add(errors, "missing_reason", _("A day that has not come yet cannot be marked missing."))
        return errors
    if observed_on is None:
        return errors  # a required-field error, reported by whoever checks required fields
    _date_errors(schedule, errors, day=day, observed_on=observed_on, deviation_reason=deviation_reason, today=today)
    return errors


def _date_errors(schedule, errors, *, day, observed_on, deviation_reason, today) -> None:
    if observed_on > today:
        _add(errors, "observed_on", _("The observation date cannot be in the future."))
    if observed_on < schedule.start:
        _add(errors, "observed_on", _("The observation date cannot be before day 1 (start of the intervention)."))
    if schedule.stopped_on is not None and observed_on > schedule.stopped_on:
        _add(
            errors,
            "observed_on",
            _("The participant left the study on %(date)s; no observation after that date.")
            % {"date": schedule.stopped_on.isoformat()},
        )
    if schedule.is_out_of_window(day, observed_on) and not deviation_reason.strip():
        _add(
            errors,
            "deviation_reason",
            _("The date is outside the window of day %(day)d (%(target)s ± %(window)d days): give a deviation reason.")
            % {"day": day, "target": schedule.target(day).isoformat(), "window": schedule.window_days},
        )


def day_status(schedule: Schedule, day: int, *, today: date, entered: bool, missing: bool) -> DayStatus:
    """Where one scheduled day stands today."""
    if entered:
        return DayStatus.ENTERED
    if missing:
        return DayStatus.MISSING
    if schedule.left_before(day):
        return DayStatus.NOT_EXPECTED
    target = schedule.target(day)
    if target == today:
        return DayStatus.DUE
    return DayStatus.OVERDUE if target < today else DayStatus.UPCOMING
