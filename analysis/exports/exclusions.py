"""The ``analysis_exclusions`` table of an export: who the coordinator excluded from which population, and why.

De-identified: the pseudonym, and no reason (free text can name a person).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from analysis.exports.columns import CATEGORY, PSEUDONYM, TEXT, Variable, _choices
from analysis.exports.queries import Scope, select
from enrollment.exclusion import ExclusionScope

TABLE = "analysis_exclusions"
POPULATION_SQL = "CASE WHEN p.excluded_from_analysis THEN 'all' ELSE 'per_protocol' END"
VARIABLES = (
    Variable("participant_id", _("Participant ID"), TEXT, "p.participant_id"),
    Variable("population", _("Excluded from"), CATEGORY, POPULATION_SQL, codes=_choices(ExclusionScope)),
    Variable("exclusion_reason", _("Reason for the exclusion"), TEXT, "NULLIF(p.exclusion_reason, '')"),
)


def variables(*, deidentified: bool) -> list[Variable]:
    if not deidentified:
        return list(VARIABLES)
    return [PSEUDONYM, VARIABLES[1]]


def exclusions_sql(chosen: list[Variable], scope: Scope) -> tuple[str, list]:
    return select(chosen, scope, where=" AND (p.excluded_from_analysis OR p.excluded_from_per_protocol)")
