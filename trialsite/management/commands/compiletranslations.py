from django.core.management.base import BaseCommand

from trialsite.translations import compile_catalogs


class Command(BaseCommand):
    help = "Compile every .po catalog to .mo with polib (no GNU gettext needed)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="recompile even if up to date")

    def handle(self, *args, force: bool, **options):
        for path in compile_catalogs(force=force):
            self.stdout.write(f"compiled {path}")
