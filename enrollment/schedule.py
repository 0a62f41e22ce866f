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


def shifted(on: date, days: int) -> date:
    """``on`` moved by ``days``, held at the ends of the calendar instead of overflowing.

    A stored date near 9999-12-31 (a typo the rules now refuse, or an old row) must not
    make every page that draws the schedule fail.
    """
    try:
        return on + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def schedule(intervention_start: date, n_days: int, window_days: int) -> list[ScheduledDay]:
    """Days 1..n_days: day d is due on intervention_start + (d - 1), give or take ``window_days``.

    The window never opens before day 1 itself (no observation before the intervention starts).
    """
    if n_days < 1 or window_days < 0:
        raise ValueError("n_days must be at least 1 and window_days at least 0")
    days = []
    for day in range(1, n_days + 1):
        target = shifted(intervention_start, day - 1)
        days.append(
            ScheduledDay(
                day, target, max(shifted(target, -window_days), intervention_start), shifted(target, window_days)
            )
        )
    return days
