"""``manage.py backup``: a consistent dump of the whole database plus its manifest."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trialsite.backup import BackupError, backup_database
from trialsite.pgtools import ToolNotFound, connection_params


class Command(BaseCommand):
    help = "Back up the whole database (pg_dump custom format + manifest) into a folder, keeping the newest N."

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", default=settings.BACKUP_DIR, help="folder of backups (default %(default)s)")
        parser.add_argument("--keep", type=int, default=settings.BACKUP_KEEP, help="backups kept (default %(default)s)")
        parser.add_argument(
            "--owner-url",
            default="",
            help="connect with this PostgreSQL URL (default: the owner role of Django's settings)",
        )
        parser.add_argument("--database", default="default", help="Django database alias (default %(default)s)")

    def handle(self, *args, output_dir, keep, owner_url, database, **options):
        params = connection_params(database, owner_url)
        try:
            path = backup_database(params=params, folder=Path(output_dir), keep=keep)
        except (BackupError, ToolNotFound) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path}"))
        self.stdout.write("Keep the server's SECRET_KEY with it: de-identified pseudonyms depend on it.")
