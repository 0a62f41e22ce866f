"""The whole analysis of a study, computed once from stored data: the dict of analysis.md.

``compute_results(study, population=..., arms=...)`` is THE function behind the dashboard, the
JSON API (``/api/v1/analysis/``), ``manage.py analyze`` and the export bundle. It runs in two
stages so their cost can be measured apart (bench/bench_analyze.py):

- ``load_analysis_data`` — the database and the frames (three queries: arms, participants,
  observations; the count does not depend on the number of participants);
- ``results_from_data`` — the statistics (pure, ``analysis.stats``).

Keys beyond analysis.md: ``population``, ``n_days``, ``study_title``; per group ``n_excluded``,
``excluded`` ({reason: count} for every reason of ``frames.EXCLUSION_REASONS``) and ``change``
(descriptives of post − pre); ``daily``; and the extra keys of the statistics functions
(p_exact_method, higher_group, ci_method, ...). Every number is a Python int/float or None.
The statistical analysis plan adds ``plan``, ``analyses`` and ``normality`` (results/planned.py).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from analysis import plans, stats
from analysis.frames import (
    EXCLUSION_REASONS,
    POPULATIONS,
    AnalysedRow,
    DayMeasures,
    ParticipantData,
    canonical_rows_sha256,
    check_population,
    exclusion_reason,
    load_day_measures,
    load_participants,
)
from analysis.results.planned import planned_labels, planned_results
from trialsite.numbers import machine_numbers, significant

__all__ = [
    "POPULATIONS",
    "AnalysisData",
    "compute_results",
    "cycle_collector_paused",
    "load_analysis_data",
    "pooled_from_data",
    "results_from_data",
]

COMPARISONS = ("change", "post", "pre")


@dataclass
class ArmData:
    """One arm's people and analysed rows."""

    code: str
    label: str
    labels: dict[str, str]  # language code -> label, so each language's text names the arm its own way
    n_enrolled: int
    excluded: dict[str, int]
    rows: list[AnalysedRow]
    day_scores: dict[int, list[int]]  # day -> scores of the analysed participants that day


