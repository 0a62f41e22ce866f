"""The ``adverse_events`` table of an export: one row per adverse event (its current version), labelled.

De-identified like the rest: the pseudonym instead of the participant ID, dates as days after the
intervention start, no free text (the description and the "other" term could name a person).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from analysis.exports.columns import (
    CATEGORY,
    DATE,
    INTEGER,
    PSEUDONYM,
    TEXT,
    YES_NO_CODES,
    Variable,
    _choices,
    _date_sql,
    _yes_no_sql,
)
from analysis.exports.queries import Scope, select
from observations.safety.models import (
    SERIOUSNESS_CRITERIA,
    ActionTaken,
    AdverseEvent,
    AETerm,
    Expectedness,
    Outcome,
    Relatedness,
    Severity,
    Subject,
)

TABLE = "adverse_events"


def _offset(column: str) -> str:
    return f"({column} - p.intervention_start)"


VARIABLES = {
    v.name: v
    for v in (
        Variable("participant_id", _("Participant ID"), TEXT, "p.participant_id"),
        Variable("ae_id", _("Adverse event number"), INTEGER, "e.id"),
        Variable("subject", _("Who had the event"), CATEGORY, "e.subject", codes=_choices(Subject)),
        Variable("onset_date", _("Onset date"), DATE, _date_sql("e.onset_date"), "YYYY-MM-DD"),
        Variable("onset_offset_days", _("Onset, days after the intervention start"), INTEGER,
                 _offset("e.onset_date"), "", _("days")),
        Variable("term", _("Adverse event"), CATEGORY, "e.term", codes=_choices(AETerm)),
        Variable("term_other", _("Other adverse event (described)"), TEXT, "NULLIF(e.term_other, '')"),
        Variable("severity", _("Severity"), CATEGORY, "e.severity", codes=_choices(Severity)),
        Variable("serious", _("Serious (any ICH E2A criterion)"), CATEGORY, _yes_no_sql("e.serious"),
                 codes=YES_NO_CODES),
        *(Variable(name, label, CATEGORY, _yes_no_sql(f"e.{name}"), codes=YES_NO_CODES)
          for name, label in SERIOUSNESS_CRITERIA),
        Variable("relatedness", _("Related to the intervention"), CATEGORY, "e.relatedness",
                 codes=_choices(Relatedness)),
        Variable("expectedness", _("Expectedness"), CATEGORY, "e.expectedness", codes=_choices(Expectedness)),
        Variable("action_taken", _("Action taken"), CATEGORY, "e.action_taken", codes=_choices(ActionTaken)),
        Variable("outcome", _("Outcome"), CATEGORY, "e.outcome", codes=_choices(Outcome)),
        Variable("resolution_date", _("Resolution date"), DATE, _date_sql("e.resolution_date"), "YYYY-MM-DD"),
        Variable("resolution_offset_days", _("Resolution, days after the intervention start"), INTEGER,
                 _offset("e.resolution_date"), "", _("days")),
        Variable("description", _("Description of the adverse event"), TEXT, "NULLIF(e.description, '')"),
        Variable("version", _("Version (1 + number of follow-ups)"), INTEGER, "e.version", "≥ 1"),
        Variable("reported", _("Serious event reported"), CATEGORY,
                 "CASE WHEN e.serious THEN " + _yes_no_sql("e.reported_at IS NOT NULL") + " END", codes=YES_NO_CODES),
    )
}  # fmt: skip

IDENTIFIED = (
    "participant_id", "ae_id", "subject", "onset_date", "term", "term_other", "severity", "serious",
    *(name for name, _label in SERIOUSNESS_CRITERIA), "relatedness", "expectedness", "action_taken", "outcome",
    "resolution_date", "description", "version", "reported",
)  # fmt: skip
REPLACED = {"onset_date": "onset_offset_days", "resolution_date": "resolution_offset_days"}
FREE_TEXT = ("term_other", "description")


def variables(*, deidentified: bool) -> list[Variable]:
    """The columns of the table; de-identified: pseudonym, day offsets, no free text."""
    if not deidentified:
        return [VARIABLES[name] for name in IDENTIFIED]
    chosen = []
    for name in IDENTIFIED:
        if name in FREE_TEXT:
            continue
        chosen.append(PSEUDONYM if name == "participant_id" else VARIABLES[REPLACED.get(name, name)])
    return chosen


def adverse_events_sql(chosen: list[Variable], scope: Scope) -> tuple[str, list]:
    join = f" JOIN {AdverseEvent._meta.db_table} e ON e.participant_id = p.id"
    return select(chosen, scope, join=join, order="e.onset_date, e.id")
