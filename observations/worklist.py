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
from observations.models import Observation
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
    schedule = participant.schedule
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
        items.append(DayItem(participant, day, schedule.target(day), status, obs))
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


def overdue_for(user, study: Study, today: date) -> list[DayItem]:
    """Every overdue day (target date past, nothing recorded) of the participants ``user`` can see."""
    participants = list(
        Participant.objects.for_user(user).filter(study=study).select_related("study", "site", "arm")
        .order_by("site__code", "participant_id")
    )  # fmt: skip
    stored = _observations_by_participant([p.pk for p in participants])
    return [
        item
        for participant in participants
        for item in days_of(participant, stored.get(participant.pk, {}), today)
        if item.status == DayStatus.OVERDUE
    ]


@dataclass
class SiteQueue:
    site: object
    days: list[Observation]


def verification_queue(user, study: Study) -> list[SiteQueue]:
    """Saved days not yet verified, site by site, in participant and day order (one query)."""
    pending = (
        Observation.objects.for_user(user)
        .filter(participant__study=study, verified_at__isnull=True)
        .select_related("participant__site", "created_by")
        .order_by("participant__site__code", "participant__participant_id", "day")
    )
    queues: dict[int, SiteQueue] = {}
    for observation in pending:
        site = observation.participant.site
        queues.setdefault(site.pk, SiteQueue(site, [])).days.append(observation)
    return list(queues.values())
