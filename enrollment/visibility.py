"""What a viewer sees of participant-level records: the one rule for every page, API response,
export, PDF and live fragment.

Two decisions, each made here once:

- :func:`arm_hidden_for` — while a study's outcomes are masked and its database is not locked,
  a viewer without ``SEE_UNMASKED_RESULTS`` sees no arm, allocation, adherence or any other
  arm-specific field tied to a participant or an observation, may not filter by arm, and sees
  outcome figures pooled only (``analysis.masking.outcome_masked_for`` asks this function).
  Per-arm enrolment counts (the flow diagram) reveal no outcome and may stay; what happened after
  allocation (follow-up status, reasons for leaving, analysed or not) is counted for all arms
  together (:func:`shown_flow`): per arm, read beside the participant list's statuses, a single
  withdrawal would name its arm.
- :func:`identified_for` — a viewer without ``SEE_IDENTIFIERS`` (the investigator) sees what the
  de-identified export holds (:mod:`enrollment.deidentify`): the pseudonym instead of the
  participant ID, days relative to day 1 instead of calendar dates, no free text, no name,
  phone or date of birth.

:func:`view_for` bundles both for one study; pages use it through the ``shown`` template tags,
serializers through :class:`enrollment.serializers.ShownFields`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from enrollment import deidentify
from enrollment.control import control_for
from enrollment.models import Participant, Study
from trialsite.roles import Capability, can

ARM_FIELDS = frozenset({"arm", "allocation", "allocation_method", "allocation_rationale", "adherence",
                        "massage_minutes"})  # fmt: skip
"""Fields that name or reveal a participant's arm (the adherence kind and its duration differ by arm)."""


def arm_hidden_for(user, study: Study) -> bool:
    """True while ``user`` may not see which arm a participant is in (nor outcomes by arm)."""
    if can(user, Capability.SEE_UNMASKED_RESULTS):
        return False
    control = control_for(study)
    return control.outcome_masking and not control.is_locked


ALLOCATION_KEYS = ("code", "label", "allocated")
"""What each arm of the participant flow keeps while arms are hidden: how many were allocated to it."""


def shown_flow(flow: dict, *, arms_hidden: bool) -> dict:
    """The participant flow (``enrollment.reports.flow_counts``, with the analysed counts when the
    analysis added them) as a viewer sees it.

    ``flow["pooled"]`` is None when the arms are shown. While they are hidden, each arm row keeps only
    ``ALLOCATION_KEYS`` and ``flow["pooled"]`` holds every other count of an arm row, and their
    reasons, summed over all arms (code ``"all"``)."""
    if not arms_hidden:
        return flow | {"pooled": None}
    rows = flow["arms"]
    pooled = {"code": "all", "label": _("All arms"), "allocated": sum(row["allocated"] for row in rows)}
    for key in rows[0].keys() - ALLOCATION_KEYS if rows else ():
        values = [row[key] for row in rows]
        pooled[key] = _merged_reasons(values) if isinstance(values[0], list) else sum(values)
    return flow | {"arms": [{key: row[key] for key in ALLOCATION_KEYS} for row in rows], "pooled": pooled}


def _merged_reasons(lists: list[list[dict]]) -> list[dict]:
    """Reason counts ({..., "count"}) of several arms as one list: equal reasons summed, largest first."""
    merged: dict[tuple, dict] = {}
    for reason in (reason for reasons in lists for reason in reasons):
        key = tuple(sorted((k, str(v)) for k, v in reason.items() if k != "count"))
        merged.setdefault(key, reason | {"count": 0})["count"] += reason["count"]
    return sorted(merged.values(), key=lambda reason: -reason["count"])


def identified_for(user) -> bool:
    """May ``user`` see participant IDs, calendar dates, free text and direct identifiers?"""
    return can(user, Capability.SEE_IDENTIFIERS)


WITHHELD = "—"


@dataclass(frozen=True)
class Fields:
    """Which fields of a participant-level record are what: declared once per record type, read
    by its serializer (:func:`shown_row`) and by the pages that show its history (:func:`shown_changes`).

    ``participant`` is the attribute path from the record to its participant ("" = the record is
    the participant); ``study`` the path to its study (a record may have no participant)."""

    participant: str = "participant"
    study: str = "participant.study_id"
    ids: tuple = ("participant_id",)
    dates: tuple = ()
    texts: tuple = ()
    identifiers: tuple = ()
    arms: tuple = tuple(sorted(ARM_FIELDS))


