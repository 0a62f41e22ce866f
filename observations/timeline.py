"""The participant timeline: days with status and score, a chart, and every change with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from enrollment.visibility import View, shown_changes, view_for
from observations.models import Observation
from observations.serializers import OBSERVATION_FIELDS
from observations.services import local_today
from observations.worklist import days_of
from trialsite.audit import Change, HistoryEntry, histories_for
from trialsite.roles import Capability, can

# Row bookkeeping that says nothing about the mother or the baby.
HIDDEN_FIELDS = {"participant_id", "day", "idempotency_key", "created_by_id", "verified_by_id"}


@dataclass
class ShownEntry:
    day: int
    entry: HistoryEntry
    changes: list[Change] = field(default_factory=list)


def _shown(value):
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    return None if value == "" else value


def _changes(entry: HistoryEntry) -> list[Change]:
    """The changes worth showing: on the first entry, only the fields that were filled."""
    shown: list[Change] = []
    for change in entry.changes:
        old, new = _shown(change.old), _shown(change.new)
        if old is None and new is None:
            continue
        shown.append(Change(change.field, change.label, old, new))
    return shown


def _history(view: View, participant, observations: list[Observation]) -> list[ShownEntry]:
    """Every recorded change of the participant's observations, newest first, as ``view`` may see them."""
    histories = histories_for(observations, skip=HIDDEN_FIELDS)
    entries = [(entry.at, n, obs.day, entry) for obs in observations for n, entry in enumerate(histories[obs.pk])]
    # Events of one transaction share a timestamp: the position in each record's trail breaks ties.
    ordered = sorted(entries, key=lambda e: (e[0], e[1]), reverse=True)
    return [
        ShownEntry(day, entry, shown_changes(view, participant, _changes(entry), OBSERVATION_FIELDS))
        for _at, _n, day, entry in ordered
    ]


def timeline_context(user, participant) -> dict:
    observations = list(Observation.objects.filter(participant=participant).order_by("day"))
    days = days_of(participant, {o.day: o for o in observations}, local_today())
    chart = {
        "labels": [item.day for item in days],
        "scores": [item.observation.score if item.observation else None for item in days],
    }
    return {
        "participant": participant,
        "days": days,
        "chart": chart,
        "history": _history(view_for(user, participant.study), participant, observations),
        "can_write": can(user, Capability.RECORD_OBSERVATIONS),
        "can_verify": can(user, Capability.VERIFY_OBSERVATIONS),
    }
