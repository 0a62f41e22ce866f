from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from enrollment.control import StudyLocked
from enrollment.models import Study
from observations.importing import FileTooLarge, ImportFailed, capped, check_size, decode_files, import_files
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
        raw = {"participants": self._read(participants_csv), "observations": self._read(observations_csv)}
        files, errors = decode_files(raw)
        try:
            if errors:
                raise ImportFailed(errors)
            plan = import_files(study=target, files=files, by=importer, today=local_today())
        except ImportFailed as failed:
            self._report(failed.errors)
            raise CommandError(f"{len(failed.errors)} errors: nothing was imported.") from None
        except StudyLocked as locked:
            raise CommandError(" ".join(locked.messages)) from None
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

    def _report(self, errors) -> None:
        shown, more = capped(errors)
        for error in shown:
            self.stderr.write(str(error))
        if more:
            self.stderr.write(f"\u2026 and {more} more")

    def _read(self, path: str) -> tuple[str, bytes]:
        try:
            check_size(Path(path).name, Path(path).stat().st_size)
            return Path(path).name, Path(path).read_bytes()
        except FileTooLarge as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"{path}: {exc}") from None