class View:
    """What one viewer sees of one study's participants (see the module docstring).

    Each part is decided when first asked, so a page that shows no arm reads no masking state and a
    coordinator's page computes no pseudonym key. ``user`` None is the unknown viewer: the least."""

    def __init__(self, user, study_id: int, study: Study | None = None):
        self.study_id, self._user, self._study = study_id, user, study

    @cached_property
    def identified(self) -> bool:
        return self._user is not None and identified_for(self._user)

    @cached_property
    def arms_hidden(self) -> bool:
        return self._user is None or arm_hidden_for(self._user, self.study)

    @cached_property
    def study(self) -> Study:
        return self._study or Study.objects.get(pk=self.study_id)

    @cached_property
    def key(self) -> bytes:
        return deidentify.study_key(self.study.slug)

    def participant_id(self, participant: Participant) -> str:
        if self.identified:
            return participant.participant_id
        if self._user is None:
            return WITHHELD
        return deidentify.pseudonym(self.key, participant.participant_id)

    def when(self, participant: Participant, value: date | datetime | None):
        """The date itself, or (de-identified) days relative to the participant's day 1."""
        if self.identified or value is None:
            return value
        if isinstance(value, datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        return deidentify.offset_days(participant.intervention_start, value)

    def when_text(self, participant: Participant | None, value: date | datetime | None) -> str:
        """:meth:`when` as page text: ``2026-03-04`` or ``day 1 +3``; a date with no participant is withheld."""
        if value is None:
            return WITHHELD
        if self.identified:  # in the reader's format (trialsite/formats), as every page writes dates
            if isinstance(value, datetime):
                local = timezone.localtime(value) if timezone.is_aware(value) else value
                return formats.date_format(local, "SHORT_DATETIME_FORMAT")
            return formats.date_format(value, "SHORT_DATE_FORMAT")
        if participant is None:
            return WITHHELD
        return _("day 1 %(offset)+d") % {"offset": self.when(participant, value)}

    def arm(self, participant: Participant):
        return None if self.arms_hidden else participant.arm


LEAST = View(None, 0)
"""What is shown when the viewer is unknown (a serializer or a tag used without a request)."""


def view_for(user, study: Study | int) -> View:
    """The :class:`View` of ``user`` on ``study`` (a study or its pk; cached on the user object for the request)."""
    cache = user.__dict__.setdefault("_trialsite_views", {})
    pk = study.pk if isinstance(study, Study) else study
    if pk not in cache:
        cache[pk] = View(user, pk, study if isinstance(study, Study) else None)
    return cache[pk]


def shown_row(view: View, participant: Participant | None, row: dict, fields) -> dict:
    """``row`` (a serialized record of ``participant``) as ``view`` shows it; ``fields`` declares
    which keys hold the participant ID, dates, free text, direct identifiers and arm fields.

    Hidden arm fields and free text become null (the shape stays); direct identifiers are left out."""
    row = dict(row)
    if view.arms_hidden:
        row.update({name: None for name in fields.arms if name in row})
    if view.identified:
        return row
    for name in fields.identifiers:
        row.pop(name, None)
    row.update({name: None for name in fields.texts if name in row})
    for name in fields.ids:
        if name in row:
            row[name] = view.participant_id(participant) if participant is not None else None
    for name in fields.dates:
        if name in row:
            row[name] = view.when(participant, _parsed(row[name])) if participant is not None else None
    return row


def shown_changes(view: View, participant: Participant | None, changes: list, fields: Fields) -> list:
    """The changes of an audit entry (``trialsite.audit.Change``) as ``view`` shows them: no arm
    field while arms are hidden; de-identified, dates as days from day 1 and free text withheld."""
    shown = []
    for change in changes:
        if (view.arms_hidden and change.field in fields.arms) or (
            not view.identified and change.field in (*fields.identifiers, *fields.ids)
        ):
            continue
        if not view.identified and change.field in fields.texts:
            change = replace(change, old=_withheld(change.old), new=_withheld(change.new))
        elif not view.identified and change.field in fields.dates:
            change = replace(change, old=_day_text(view, participant, change.old),
                             new=_day_text(view, participant, change.new))  # fmt: skip
        shown.append(change)
    return shown


def shown_history(user, study: Study, participant: Participant | None, entries: list, fields: Fields) -> list:
    """Audit entries (``trialsite.audit.HistoryEntry``) of one record with their changes as ``user`` may see them."""
    view = view_for(user, study)
    return [replace(entry, changes=shown_changes(view, participant, entry.changes, fields)) for entry in entries]


def _withheld(value):
    return None if value in (None, "") else WITHHELD


def _day_text(view: View, participant: Participant | None, value):
    return None if value in (None, "") else view.when_text(participant, _parsed(value))


def _parsed(value):
    if value is None or isinstance(value, date):
        return value
    value = str(value)
    return datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
