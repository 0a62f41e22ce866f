"""Completeness of data entry: the one definition, for the coordinator's page, the dashboard and the API.

A cell (site, day d) counts the participants for whom day d is *expected by today*
(:meth:`enrollment.schedule.Schedule.expected_by`: its target date is today or earlier, so a
day due today counts from the morning on, and she had not left the study before that date).
Of those, ``entered`` have the day saved and ``missing`` have it marked missing with a reason.
A recorded day that is not expected (entered ahead of its target date, or marked missing after
she left) is left out, so a cell never passes 100 %. Two queries, whatever the study's size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from enrollment.models import Study
from enrollment.schedule import Schedule, schedule_of
from observations.models import Observation

DEFINITION = "expected_by_end_of_today"
"""The name the API gives the definition above (days due today count as expected)."""


@dataclass
class CompletenessCell:
    day: int
    expected: int = 0
    entered: int = 0
    missing: int = 0

    @property
    def recorded(self) -> int:
        return self.entered + self.missing

    @property
    def percent(self) -> int | None:
        return round(100 * self.recorded / self.expected) if self.expected else None

    def as_dict(self) -> dict:
        return {"day": self.day, "expected": self.expected, "entered": self.entered, "missing": self.missing,
                "percent": self.percent}  # fmt: skip


@dataclass
class SiteCompleteness:
    code: str
    name: str
    days: list[CompletenessCell] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "days": [cell.as_dict() for cell in self.days]}


def completeness_by_site_and_day(study: Study, participants, *, today: date) -> list[SiteCompleteness]:
    """Per site (by code) that has participants among ``participants``: one cell per day 1..n_days.

    ``participants`` is a queryset of the study's participants already scoped to the viewer
    (``Participant.objects.for_user(user)``); the dashboard passes all of them.
    """
    scoped = participants.filter(study=study).order_by()
    people = scoped.values_list("pk", "site__code", "site__name", "intervention_start", "status", "status_date")
    recorded = _recorded_days(scoped)
    sites: dict[str, SiteCompleteness] = {}
    for pk, code, name, start, status, left_on in people:
        site = sites.get(code) or sites.setdefault(
            code, SiteCompleteness(code, name, [CompletenessCell(day) for day in range(1, study.n_days + 1)])
        )
        calendar = schedule_of(start, study.n_days, study.window_days, status, left_on)
        _count(site, calendar, recorded.get(pk, {}), today)
    return [sites[code] for code in sorted(sites)]


def _count(site: SiteCompleteness, calendar: Schedule, recorded: dict[int, bool], today: date) -> None:
    for cell in site.days:
        if not calendar.expected_by(cell.day, today):
            continue
        cell.expected += 1
        if cell.day in recorded:
            cell.missing += recorded[cell.day]
            cell.entered += not recorded[cell.day]


def _recorded_days(participants) -> dict[int, dict[int, bool]]:
    """participant pk -> {day: marked missing?} for the recorded days of ``participants``."""
    by_participant: dict[int, dict[int, bool]] = defaultdict(dict)
    rows = Observation.objects.filter(participant__in=participants.values("pk")).order_by()
    for pk, day, missing_reason in rows.values_list("participant_id", "day", "missing_reason"):
        by_participant[pk][day] = bool(missing_reason)
    return by_participant
