"""Per-study analysis settings: outcome masking and the database lock."""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enrollment.models import Study


@pghistory.track()
class AnalysisSettings(models.Model):
    """How a study's results may be shown.

    While ``outcome_masking`` is on and the database is not locked, investigators see pooled
    outcome figures only (never by arm); coordinators always see results by arm.
    """

    study = models.OneToOneField(Study, on_delete=models.PROTECT, related_name="analysis_settings")
    outcome_masking = models.BooleanField(_("outcome masking"), default=False)
    locked_at = models.DateTimeField(_("database locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("analysis settings")
        verbose_name_plural = _("analysis settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(locked_at__isnull=True, locked_by__isnull=True) | Q(locked_at__isnull=False),
                name="analysis_lock_has_time",
            )
        ]
        triggers = [pgtrigger.Protect(name="analysis_settings_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return str(self.study)

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None
