"""The statistical analysis plan's vocabulary and rules: plain Python, no request, no ORM.

A plan says, for each analysis of the catalogue below, whether it is primary, secondary or
sensitivity (or not planned); which population is primary and which is a sensitivity
population; and how the secondary p-values are adjusted for multiplicity. The outcome (the
daily score), the pre and post days and alpha are the study design's (``Study``); a locked plan
records them as they were when it was locked, and the results warn when they changed since.

Plan order: primary analyses first, then secondary, then sensitivity, each in catalogue order;
analyses the plan does not name are computed too and shown last, labelled exploratory. Until a
plan is locked every analysis is exploratory (ICH E9: only what was fixed before results were
seen by arm can be confirmatory).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class AnalysisRole(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    SENSITIVITY = "sensitivity", _("Sensitivity")
    EXPLORATORY = "exploratory", _("Exploratory")


class Multiplicity(models.TextChoices):
    HOLM = "holm", _("Holm's step-down adjustment of the secondary p-values")
    NONE = "none", _("No adjustment (secondary p-values are descriptive)")


class PlanPopulation(models.TextChoices):
    COMPLETE_CASES = "complete_cases", _("complete cases")
    PER_PROTOCOL = "per_protocol", _("per protocol")


PLANNED_ROLES = (AnalysisRole.PRIMARY, AnalysisRole.SECONDARY, AnalysisRole.SENSITIVITY)
ROLE_ORDER = {role: index for index, role in enumerate(AnalysisRole.values)}


class PlannedAnalysis(models.TextChoices):
    """The catalogue of analyses Trialsite can compute, in catalogue order."""

    WILCOXON_WITHIN = "wilcoxon_within", _("Wilcoxon signed-rank test of the score within each arm (pre vs post)")
    MANN_WHITNEY_CHANGE = "mann_whitney_change", _("Mann–Whitney U test of the score change between the arms")
    INDICATORS_WITHIN = (
        "mcnemar_indicators",
        _("Each indicator met/not met: McNemar's test within each arm (pre vs post day)"),
    )
    INDICATORS_BETWEEN = (
        "fisher_indicators",
        _("Each indicator met/not met: Fisher's exact test between the arms on the post day"),
    )
    EXPRESSED_VOLUME = (
        "expressed_volume",
        _("Expressed milk volume where recorded: Wilcoxon within, Mann–Whitney between the arms"),
    )
    INFANT_WEIGHT = "infant_weight", _("Infant weight where recorded: Wilcoxon within, Mann–Whitney between the arms")
    PAIRED_T_WITHIN = (
        "paired_t_within",
        _("Paired t-test of the score within each arm, with Shapiro–Wilk of the differences"),
    )
    WELCH_T_CHANGE = "welch_t_change", _("Welch's t-test of the score change between the arms, with Shapiro–Wilk")
    ANCOVA_POST = "ancova_post", _("ANCOVA of the post score on arm, adjusted for the pre score")


DEFAULT_ROLES = {
    PlannedAnalysis.WILCOXON_WITHIN: AnalysisRole.PRIMARY,
    PlannedAnalysis.MANN_WHITNEY_CHANGE: AnalysisRole.PRIMARY,
    PlannedAnalysis.INDICATORS_WITHIN: AnalysisRole.SECONDARY,
    PlannedAnalysis.INDICATORS_BETWEEN: AnalysisRole.SECONDARY,
    PlannedAnalysis.EXPRESSED_VOLUME: AnalysisRole.SECONDARY,
    PlannedAnalysis.INFANT_WEIGHT: AnalysisRole.SECONDARY,
    PlannedAnalysis.PAIRED_T_WITHIN: AnalysisRole.SENSITIVITY,
    PlannedAnalysis.WELCH_T_CHANGE: AnalysisRole.SENSITIVITY,
    PlannedAnalysis.ANCOVA_POST: AnalysisRole.SENSITIVITY,
}
"""The default plan of the two-arm pre/post design (the seed design): rank tests primary."""


class PlanError(ValueError):
    """A plan that cannot be saved or locked; ``errors`` maps field names to messages."""

    def __init__(self, errors: Mapping[str, list[str]]):
        super().__init__("; ".join(message for messages in errors.values() for message in messages))
        self.errors = dict(errors)


@dataclass(frozen=True)
class PlanContent:
    """What a plan says, independent of how it is stored."""

    roles: Mapping[str, str] = field(default_factory=lambda: {str(k): str(v) for k, v in DEFAULT_ROLES.items()})
    population: str = PlanPopulation.COMPLETE_CASES
    sensitivity_population: str = PlanPopulation.PER_PROTOCOL
    multiplicity: str = Multiplicity.HOLM

    def ordered(self) -> list[tuple[str, str]]:
        """[(analysis, role)] in plan order: primary, secondary, sensitivity, then exploratory."""
        catalogue = list(PlannedAnalysis.values)
        return sorted(
            ((key, self.roles.get(key, AnalysisRole.EXPLORATORY)) for key in catalogue),
            key=lambda item: (ROLE_ORDER[item[1]], catalogue.index(item[0])),
        )


def clean_content(
    *, roles: Mapping[str, str], population: str, sensitivity_population: str, multiplicity: str
) -> PlanContent:
    """A valid PlanContent, or PlanError naming every problem at once.

    Rules: every role known; analyses not named are exploratory; at least one primary analysis;
    a known primary population; a sensitivity population (optional) other than the primary one.
    """
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(roles) - set(PlannedAnalysis.values))
    bad_roles = sorted(key for key, role in roles.items() if role not in AnalysisRole.values)
    if unknown or bad_roles:
        errors["roles"] = [gettext("Unknown analyses or roles: %(names)s.") % {"names": ", ".join(unknown + bad_roles)}]
    elif not any(role == AnalysisRole.PRIMARY for role in roles.values()):
        errors["roles"] = [gettext("Name at least one primary analysis.")]
    if population not in PlanPopulation.values:
        errors["population"] = [gettext("Choose the primary population.")]
    if sensitivity_population and sensitivity_population not in PlanPopulation.values:
        errors["sensitivity_population"] = [gettext("Choose a known population.")]
    elif sensitivity_population and sensitivity_population == population:
        errors["sensitivity_population"] = [gettext("The sensitivity population must differ from the primary one.")]
    if multiplicity not in Multiplicity.values:
        errors["multiplicity"] = [gettext("Choose how secondary p-values are adjusted.")]
    if errors:
        raise PlanError(errors)
    planned = {key: role for key, role in roles.items() if role != AnalysisRole.EXPLORATORY}
    return PlanContent(planned, population, sensitivity_population, multiplicity)


def role_in_population(planned_role: str, *, plan: PlanContent, population: str, locked: bool) -> str:
    """The label an analysis carries in a result computed in ``population``.

    Without a locked plan: exploratory. In the plan's primary population: its planned role. In the
    plan's sensitivity population every planned analysis is a sensitivity analysis; in any other
    population, exploratory.
    """
    if not locked or planned_role == AnalysisRole.EXPLORATORY:
        return AnalysisRole.EXPLORATORY
    if population == plan.population:
        return planned_role
    if population == plan.sensitivity_population:
        return AnalysisRole.SENSITIVITY
    return AnalysisRole.EXPLORATORY


def changed_fields(before: PlanContent, after: PlanContent) -> list[str]:
    """Names of what an amendment changes (empty: nothing to amend)."""
    names = ("roles", "population", "sensitivity_population", "multiplicity")
    return [name for name in names if _normal(getattr(before, name)) != _normal(getattr(after, name))]


def _normal(value):
    return dict(sorted(value.items())) if isinstance(value, Mapping) else value
