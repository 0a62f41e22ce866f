"""The statistical analysis plan (outcome masking and the lock are the study's: ``enrollment.control``)."""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from analysis.sap import Multiplicity, PlanContent, PlanPopulation
from enrollment.models import Study

# A locked plan version is never changed, whoever runs the UPDATE: a change is a new version.
_PLAN_LOCKED_SQL = """
IF OLD.locked_at IS NOT NULL THEN
  RAISE EXCEPTION 'analysis plan % version % is locked: amend it with a reason instead', OLD.study_id, OLD.version;
END IF;
RETURN NEW;
"""


@pghistory.track()
class AnalysisPlan(models.Model):
    """One version of a study's statistical analysis plan (analysis/sap.py says what it means).

    Version 1 is a draft, edited in place (audited) until it is locked. After that every change
    is an amendment: a new version, locked when it is made, with its reason. The current plan is
    the highest version. ``pre_day``, ``post_day`` and ``alpha`` record the study design at the
    time of locking.
    """

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="analysis_plans")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    roles = models.JSONField(_("analyses and their roles"), default=dict)
    population = models.CharField(_("primary population"), max_length=20, choices=PlanPopulation.choices)
    sensitivity_population = models.CharField(
        _("sensitivity population"), max_length=20, choices=PlanPopulation.choices, blank=True
    )
    multiplicity = models.CharField(
        _("multiplicity of secondary outcomes"), max_length=10, choices=Multiplicity.choices
    )
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    pre_day = models.PositiveSmallIntegerField(_("pretest day"))
    post_day = models.PositiveSmallIntegerField(_("posttest day"))
    alpha = models.DecimalField(_("significance level"), max_digits=4, decimal_places=3)
    amendment_reason = models.TextField(_("reason for the amendment"), blank=True, max_length=2000)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["study", "version"]
        verbose_name = _("statistical analysis plan")
        verbose_name_plural = _("statistical analysis plans")
        constraints = [
            models.UniqueConstraint(fields=["study", "version"], name="analysis_plan_one_per_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="analysis_plan_version_from_1"),
            models.CheckConstraint(
                condition=Q(version=1, amendment_reason="")
                | (Q(version__gt=1, locked_at__isnull=False) & ~Q(amendment_reason="")),
                name="analysis_plan_amendment_locked_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(locked_at__isnull=True, locked_by__isnull=True) | Q(locked_at__isnull=False),
                name="analysis_plan_lock_has_time",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="analysis_plan_never_deleted", operation=pgtrigger.Delete),
            pgtrigger.Trigger(
                name="analysis_plan_locked_never_updated",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                func=_PLAN_LOCKED_SQL,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.study} · {_('version')} {self.version}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_amendment(self) -> bool:
        return self.version > 1

    @property
    def content(self) -> PlanContent:
        return PlanContent(dict(self.roles), self.population, self.sensitivity_population, self.multiplicity)
