"""``manage.py restore BACKUP``: restore a backup folder into an empty database and check it."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from trialsite.backup import BackupError, restore_database
from trialsite.pgtools import ToolNotFound, connection_params


class Command(BaseCommand):
    help = "Restore a backup folder (made by manage.py backup) into the configured, empty database."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="backup folder holding manifest.json and database.dump")
        parser.add_argument(
            "--owner-url",
            default="",
            help="connect with this PostgreSQL URL (default: the owner role of Django's settings)",
        )
        parser.add_argument("--database", default="default", help="Django database alias (default %(default)s)")

    def handle(self, *args, backup, owner_url, database, **options):
        params = connection_params(database, owner_url)
        try:
            report = restore_database(params=params, backup=Path(backup))
        except (BackupError, ToolNotFound) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {report.rows} rows in {report.tables} tables into {params.dbname}; counts match."
            )
        )
        # Re-applies the app role's privileges (not copied from the old server) and any newer migrations.
        call_command("migrate", database=database, interactive=False, verbosity=0)
        newer = len(report.pending_migrations)
        self.stdout.write(f"Migrated ({newer} newer migrations) and granted the app role its privileges.")
        if not report.secret_matches:
            self.stdout.write(
                self.style.WARNING(
                    "SECRET_KEY differs from the backed-up server's: sign-ins work, but open sessions end and "
                    "de-identified pseudonyms change. Set the SECRET_KEY kept with the backup."
                )
            )
