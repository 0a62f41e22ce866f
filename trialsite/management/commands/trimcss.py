from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from trialsite.stylesheet import SOURCE, TRIMMED, trimmed


class Command(BaseCommand):
    help = "Write static/vendor/bootstrap/bootstrap.trimmed.css: Bootstrap with only the rules our pages can use."

    def handle(self, *args, **options):
        static = Path(settings.BASE_DIR) / "static"
        css = trimmed()
        (static / TRIMMED).write_text(css, encoding="utf-8")
        before = (static / SOURCE).stat().st_size
        self.stdout.write(f"wrote {TRIMMED}: {len(css.encode()):,} bytes (from {before:,})")
