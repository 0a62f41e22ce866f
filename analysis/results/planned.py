"""The analyses of the statistical analysis plan, computed from loaded data (no database access).

``planned_results`` adds to the result, in the plan's order (analysis/sap.py):

- ``plan``: the plan as it stands (status, version, lock time, roles, populations, multiplicity,
  amendments) and ``exploratory`` (True until a plan is locked: every analysis is exploratory);
- ``analyses``: one entry per analysis of the catalogue — ``key``, ``role`` (the label it
  carries here), ``planned_role``, ``role_label`` and ``title`` in Indonesian and English, and
  either ``result`` (its numbers) or ``see`` (the key that already holds them: the primary rank
  tests live in ``groups[].wilcoxon`` and ``mann_whitney.change``, never copied);
- ``normality``: Shapiro–Wilk of the change per arm and, in both languages, what it means for the
  choice between the rank tests and the t-tests;
- flags ``sensitivity_disagrees`` (a sensitivity analysis on the other side of alpha than the
  primary one, or pointing the other way) and ``plan_design_changed``.

Secondary p-values (analyses planned as secondary) are adjusted together by Holm's method when
the plan says so: ``p_holm`` beside every ``p`` of the family, in plan order.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analysis import stats
from analysis.frames import DayMeasures
from analysis.sap import AnalysisRole, Multiplicity, PlanContent, PlannedAnalysis, role_in_population
from trialsite.numbers import significant

LANGUAGES = ("id", "en")
INDICATORS = (
    ("I1", gettext_lazy("I1: breastfeeds in 24 hours within the target range")),
    ("I2", gettext_lazy("I2: enough wet diapers in 24 hours")),
    ("I3", gettext_lazy("I3: the infant settles long enough after a feed")),
    ("I4", gettext_lazy("I4: the breast feels full before and soft after feeding")),
)
MEASURES = {PlannedAnalysis.EXPRESSED_VOLUME: "expressed_volume_ml", PlannedAnalysis.INFANT_WEIGHT: "infant_weight_g"}
PRIMARY_REFERENCES = {
    PlannedAnalysis.WILCOXON_WITHIN: "groups[].wilcoxon",
    PlannedAnalysis.MANN_WHITNEY_CHANGE: "mann_whitney.change",
}


def both(text) -> dict[str, str]:
    """``text`` (lazy or a callable of no arguments) in Indonesian and English."""
    out = {}
    for code in LANGUAGES:
        with translation.override(code):
            out[code] = text() if callable(text) else str(text)
    return out


def p_of(test: dict | None) -> float | None:
    """The p-value a rank test is judged by: exact when computed, else asymptotic."""
    if not test:
        return None
    return test["p_exact"] if test.get("p_exact") is not None else test.get("p_asymptotic")


def planned_results(data, groups: list[dict], comparisons: dict) -> dict:
    """``plan``, ``analyses``, ``normality`` and the plan's flags for ``data`` (results.AnalysisData)."""
    summary = data.plan
    content = PlanContent(summary["roles"], summary["population"], summary["sensitivity_population"],
                          summary["multiplicity"])  # fmt: skip
    computed = _compute(data, groups)
    analyses = [_entry(key, planned, computed, content, data, summary["locked"]) for key, planned in content.ordered()]
    _adjust(analyses, content.multiplicity)
    normality = _normality(data, groups)
    flags = _disagreements(content, groups, comparisons, computed, data.alpha) + _design_changed(summary, data)
    plan = summary | {"exploratory": not summary["locked"], "notice": _exploratory_notice(summary)}
    return {"plan": plan, "analyses": analyses, "normality": normality, "plan_flags": flags}


def planned_labels(data) -> dict:
    """What a masked viewer may see of the plan: ``plan`` and ``analyses`` with their labels, no numbers."""
    summary = data.plan
    content = PlanContent(summary["roles"], summary["population"], summary["sensitivity_population"],
                          summary["multiplicity"])  # fmt: skip
    analyses = [_label(key, planned, content, data, summary["locked"]) for key, planned in content.ordered()]
    plan = summary | {"exploratory": not summary["locked"], "notice": _exploratory_notice(summary)}
    return {"plan": plan, "analyses": analyses}


