from django.core.management.base import BaseCommand, CommandError

from observations.demo import daily as observations_demo
from observations.demo import plan as plan_demo
from observations.demo import study as enrollment_demo


class Command(BaseCommand):
    help = (
        "Create the demo study (moringa-oxytocin), its sites, arms, demo users and locked analysis plan; "
        "optionally synthetic participants."
    )

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, default=0, help="synthetic participants to add (default 0)")
        parser.add_argument("--seed", type=int, default=1, help="random seed for synthetic data (default 1)")
        parser.add_argument("--password", help="set every demo user's password to this (default: random, printed once)")

    def handle(self, *args, participants: int, seed: int, password: str | None, **options):
        if participants < 0:
            raise CommandError("--participants must be 0 or more.")
        study = enrollment_demo.seed_study()
        logins = enrollment_demo.seed_users(study, password)
        enrollment_demo.seed_participants(study, participants, seed=seed)
        if participants:
            observations_demo.seed_observations(study, seed=seed)
        plan_demo.seed_locked_plan(study)
        if options["verbosity"] == 0:  # the caller prints the logins (the quick start does, once)
            return
        self.stdout.write(self.style.SUCCESS(f"Demo study '{study.slug}' ready."))
        for username, chosen in logins.items():
            shown = chosen if chosen is not None else "(unchanged)"
            self.stdout.write(f"  {username:<14} {shown}")
