from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils import translation

from analysis.exports.models import ExportFormat, ExportLayout
from analysis.exports.services import LANGUAGES, ExportOptions, export_to_file
from enrollment.access import get_study_for_user


class Command(BaseCommand):
    help = "Export a study as a checksummed bundle (zip): data files, codebook, analysis JSON, manifest.json."

    def add_arguments(self, parser):
        parser.add_argument("--format", dest="file_format", required=True, choices=ExportFormat.values)
        parser.add_argument("--layout", required=True, choices=ExportLayout.values)
        parser.add_argument("--deidentified", action="store_true", help="pseudonyms, study days, no identifiers")
        parser.add_argument("--site", default="", help="site code (default: every site)")
        parser.add_argument("--language", default="id", choices=LANGUAGES, help="labels and codebook language")
        parser.add_argument("--study", help="study slug (default: the only study)")
        parser.add_argument("--user", required=True, help="the user exporting: their role decides what is allowed")
        parser.add_argument("--output", required=True, help="path of the zip to write")
        parser.add_argument("--excel", action="store_true", help="CSV files with a UTF-8 byte-order mark, for Excel")
        parser.add_argument("--single-file", action="store_true", help="XLSX only: write the workbook, not a zip")

    def handle(self, *args, language, **options):
        with translation.override(language):
            self._export(language=language, **options)

    def _export(
        self, *, file_format, layout, deidentified, site, language, study, user, output, excel, single_file, **options
    ):
        exporter = get_user_model().objects.filter(username=user, is_active=True).first()
        if exporter is None:
            raise CommandError(f"No active user named {user!r}.")
        try:
            target = get_study_for_user(exporter, study)
        except Http404:
            raise CommandError(f"{user} cannot see study {study or '(default)'}.") from None
        choice = ExportOptions(file_format, layout, deidentified, site, language, excel, single_file)
        try:
            record = export_to_file(study=target, by=exporter, options=choice, output=Path(output))
        except PermissionDenied as exc:
            raise CommandError(f"Refused: {exc}") from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {output} (SHA-256 {record.sha256})."))