@dataclass
class AnalysisData:
    """What the statistics need, loaded from the database by ``load_analysis_data``."""

    study_slug: str
    study_title: str
    population: str
    pre_day: int
    post_day: int
    n_days: int
    alpha: float
    arms: list[ArmData]
    plan: dict = field(default_factory=dict)  # plans.plan_summary; empty: no plan analyses
    measures: dict[str, dict[int, DayMeasures]] = field(default_factory=dict)  # frames.load_day_measures


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused (reference counting frees as usual); also a decorator.

    An analysis of 100,000 participants builds about a million small objects (rows, days, measures)
    that live until it returns and form no reference cycle. The allocations kept triggering full
    collections, each walking all of them: 0.9 s of a 2.4 s analysis (bench/README.md, "Full
    analysis"). The collector is on again afterwards; by then these objects have been freed. Nested
    stages and concurrent threads leave it as they found it: only the stage that paused it resumes it.
    Whatever runs both stages is paused as a whole too (``compute_results``, ``visibility.results_for``):
    turned on between them, the collector would walk the loaded rows once more.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@cycle_collector_paused()
def compute_results(study, *, population: str = "complete_cases", arms: list[str] | None = None) -> dict:
    """The analysis of ``study`` (analysis.md shape plus extras) for ``population``.

    ``arms`` chooses and orders the arms by code (default: all, in arm order); the first arm is
    the first group of every Mann–Whitney comparison. With other than two arms there is no
    between-group comparison: ``mann_whitney`` is ``{}`` and a flag says why.
    Raises ValueError for an unknown population or arm code. The warnings write their numbers with
    a decimal point in every language, as the JSON does (``manage.py analyze``, the API, files).
    """
    with machine_numbers():
        return results_from_data(load_analysis_data(study, population=population, arms=arms))


@cycle_collector_paused()
def load_analysis_data(study, *, population: str = "complete_cases", arms: list[str] | None = None) -> AnalysisData:
    """Stage 1: the arms, participants and observations of ``study``, sorted into analysed rows."""
    check_population(population)
    chosen = _chosen_arms(study, arms)
    people = load_participants(study)
    days = {"pre_day": study.pre_day, "post_day": study.post_day}
    return AnalysisData(
        study_slug=study.slug,
        study_title=str(study.title),
        population=population,
        n_days=study.n_days,
        alpha=float(study.alpha),
        arms=[_arm_data(arm, [p for p in people if p.arm == arm.code], population, days) for arm in chosen],
        plan=plans.plan_summary(study),
        measures=load_day_measures(study, days=days.values()),
        **days,
    )


def _chosen_arms(study, codes: list[str] | None) -> list:
    by_code = {arm.code: arm for arm in study.arms.order_by("order", "code")}
    if codes is None:
        return list(by_code.values())
    unknown = [code for code in codes if code not in by_code]
    if unknown or len(set(codes)) != len(codes):
        raise ValueError(f"Unknown or repeated arm codes {codes!r}: the study has {', '.join(by_code)}.")
    return [by_code[code] for code in codes]


def _arm_data(arm, people: list[ParticipantData], population: str, days: dict) -> ArmData:
    excluded = dict.fromkeys(EXCLUSION_REASONS, 0)
    analysed: list[ParticipantData] = []
    for person in people:
        reason = exclusion_reason(person, population=population, **days)
        if reason is None:
            analysed.append(person)
        else:
            excluded[reason] += 1
    analysed.sort(key=lambda p: p.participant_id)
    rows = [
        AnalysedRow(p.participant_id, p.arm, p.scores[days["pre_day"]], p.scores[days["post_day"]]) for p in analysed
    ]
    scores = [person.scores for person in analysed]
    day_scores = {day: [of[day] for of in scores if day in of] for day in sorted(set().union(*scores))}
    labels = {"id": arm.label_id, "en": arm.label_en}
    return ArmData(arm.code, str(arm.label), labels, len(people), excluded, rows, day_scores)


@cycle_collector_paused()
def results_from_data(data: AnalysisData) -> dict:
    """Stage 2: every statistic of the analysis, from the loaded data (no database access)."""
    groups = [_group(arm) for arm in data.arms]
    comparisons = _mann_whitney(data.arms)
    planned = planned_results(data, groups, comparisons) if data.plan else {}
    plan_flags = planned.pop("plan_flags", [])
    return (
        _header(data)
        | {
            "masked": False,
            "groups": groups,
            "mann_whitney": comparisons,
            "daily": {arm.code: _daily(arm.day_scores, data.n_days) for arm in data.arms},
            "flags": stats.flags(groups, comparisons, data.alpha, _, _in_words) + _study_flags(data) + plan_flags,
        }
        | planned
    )


@cycle_collector_paused()
def pooled_from_data(data: AnalysisData) -> dict:
    """The same result shape with the arms pooled: what a masked viewer may see (no arm is named).

    ``groups``, ``mann_whitney`` and ``flags`` are empty; ``pooled`` holds the figures of all
    analysed participants and ``daily`` has one series, ``"all"``. The plan's ``plan`` and
    ``analyses`` keep their labels (same order and roles as unmasked) without any number.
    """
    rows = [row for arm in data.arms for row in arm.rows]
    day_scores: dict[int, list[int]] = {}
    for arm in data.arms:
        for day, scores in arm.day_scores.items():
            day_scores.setdefault(day, []).extend(scores)
    pooled = {
        "n_enrolled": sum(arm.n_enrolled for arm in data.arms),
        "n_complete": len(rows),
        "pre": stats.describe([row.pre for row in rows]),
        "post": stats.describe([row.post for row in rows]),
    }
    empty = {"groups": [], "mann_whitney": {}, "flags": []}
    labels = planned_labels(data) | {"normality": {}} if data.plan else {}  # normality is by arm: none here
    daily = {"all": _daily(day_scores, data.n_days)}
    return _header(data) | empty | {"masked": True, "pooled": pooled, "daily": daily} | labels


def _header(data: AnalysisData) -> dict:
    """The identifying keys of every result, masked or not (study, time, data hash, days, alpha)."""
    return {
        "study": data.study_slug,
        "study_title": data.study_title,
        "generated_at": timezone.now().isoformat(),
        "data_sha256": canonical_rows_sha256([row for arm in data.arms for row in arm.rows]),
        "population": data.population,
        "outcome": "score",
        "pre_day": data.pre_day,
        "post_day": data.post_day,
        "n_days": data.n_days,
        "alpha": data.alpha,
    }


def _group(arm: ArmData) -> dict:
    pre = [row.pre for row in arm.rows]
    post = [row.post for row in arm.rows]
    return {
        "code": arm.code,
        "label": arm.label,
        "labels": arm.labels,
        "n_enrolled": arm.n_enrolled,
        "n_complete": len(arm.rows),
        "n_excluded": arm.n_enrolled - len(arm.rows),
        "excluded": arm.excluded,
        "pre": stats.describe(pre),
        "post": stats.describe(post),
        "change": stats.describe([b - a for a, b in zip(pre, post, strict=True)]),
        "wilcoxon": stats.wilcoxon_signed_rank(pre, post),
    }


def _mann_whitney(arms: list[ArmData]) -> dict:
    if len(arms) != 2:
        return {}
    values = {
        "change": lambda row: row.post - row.pre,
        "post": lambda row: row.post,
        "pre": lambda row: row.pre,
    }
    return {
        key: stats.mann_whitney({arm.code: [value(row) for row in arm.rows] for arm in arms})
        for key, value in values.items()
    }


def _daily(day_scores: dict[int, list[int]], n_days: int) -> list[dict]:
    """Per day 1..n_days: n, median, q1, q3, mean of the analysed participants' scores that day."""
    summary = []
    for day in range(1, n_days + 1):
        described = stats.describe(day_scores.get(day, []))
        summary.append({"day": day} | {key: described[key] for key in ("n", "median", "q1", "q3", "mean")})
    return summary


def _in_words(value: float) -> str:
    """Alpha or a p-value quoted in a warning, as the reader's language writes it ("0,05")."""
    return significant(value, 4)


def _study_flags(data: AnalysisData) -> list[dict]:
    found = [
        {
            "code": "no_complete_cases",
            "message": _("Group %(group)s has no participant to analyse in this population.") % {"group": arm.label},
        }
        for arm in data.arms
        if not arm.rows
    ]
    if len(data.arms) != 2:
        message = _("The study has %(n)d arm(s) here: the groups are compared only when there are exactly two.")
        found.append({"code": "no_between_group_comparison", "message": message % {"n": len(data.arms)}})
    return found
