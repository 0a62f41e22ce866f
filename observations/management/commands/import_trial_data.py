from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from enrollment.models import Study
from observations.importing import ImportFailed, import_files
from observations.services import local_today


class Command(BaseCommand):
    help = "Import participants.csv and observations.csv (interchange format) into a study: all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("participants_csv")
        parser.add_argument("observations_csv")
        parser.add_argument("--study", help="study slug (default: the only study)")
        parser.add_argument("--user", required=True, help="username the imported rows are attributed to")

    def handle(self, *args, participants_csv, observations_csv, study, user, **options):
        target = self._study(study)
        importer = get_user_model().objects.filter(username=user).first()
        if importer is None:
            raise CommandError(f"No user named {user!r}.")
        files = {"participants": self._read(participants_csv), "observations": self._read(observations_csv)}
        try:
            plan = import_files(study=target, files=files, by=importer, today=local_today())
        except ImportFailed as failed:
            for error in failed.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(failed.errors)} errors: nothing was imported.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(plan.participants)} participants and {len(plan.observations)} observations."
            )
        )

    def _study(self, slug: str | None) -> Study:
        studies = Study.objects.filter(slug=slug) if slug else Study.objects.all()
        if studies.count() != 1:
            raise CommandError("Name the study with --study SLUG." if not slug else f"No study {slug!r}.")
        return studies.get()

    def _read(self, path: str) -> tuple[str, str]:
        try:
            return Path(path).name, Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: {exc}") from None
