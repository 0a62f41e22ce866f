"""Read models for the worklist, completeness and timeline pages.

Each function runs a fixed number of queries, whatever the number of
participants: one for the participants, one for their observations (Today: one
for both); the day arithmetic is done in Python by :mod:`observations.rules`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Q

from enrollment.models import Participant, ParticipantStatus, Study, at_sites, localized, site_scope
from enrollment.schedule import Schedule, schedule_of
from observations import rules
from observations.models import Observation
from observations.rules import DayStatus
from trialsite.db.prepared import PreparedRead

UPCOMING_DAYS = 2  # "coming up" on the worklist: the next two days


@dataclass
class DayItem:
    participant: Participant | WorklistParticipant  # Today: its rows as values (below)
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
    entered = {day for day, obs in stored.items() if not obs.is_missing}
    return _days(participant, participant.schedule, entered, stored.keys() - entered, today, stored)


def _days(participant, schedule: Schedule, entered, missing, today: date, stored=None) -> list[DayItem]:
    """Days 1..n of ``schedule`` with their status today: ``entered`` and ``missing`` are the recorded day numbers."""
    return [
        DayItem(
            participant, day, schedule.target(day),
            rules.day_status(schedule, day, today=today, entered=day in entered, missing=day in missing),
            stored.get(day) if stored else None,
        )
        for day in range(1, schedule.n_days + 1)
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Shown:
    """A site's code or an arm's label, as a row of Today shows it (``participant.site.code``, ``.arm.label``)."""

    code: str = ""
    label: str = ""


@dataclass(frozen=True, slots=True)
class WorklistParticipant:
    """What a row of Today shows of a mother: read as values, not as model instances (four of them a row)."""

    pk: int
    participant_id: str
    full_name: str
    site: Shown
    arm: Shown


# Her row and the days recorded for her, in one query: entered days, and days recorded as missing.
_ROW = ("pk", "participant_id", "full_name", "status", "status_date", "intervention_start",
        "study__n_days", "study__window_days", "site__code", "arm__label_id", "arm__label_en")  # fmt: skip
_RECORDED = {
    "entered": ArrayAgg("observations__day", filter=Q(observations__missing_reason=""), default=[]),
    "missing": ArrayAgg("observations__day", filter=Q(observations__missing_reason__gt=""), default=[]),
}


def _worklist_rows(horizon: date, **scope):
    """The active participants who start by ``horizon`` at the sites of ``scope`` (enrollment.models.site_scope)."""
    participants = Participant.objects.filter(status=ParticipantStatus.ACTIVE, intervention_start__lte=horizon)
    participants = at_sites(participants, "site", **scope).order_by("site__code", "participant_id")
    return participants.values_list(*_ROW).annotate(**_RECORDED)


_WORKLIST_ROWS = PreparedRead(_worklist_rows)


def worklist_for(user, today: date) -> Worklist:
    """Due today, overdue and coming-up days of the active participants ``user`` can see.

    Today is every midwife's first page and the answer to every save: its participants come as values
    with their recorded days aggregated, one query and no model instances (a third of the time it took),
    built once per process and shape of her site scope (trialsite.db.prepared).
    """
    rows = _WORKLIST_ROWS.rows(horizon=today + timedelta(days=UPCOMING_DAYS), **site_scope(user))
    result = Worklist()
    for pk, participant_id, name, status, status_date, start, n_days, window, site, label_id, label_en, *days in rows:
        arm = Shown(label=localized(label_id, label_en))
        participant = WorklistParticipant(pk, participant_id, name, Shown(code=site), arm)
        schedule = schedule_of(start, n_days, window, status, status_date)
        for item in _days(participant, schedule, set(days[0]), set(days[1]), today):
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
