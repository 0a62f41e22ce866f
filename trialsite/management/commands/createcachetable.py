from django.core.management.commands.createcachetable import Command as CreateCacheTableCommand
from django.db import connections

from trialsite.db.base import owner_session
from trialsite.privileges import apply_privileges


class Command(CreateCacheTableCommand):
    help = CreateCacheTableCommand.help + " Runs as the database owner role."

    def handle(self, *args, **options):
        with owner_session(connections[options["database"]]):
            super().handle(*args, **options)
            apply_privileges(connections[options["database"]])