def _label(key: str, planned: str, content: PlanContent, data, locked: bool) -> dict:
    role = role_in_population(planned, plan=content, population=data.population, locked=locked)
    return {
        "key": key,
        "role": role,
        "planned_role": planned,
        "role_label": both(AnalysisRole(role).label),
        "title": both(PlannedAnalysis(key).label),
    }


def _entry(key: str, planned: str, computed: dict, content: PlanContent, data, locked: bool) -> dict:
    entry = _label(key, planned, content, data, locked)
    if key in PRIMARY_REFERENCES:
        return entry | {"see": PRIMARY_REFERENCES[key]}
    return entry | {"result": computed[key]}


def _compute(data, groups: list[dict]) -> dict:
    arms = data.arms
    two = len(arms) == 2
    changes = {arm.code: [row.post - row.pre for row in arm.rows] for arm in arms}
    both_days = {arm.code: _both_days(data, arm) for arm in arms}
    return {
        PlannedAnalysis.PAIRED_T_WITHIN: {"groups": {arm.code: _paired_t(arm) for arm in arms}},
        PlannedAnalysis.WELCH_T_CHANGE: stats.welch_t_test(changes) if two else None,
        PlannedAnalysis.ANCOVA_POST: _ancova(arms) if two else None,
        PlannedAnalysis.INDICATORS_WITHIN: _mcnemar(both_days),
        PlannedAnalysis.INDICATORS_BETWEEN: _fisher(data, both_days) if two else None,
        PlannedAnalysis.EXPRESSED_VOLUME: _measure(both_days, MEASURES[PlannedAnalysis.EXPRESSED_VOLUME]),
        PlannedAnalysis.INFANT_WEIGHT: _measure(both_days, MEASURES[PlannedAnalysis.INFANT_WEIGHT]),
    }


def _paired_t(arm) -> dict:
    return stats.paired_t_test([row.pre for row in arm.rows], [row.post for row in arm.rows])


def _ancova(arms) -> dict:
    first, second = arms
    rows = [*first.rows, *second.rows]
    result = stats.ancova([r.pre for r in rows], [r.post for r in rows], [r.arm == first.code for r in rows])
    return result | {"first": first.code, "second": second.code}


class BothDays(NamedTuple):
    """The measures of one arm's analysed participants observed on the pre and on the post day, in the
    order of the arm's rows: ``pre[i]`` and ``post[i]`` are one participant's. ``met_pre`` and
    ``met_post`` are the four indicators of those days as boolean arrays (one row per participant)."""

    pre: list[DayMeasures]
    post: list[DayMeasures]
    met_pre: np.ndarray
    met_post: np.ndarray


def _both_days(data, arm) -> BothDays:
    """``arm``'s analysed participants with an observation on both the pre and the post day, gathered once
    for every secondary analysis (each indicator and measure then reads its columns)."""
    pre, post = [], []
    for row in arm.rows:
        days = data.measures.get(row.participant_id)
        if days and (first := days.get(data.pre_day)) is not None and (last := days.get(data.post_day)) is not None:
            pre.append(first)
            post.append(last)
    return BothDays(pre, post, _met(pre), _met(post))


def _met(days: list[DayMeasures]) -> np.ndarray:
    return np.array([day.indicators for day in days], dtype=bool).reshape(len(days), len(INDICATORS))


def _mcnemar(both_days: dict[str, BothDays]) -> dict:
    indicators = []
    for index, (code, label) in enumerate(INDICATORS):
        tests = {arm: stats.mcnemar(days.met_pre[:, index], days.met_post[:, index]) for arm, days in both_days.items()}
        indicators.append({"indicator": code, "label": both(label), "groups": tests})
    return {"indicators": indicators, "exact_below": stats.MCNEMAR_EXACT_BELOW}


def _fisher(data, both_days: dict[str, BothDays]) -> dict:
    indicators = []
    for index, (code, label) in enumerate(INDICATORS):
        table = []
        for days in both_days.values():
            met = int(days.met_post[:, index].sum())
            table.append([met, len(days.post) - met])
        indicators.append({"indicator": code, "label": both(label)} | stats.fisher_exact(table))
    return {"indicators": indicators, "groups": list(both_days), "day": data.post_day}


