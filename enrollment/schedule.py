"""A participant's schedule of visit days, from day 1 (the intervention start). Pure."""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class ScheduledDay:
    day: int
    target: date
    earliest: date
    latest: date

    def contains(self, on: date) -> bool:
        """Is ``on`` inside this day's visit window?"""
        return self.earliest <= on <= self.latest


def schedule(intervention_start: date, n_days: int, window_days: int) -> list[ScheduledDay]:
    """Days 1..n_days: day d is due on intervention_start + (d - 1), give or take ``window_days``.

    The window never opens before day 1 itself (no observation before the intervention starts).
    """
    if n_days < 1 or window_days < 0:
        raise ValueError("n_days must be at least 1 and window_days at least 0")
    window = timedelta(days=window_days)
    days = []
    for day in range(1, n_days + 1):
        target = intervention_start + timedelta(days=day - 1)
        days.append(ScheduledDay(day, target, max(target - window, intervention_start), target + window))
    return days
