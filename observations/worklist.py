"""Read models for the worklist, completeness and timeline pages.

Each function runs a fixed number of queries, whatever the number of
participants: one for the participants, one for their observations; the day
arithmetic is done in Python by :mod:`observations.rules`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from enrollment.models import Participant, ParticipantStatus, Study
from observations import rules
from observations.models import Observation, schedule_for
from observations.rules import DayStatus

UPCOMING_DAYS = 2  # "coming up" on the worklist: the next two days


@dataclass
class DayItem:
    participant: Participant
    day: int
    target: date
    status: DayStatus
    observation: Observation | None = None


@dataclass
class Worklist:
    due: list[DayItem] = field(default_factory=list)
    overdue: list[DayItem] = field(default_factory=list)
    upcoming: list[DayItem] = field(default_factory=list)


def _observations_by_participant(participants) -> dict[int, dict[int, Observation]]:
    by_participant: dict[int, dict[int, Observation]] = defaultdict(dict)
    for obs in Observation.objects.filter(participant__in=participants).only(
        "id", "participant_id", "day", "missing_reason", "score", "observed_on", "verified_at", "out_of_window"
    ):
        by_participant[obs.participant_id][obs.day] = obs
    return by_participant


def days_of(participant: Participant, stored: dict[int, Observation], today: date) -> list[DayItem]:
    """Days 1..n of one participant with their status today."""
    schedule = schedule_for(participant)
    items = []
    for day in range(1, schedule.n_days + 1):
        obs = stored.get(day)
        status = rules.day_status(
            schedule,
            day,
            today=today,
            entered=obs is not None and not obs.is_missing,
            missing=obs is not None and obs.is_missing,
        )
        items.append(DayItem(participant, day, rules.target_date(schedule.start, day), status, obs))
    return items


def worklist_for(user, today: date) -> Worklist:
    """Due today, overdue and coming-up days of the active participants ``user`` can see."""
    participants = list(
        Participant.objects.for_user(user)
        .filter(status=ParticipantStatus.ACTIVE, intervention_start__lte=today + timedelta(days=UPCOMING_DAYS))
        .select_related("study", "site", "arm")
        .order_by("site__code", "participant_id")
    )
    stored = _observations_by_participant([p.pk for p in participants])
    result = Worklist()
    for participant in participants:
        for item in days_of(participant, stored.get(participant.pk, {}), today):
            if item.status == DayStatus.DUE:
                result.due.append(item)
            elif item.status == DayStatus.OVERDUE:
                result.overdue.append(item)
            elif item.status == DayStatus.UPCOMING and item.target <= today + timedelta(days=UPCOMING_DAYS):
                result.upcoming.append(item)
    return result


@dataclass
class CompletenessCell:
    expected: int = 0
    entered: int = 0
    missing: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * (self.entered + self.missing) / self.expected) if self.expected else None


def completeness_for(user, study: Study, today: date) -> tuple[list[tuple], list[DayItem]]:
    """Per site: one cell per day (expected by today, entered, missing); and every overdue day."""
    participants = list(
        Participant.objects.for_user(user).filter(study=study).select_related("study", "site", "arm")
        .order_by("site__code", "participant_id")
    )  # fmt: skip
    stored = _observations_by_participant([p.pk for p in participants])
    cells: dict = defaultdict(lambda: [CompletenessCell() for _ in range(study.n_days)])
    overdue = []
    for participant in participants:
        for item in days_of(participant, stored.get(participant.pk, {}), today):
            if item.status in (DayStatus.UPCOMING, DayStatus.DUE, DayStatus.NOT_EXPECTED):
                continue
            cell = cells[participant.site][item.day - 1]
            cell.expected += 1
            cell.entered += item.status == DayStatus.ENTERED
            cell.missing += item.status == DayStatus.MISSING
            if item.status == DayStatus.OVERDUE:
                overdue.append(item)
    return sorted(cells.items(), key=lambda kv: kv[0].code), overdue
