"""Exporting a study: who may export what, and building the bundle (one code path for page and command)."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from analysis.exports import adverse_events, columns, exclusions
from analysis.exports.bundle import file_entries, sha256_of, write_bundle, write_json
from analysis.exports.models import ExportFormat, ExportLayout, ExportRecord
from analysis.exports.queries import Scope, iter_rows, observations_sql, participants_sql, wide_sql
from analysis.exports.writers import Table, write_tables
from analysis.visibility import visible_results
from enrollment.models import Study
from trialsite import audit
from trialsite.numbers import machine_numbers
from trialsite.roles import Capability, can

LANGUAGES = ("id", "en")
RESULTS_FILE = "results.json"


@dataclass(frozen=True)
class ExportOptions:
    file_format: str
    layout: str
    deidentified: bool
    site_code: str = ""
    language: str = "id"
    excel: bool = False
    """CSV files start with a UTF-8 byte-order mark, so that Excel reads their letters right."""
    single_file: bool = False
    """Deliver the data file alone instead of the zip bundle (XLSX only: one workbook holds every table)."""

    def check(self, study: Study) -> None:
        """Raise ValidationError for a value the export does not know."""
        if self.file_format not in ExportFormat.values or self.layout not in ExportLayout.values:
            raise ValidationError(_("Unknown format or layout."))
        if self.single_file and self.file_format != ExportFormat.XLSX:
            raise ValidationError(
                _("A single file is available for XLSX only (one workbook holds every table and the codebook); "
                  "CSV, SPSS and Stata exports are several files, delivered as a zip.")
            )  # fmt: skip
        if self.language not in LANGUAGES:
            raise ValidationError(_("Unknown language."))
        if self.site_code and not study.sites.filter(code=self.site_code).exists():
            raise ValidationError(_("Unknown site code %(code)s.") % {"code": self.site_code})


def check_export_allowed(user, *, deidentified: bool) -> None:
    """Identified data needs EXPORT_IDENTIFIED, de-identified data EXPORT_DEIDENTIFIED (trialsite.roles)."""
    if can(user, Capability.EXPORT_IDENTIFIED if not deidentified else Capability.EXPORT_DEIDENTIFIED):
        return
    raise PermissionDenied(
        _("Investigators may export de-identified data only.")
        if can(user, Capability.EXPORT_DEIDENTIFIED)
        else _("Only coordinators and investigators may export data.")
    )


def build_tables(study: Study, options: ExportOptions, *, masked: bool) -> list[Table]:
    """The data files of the export, with labels in the active language."""
    scope = Scope(study.pk, study.slug, options.site_code or None, options.deidentified)
    sites, arms = list(study.sites.order_by("order", "code")), list(study.arms.order_by("order", "code"))
    people = columns.bind_study(
        columns.participant_variables(layout=options.layout, deidentified=options.deidentified, masked=masked),
        study, sites, arms,
    )  # fmt: skip
    events = adverse_events.variables(deidentified=options.deidentified)
    events_table = _sql_table(adverse_events.TABLE, events, lambda vs: adverse_events.adverse_events_sql(vs, scope))
    excluded = exclusions.variables(deidentified=options.deidentified)
    extra = [events_table, _sql_table(exclusions.TABLE, excluded, lambda vs: exclusions.exclusions_sql(vs, scope))]
    if options.layout == ExportLayout.LONG:
        days = columns.observation_variables(deidentified=options.deidentified, masked=masked)
        return [_sql_table("participants", people, lambda vs: participants_sql(vs, scope)),
                _sql_table("observations", days, lambda vs: observations_sql(vs, scope)), *extra]  # fmt: skip
    fields = columns.wide_day_fields(deidentified=options.deidentified, masked=masked)
    header = people + columns.wide_day_variables(fields, study.n_days)
    return [_sql_table("data", header, lambda vs: wide_sql(vs, study.n_days, scope)), *extra]


def _sql_table(name: str, variables, build) -> Table:
    """Rows as stored for XLSX, SPSS and Stata; the COPY query (CSV) with text escaped against formulas."""
    source = build(variables)
    rows = partial(iter_rows, source, columns=len(variables))
    return Table(name, variables, rows, build(columns.csv_safe(variables)), source)


def _header(study: Study, user, options: ExportOptions, masked: bool) -> dict:
    return {
        "study": study.slug,
        "created_at": timezone.now().isoformat(),
        "created_by": user.get_username(),
        "options": {**asdict(options), "masked": masked},
        "pseudonyms": "HMAC-SHA256, docs/export.md" if options.deidentified else None,
        RESULTS_FILE: None if masked else "compute_results(study, population='complete_cases'), whole study",
    }


def export_bundle(*, study: Study, by, options: ExportOptions, folder: Path) -> tuple[ExportRecord, Path]:
    """Check the user's role, write the bundle into ``folder`` and log it; returns (record, zip path).

    With ``options.single_file`` the path is the workbook itself (no codebook file, results or
    manifest beside it; the manifest is still kept in the export log).

    The queries run in one REPEATABLE READ transaction (when not nested), so the files and the
    analysis JSON describe the same snapshot of the study. The export is logged after that
    transaction, in a transaction of its own: the audit trail's chain must be appended to as it is
    now, not as it was when the snapshot was taken (another user's change may have come between).
    """
    check_export_allowed(by, deidentified=options.deidentified)
    options.check(study)
    path, manifest, masked = _write_snapshot(study, options, folder, by)
    return _log(study, by, options, masked, path, manifest), path


def _write_snapshot(study: Study, options: ExportOptions, folder: Path, by) -> tuple[Path, dict, bool]:
    """Write the files of one snapshot of the study into ``folder``; (bundle or workbook, manifest, masked)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic(), translation.override(options.language), machine_numbers():
        if outermost:
            connection.cursor().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        visible = visible_results(by, study, population="complete_cases")
        masked = visible.masked
        files = write_tables(options.file_format, build_tables(study, options, masked=masked), folder,
                             bom=options.excel)  # fmt: skip
        if options.single_file:
            path = files[0].rename(folder / bundle_name(study, options))
            return path, _manifest(study, by, options, masked, [path]), masked
        if not masked:  # the bundle is the data by arm; a masked export carries neither arms nor results
            files.append(write_json(visible.result, folder / RESULTS_FILE))
        path = folder / bundle_name(study, options)
        return path, write_bundle(files, _header(study, by, options, masked), path), masked


def bundle_name(study: Study, options: ExportOptions) -> str:
    kind = "deidentified" if options.deidentified else "identified"
    site = f"-{options.site_code}" if options.site_code else ""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    suffix = options.file_format if options.single_file else "zip"
    return f"{study.slug}{site}-{options.layout}-{options.file_format}-{kind}-{stamp}.{suffix}"


def _manifest(study: Study, user, options: ExportOptions, masked: bool, files: list[Path]) -> dict:
    return {**_header(study, user, options, masked), RESULTS_FILE: None, "files": file_entries(files)}


def _log(study, user, options: ExportOptions, masked: bool, path: Path, manifest: dict) -> ExportRecord:
    with transaction.atomic(), audit.reason(f"export {path.name}", user=user.pk):
        return ExportRecord.objects.create(
            study=study, user=user, file_format=options.file_format, layout=options.layout,
            deidentified=options.deidentified, site_code=options.site_code, language=options.language,
            masked=masked, file_name=path.name, sha256=sha256_of(path), size_bytes=path.stat().st_size,
            manifest=manifest,
        )  # fmt: skip


def export_to_file(*, study: Study, by, options: ExportOptions, output: Path) -> ExportRecord:
    """Export into a temporary folder, then move the bundle to ``output``."""
    with tempfile.TemporaryDirectory(prefix="trialsite-export-") as folder:
        record, path = export_bundle(study=study, by=by, options=options, folder=Path(folder))
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, output)
    return record
