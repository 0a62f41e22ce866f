import secrets
import signal
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from enrollment.models import Study
from trialsite.dbserver import stop_embedded_server
from trialsite.staticfiles import collect_if_stale

# The demo password belongs with the database it was seeded into (var/ for the default data folder).
DATA_DIR = Path(settings.DATABASES["default"].get("EMBEDDED") or settings.BASE_DIR / "var" / "pgdata")
LOGINS_FILE = DATA_DIR.parent / "demo-logins.txt"
DEMO_PARTICIPANTS = 34  # the size of the published study
DEMO_LOGINS = (
    ("midwife.srp1", "midwife at Puskesmas Serpong 1"),
    ("midwife.par", "midwife at Puskesmas Pondok Aren"),
    ("coordinator", "sets up an authenticator app at first sign-in"),
    ("investigator", "sets up an authenticator app at first sign-in"),
)


class Command(BaseCommand):
    help = "Migrate, seed the demo study if the database is empty, print the demo logins, and serve."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="prepare only; do not start the server")

    def handle(self, *args, port: int, no_serve: bool, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        self.collect_static()
        if not Study.objects.exists():
            password = secrets.token_urlsafe(9)
            call_command("seed_demo", participants=DEMO_PARTICIPANTS, seed=1, password=password, verbosity=0)
            LOGINS_FILE.parent.mkdir(parents=True, exist_ok=True)
            LOGINS_FILE.write_text(password + "\n")
            LOGINS_FILE.chmod(0o600)
        self.print_logins(port)
        if not no_serve:
            self.serve(port)

    def serve(self, port: int) -> None:
        """Serve until stopped (Ctrl-C, or a TERM/HUP signal), then stop the embedded PostgreSQL with it.

        INT is handled here too: a process started with it ignored (a background job of a shell
        script) would otherwise not stop on Ctrl-C or ``kill -INT``.
        """
        for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(stop_signal, _interrupt)
        try:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            embedded = settings.DATABASES["default"].get("EMBEDDED")
            if embedded and stop_embedded_server(str(embedded)):
                self.stdout.write("The embedded PostgreSQL server is stopped.")

    def collect_static(self) -> None:
        """Pages link hashed, compressed static files; collect them when one changed (~30 s the first time)."""
        self.stdout.write("Collecting static files (hashed and compressed; the first time takes about 30 s)…")
        if not collect_if_stale():
            self.stdout.write("Static files are up to date.")

    def print_logins(self, port: int) -> None:
        unknown = "(set with: manage.py seed_demo --password …)"
        password = LOGINS_FILE.read_text().strip() if LOGINS_FILE.exists() else unknown
        self.stdout.write(self.style.SUCCESS(f"\nTrialsite is starting at http://127.0.0.1:{port}/"))
        self.stdout.write(f"Demo logins (every one has the password {password}, kept in {LOGINS_FILE}):")
        for username, note in DEMO_LOGINS:
            self.stdout.write(f"  user name {username:<14} password {password}   ({note})")
        self.stdout.write("Stop with Ctrl-C: the embedded PostgreSQL server stops with it.\n")


def _interrupt(signum, frame):
    raise KeyboardInterrupt
