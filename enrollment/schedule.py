"""The participant's calendar, owned here and nowhere else. Pure: no request, no queries.

Every page, API, import, SQL aggregate and analysis that needs one of these facts asks this
module (docs/structure.md):

- the target date of day d: day 1 is the intervention start, day d is d − 1 days later;
- the visit window of day d: the target date give or take ``window_days``, never before day 1;
- "has left the study": withdrawn or lost to follow-up (``LEFT_STATUSES``), from the status date;
- "left before day d": she left on a date before day d's target date (the status date itself
  is still a study day);
- "expected by today": day d's target date is today or earlier and she had not left before it.
  Days due today count (see docs/observations.md, "Completeness").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class ParticipantStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    LOST_TO_FOLLOW_UP = "lost_to_follow_up", _("Lost to follow-up")


LEFT_STATUSES = (ParticipantStatus.WITHDRAWN, ParticipantStatus.LOST_TO_FOLLOW_UP)
"""The statuses of a participant who has left the study (from her status date on)."""


def has_left(status: str) -> bool:
    """Withdrawn or lost to follow-up."""
    return status in LEFT_STATUSES


def stopped_on(status: str, status_date: date | None) -> date | None:
    """The date a participant left the study, or None while she has not."""
    return status_date if has_left(status) else None


@dataclass(frozen=True)
class ScheduledDay:
    day: int
    target: date
    earliest: date
    latest: date

    def contains(self, on: date) -> bool:
        """Is ``on`` inside this day's visit window?"""
        return self.earliest <= on <= self.latest


def shifted(on: date, days: int) -> date:
    """``on`` moved by ``days``, held at the ends of the calendar instead of overflowing.

    A stored date near 9999-12-31 (a typo the rules now refuse, or an old row) must not
    make every page that draws the schedule fail.
    """
    try:
        return on + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


@dataclass(frozen=True)
class Schedule:
    """One participant's calendar: day 1 on ``start``; she left the study on ``stopped_on`` (or not)."""

    start: date
    n_days: int
    window_days: int
    stopped_on: date | None = None

    def __post_init__(self):
        if self.n_days < 1 or self.window_days < 0:
            raise ValueError("n_days must be at least 1 and window_days at least 0")

    def target(self, day: int) -> date:
        """Target date of ``day``: day 1 is the intervention start."""
        return shifted(self.start, day - 1)

    def scheduled_day(self, day: int) -> ScheduledDay:
        target = self.target(day)
        earliest = max(shifted(target, -self.window_days), self.start)
        return ScheduledDay(day, target, earliest, shifted(target, self.window_days))

    def days(self) -> list[ScheduledDay]:
        """Days 1..n_days with their windows."""
        return [self.scheduled_day(day) for day in range(1, self.n_days + 1)]

    def is_out_of_window(self, day: int, on: date) -> bool:
        return abs((on - self.target(day)).days) > self.window_days

    def left_before(self, day: int) -> bool:
        """Had she left the study before the target date of ``day``?"""
        return self.stopped_on is not None and self.stopped_on < self.target(day)

    def expected_by(self, day: int, today: date) -> bool:
        """Is ``day`` expected by ``today``: due today or earlier, and she had not left before it?"""
        return self.target(day) <= today and not self.left_before(day)


def schedule(intervention_start: date, n_days: int, window_days: int) -> list[ScheduledDay]:
    """Days 1..n_days: day d is due on intervention_start + (d - 1), give or take ``window_days``.

    The window never opens before day 1 itself (no observation before the intervention starts).
    """
    return Schedule(intervention_start, n_days, window_days).days()


def schedule_of(start: date, n_days: int, window_days: int, status: str, status_date: date | None) -> Schedule:
    """The calendar of a participant who started on ``start``, in a study of ``n_days`` with ±``window_days``."""
    return Schedule(start=start, n_days=n_days, window_days=window_days, stopped_on=stopped_on(status, status_date))
