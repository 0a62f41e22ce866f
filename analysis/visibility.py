"""What a viewer may see of a study's results: the one answer for the dashboard, its live
fragment, the report, the PDF, the JSON API and the export.

:func:`visible_results` decides masked-or-not (through :func:`analysis.masking.outcome_masked_for`)
and returns one shape either way (``analysis.results``: ``results_from_data`` or
``pooled_from_data``, told apart by ``result["masked"]``). The participant flow's analysed
counts come from the same loaded analysis data, for the same population
(:func:`flow_with_analysis`), so the flow, the tables, the JSON and the PDF show one n per arm.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.frames import EXCLUSION_REASONS
from analysis.masking import outcome_masked_for
from analysis.presentation import EXCLUSION_LABELS
from analysis.results import (
    AnalysisData,
    cycle_collector_paused,
    load_analysis_data,
    pooled_from_data,
    results_from_data,
)
from enrollment import reports
from enrollment.models import Study


@dataclass
class VisibleResults:
    masked: bool
    result: dict
    data: AnalysisData


@cycle_collector_paused()
def results_for(study: Study, *, population: str, masked: bool, arms: list[str] | None = None) -> VisibleResults:
    """The result for a viewer already known to be masked or not (the cache key includes ``masked``)."""
    data = load_analysis_data(study, population=population, arms=arms)
    result = pooled_from_data(data) if masked else results_from_data(data)
    return VisibleResults(masked, result, data)


def visible_results(user, study: Study, *, population: str, arms: list[str] | None = None) -> VisibleResults:
    """What ``user`` may see of ``study``'s results for ``population`` (pooled while masked for them)."""
    masked = outcome_masked_for(user, study)
    return results_for(study, population=population, masked=masked, arms=None if masked else arms)


def flow_with_analysis(study: Study, data: AnalysisData) -> dict:
    """The participant flow (enrollment.reports) with each arm's analysed and not-analysed counts
    taken from the analysis data of the chosen population, and the reasons for not analysing."""
    flow = reports.flow_counts(study)
    by_code = {arm.code: arm for arm in data.arms}
    for row in flow["arms"]:
        arm = by_code.get(row["code"])
        row["analysed"] = len(arm.rows) if arm else 0
        row["not_analysed"] = row["allocated"] - row["analysed"]
        excluded = arm.excluded if arm else {}
        row["not_analysed_reasons"] = [
            {"reason": reason, "label": str(EXCLUSION_LABELS.get(reason, reason)), "count": excluded[reason]}
            for reason in EXCLUSION_REASONS
            if excluded.get(reason)
        ]
    flow["population"] = data.population
    flow["analysed"] = sum(row["analysed"] for row in flow["arms"])
    return flow
