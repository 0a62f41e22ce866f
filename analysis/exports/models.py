"""The export log: who exported what, when, with which options, and the bundle's SHA-256.

Append-only: a database trigger refuses UPDATE and DELETE, and pghistory copies every row
into the audit trail. The tables keep their first names (``analysis_exportrecord``) from
when the log lived in the analysis app.
"""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enrollment.models import Study


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (with a codebook CSV)")
    XLSX = "xlsx", _("Excel workbook (with a codebook sheet)")
    SAV = "sav", _("SPSS (.sav, with labels)")
    DTA = "dta", _("Stata (.dta, with labels)")


class ExportLayout(models.TextChoices):
    LONG = "long", _("Long: participants and observations (interchange format)")
    WIDE = "wide", _("Wide: one row per participant")


class ExportRecordQuerySet(models.QuerySet):
    def for_study(self, study) -> "ExportRecordQuerySet":
        return self.filter(study=study).select_related("user").order_by("-created_at", "-id")


@pghistory.track(meta={"db_table": "analysis_exportrecordevent"})
class ExportRecord(models.Model):
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True)
    file_format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    layout = models.CharField(_("layout"), max_length=4, choices=ExportLayout.choices)
    deidentified = models.BooleanField(_("de-identified"))
    site_code = models.CharField(_("site"), max_length=10, blank=True)
    language = models.CharField(_("language"), max_length=5)
    masked = models.BooleanField(_("outcome masking applied"), default=False)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256 of the bundle"), max_length=64)
    size_bytes = models.BigIntegerField(_("size (bytes)"))
    manifest = models.JSONField(_("manifest"))

    objects = ExportRecordQuerySet.as_manager()

    class Meta:
        db_table = "analysis_exportrecord"
        verbose_name = _("export")
        ordering = ["-created_at", "-id"]
        triggers = [
            pgtrigger.Protect(name="export_record_never_deleted", operation=pgtrigger.Delete),
            pgtrigger.Protect(name="export_record_never_changed", operation=pgtrigger.Update),
        ]

    def __str__(self) -> str:
        return self.file_name
