"""``manage.py analyze``: the study analysis as SPSS-like text, or as the JSON of analysis.md."""

import json

from django.core.management.base import BaseCommand, CommandError

from analysis.results import POPULATIONS, compute_results
from analysis.results.text import render_text
from enrollment.models import Study


class Command(BaseCommand):
    help = "Analyse a study from its stored data (Wilcoxon within arms, Mann-Whitney between arms)."
    requires_system_checks = []  # checks import every view (pandas, reportlab): seconds of start-up for nothing

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the result as JSON (indent 2)")
        parser.add_argument("--study", help="study slug (default: the only/first study)")
        parser.add_argument(
            "--population",
            choices=POPULATIONS,
            default=POPULATIONS[0],
            help="analysed population (default %(default)s)",
        )

    def handle(self, *args, **options):
        result = compute_results(find_study(options["study"]), population=options["population"])
        if options["json"]:
            self.stdout.write(dumps(result))
        else:
            self.stdout.write(render_text(result), ending="")


def dumps(result: dict) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False)


def find_study(slug: str | None) -> Study:
    """The study ``slug``, or the first study when no slug is given; CommandError when there is none."""
    studies = Study.objects.order_by("id")
    study = studies.filter(slug=slug).first() if slug else studies.first()
    if study is not None:
        return study
    known = ", ".join(studies.values_list("slug", flat=True))
    if slug:
        raise CommandError(f"Unknown study {slug!r}. Known studies: {known or 'none'}.")
    raise CommandError("There is no study yet: create one first (e.g. manage.py seed_demo).")
