from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connections

from trialsite.db.base import owner_session


class Command(MigrateCommand):
    help = MigrateCommand.help + " Runs as the database owner role; the app role's privileges are re-applied after."

    def handle(self, *args, **options):
        with owner_session(connections[options["database"]]):
            return super().handle(*args, **options)