def _measure(both_days: dict[str, BothDays], name: str) -> dict:
    pairs = {arm: _measured_pairs(days, name) for arm, days in both_days.items()}
    within = {}
    for arm, (pre, post) in pairs.items():
        test = stats.wilcoxon_signed_rank(pre, post)
        within[arm] = {"n": len(pre), "p": p_of(test) if pre else None, "test": test}
    between = None
    if len(pairs) == 2 and all(group["n"] for group in within.values()):
        changes = {arm: [b - a for a, b in zip(pre, post, strict=True)] for arm, (pre, post) in pairs.items()}
        test = stats.mann_whitney(changes)
        between = {"p": p_of(test), "test": test}
    return {"measure": name, "groups": within, "between": between}


def _measured_pairs(days: BothDays, name: str) -> tuple[list, list]:
    """The values of measure ``name`` on the pre and post day, where it was measured on both."""
    pairs = [
        (a, b) for first, last in zip(days.pre, days.post, strict=True)
        if (a := getattr(first, name)) is not None and (b := getattr(last, name)) is not None
    ]  # fmt: skip
    return [a for a, _b in pairs], [b for _a, b in pairs]


def _family(entry: dict) -> list[dict]:
    """The dicts holding a secondary p-value of ``entry`` (each gets its ``p_holm``), in order."""
    result = entry.get("result")
    if not result:
        return []
    if entry["key"] == PlannedAnalysis.INDICATORS_WITHIN:
        return [test for item in result["indicators"] for test in item["groups"].values()]
    if entry["key"] == PlannedAnalysis.INDICATORS_BETWEEN:
        return list(result["indicators"])
    if entry["key"] in MEASURES:
        return [*result["groups"].values(), *([result["between"]] if result["between"] else [])]
    return [result] if "p" in result else []


def _adjust(analyses: list[dict], multiplicity: str) -> None:
    family = [item for entry in analyses if entry["planned_role"] == AnalysisRole.SECONDARY for item in _family(entry)]
    adjusted = stats.holm([item["p"] for item in family]) if multiplicity == Multiplicity.HOLM else [None] * len(family)
    for item, p_holm in zip(family, adjusted, strict=True):
        item["p_holm"] = p_holm


def _normality(data, groups: list[dict]) -> dict:
    tests = {arm.code: stats.shapiro_wilk([row.post - row.pre for row in arm.rows]) for arm in data.arms}
    return {"groups": tests, "explanation": both(lambda: _explain(tests, _labels_in_language(groups), data.alpha))}


def _labels_in_language(groups: list[dict]) -> dict[str, str]:
    """Each arm's label in the active language, so each language's text names the arms its own way."""
    language = (translation.get_language() or "")[:2]
    return {group["code"]: group.get("labels", {}).get(language) or group["label"] for group in groups}


def _explain(tests: dict, labels: dict, alpha: float) -> str:
    rejected = [code for code, test in tests.items() if test["p"] is not None and test["p"] < alpha]
    judged = [code for code, test in tests.items() if test["p"] is not None]
    names = ", ".join(labels.get(code, code) for code in rejected)
    if judged and len(rejected) == len(judged):
        return _(
            "The Shapiro–Wilk test rejects normality of the change scores in every arm (%(arms)s; p below "
            "alpha = %(alpha)s). The t-tests and the ANCOVA assume normally distributed differences, so "
            "the rank tests (Wilcoxon within the arms, Mann–Whitney between them), which do not, are the "
            "primary analyses; the parametric tests are sensitivity analyses only."
        ) % {"arms": names, "alpha": significant(alpha, 4)}
    if rejected:
        return _(
            "The Shapiro–Wilk test rejects normality of the change scores in %(arms)s (p below alpha = "
            "%(alpha)s). The t-tests assume normally distributed differences, so the rank tests, which do "
            "not, are the primary analyses; the parametric tests are sensitivity analyses only."
        ) % {"arms": names, "alpha": significant(alpha, 4)}
    if judged:
        return _(
            "The Shapiro–Wilk test does not reject normality of the change scores in any arm. The scores "
            "are ordinal (1 to 5) with many ties, so the rank tests stay primary as planned; the t-tests "
            "are a check that should agree with them."
        )
    return _("Too few or identical change scores for the Shapiro–Wilk test: the rank tests stay primary as planned.")


def _exploratory_notice(summary: dict) -> dict | None:
    if summary["locked"]:
        return None
    return both(
        gettext_lazy(
            "No analysis plan is locked yet: every result below is exploratory. Lock the plan before "
            "outcomes are looked at by arm to make the primary analysis confirmatory."
        )
    )


def _side(p: float | None, alpha: float) -> bool | None:
    return None if p is None else p < alpha


def _disagreements(content: PlanContent, groups, comparisons, computed, alpha) -> list[dict]:
    roles = content.roles
    found = []
    if (
        roles.get(PlannedAnalysis.WILCOXON_WITHIN) == AnalysisRole.PRIMARY
        and roles.get(PlannedAnalysis.PAIRED_T_WITHIN) == AnalysisRole.SENSITIVITY
    ):
        for group in groups:
            t = computed[PlannedAnalysis.PAIRED_T_WITHIN]["groups"][group["code"]]
            rank_up = group["wilcoxon"]["direction"] == "positive"
            t_up = (t["mean_difference"] or 0) > 0
            found += _compare(p_of(group["wilcoxon"]), t["p"], rank_up, t_up, alpha, group["label"], _("paired t-test"))
    change = comparisons.get("change")
    if change and roles.get(PlannedAnalysis.MANN_WHITNEY_CHANGE) == AnalysisRole.PRIMARY:
        first = groups[0]["code"]
        rank_first = change.get("higher_group") == first
        for key, name, estimate in (
            (PlannedAnalysis.WELCH_T_CHANGE, _("Welch's t-test"), "difference"),
            (PlannedAnalysis.ANCOVA_POST, _("ANCOVA"), "estimate"),
        ):
            test = computed[key]
            if roles.get(key) == AnalysisRole.SENSITIVITY and test:
                other_first = (test[estimate] or 0) > 0
                found += _compare(p_of(change), test["p"], rank_first, other_first, alpha, _("between the arms"), name)
    return found


def _compare(p_primary, p_other, up_primary, up_other, alpha, where: str, name: str) -> list[dict]:
    sides = (_side(p_primary, alpha), _side(p_other, alpha))
    if None in sides:
        return []
    if sides[0] != sides[1]:
        message = _(
            "Sensitivity analysis disagrees (%(where)s): the primary rank test gives p = %(p1)s but the "
            "%(name)s gives p = %(p2)s, on the other side of alpha = %(alpha)s. Report the primary result "
            "and discuss the difference."
        )
    elif all(sides) and up_primary != up_other:
        message = _(
            "Sensitivity analysis disagrees (%(where)s): the primary rank test (p = %(p1)s) and the %(name)s "
            "(p = %(p2)s) point in opposite directions."
        )
    else:
        return []
    values = {"where": where, "name": name, "p1": significant(p_primary, 3), "p2": significant(p_other, 3),
              "alpha": significant(alpha, 4)}  # fmt: skip
    return [{"code": "sensitivity_disagrees", "message": message % values}]


def _design_changed(summary: dict, data) -> list[dict]:
    recorded = summary["recorded"]
    if not recorded:
        return []
    now = {"pre_day": data.pre_day, "post_day": data.post_day, "alpha": data.alpha}
    if all(abs(float(recorded[key]) - float(now[key])) < 1e-12 for key in now):
        return []
    message = _(
        "The locked analysis plan recorded pre day %(pre)s, post day %(post)s and alpha = %(alpha)s; the study "
        "design now says otherwise. These results do not follow the plan: amend it, giving the reason."
    ) % {"pre": recorded["pre_day"], "post": recorded["post_day"], "alpha": significant(recorded["alpha"], 4)}
    return [{"code": "plan_design_changed", "message": message}]
