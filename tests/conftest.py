"""The fixed cast every test can use, and the browser set-up.

A midwife at each of two sites (SRP1, PAR), a coordinator, an investigator and
an outsider (signed in, no role), all in the demo study.
"""

import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from observations.demo import study as demo
from trialsite.accounts import second_factor_required
from trialsite.roles import Role

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "cast-Password-2026"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_sessionstart(session):
    """Compile the catalogs and collect the static files that changed, once per run and before any test.

    Both write into the work tree. With ``-n`` this runs in the controlling process before the
    workers start, so the workers find them done and never write the same files at once.
    """
    if hasattr(session.config, "workerinput"):
        return
    from django.utils.translation import trans_real

    from trialsite.staticfiles import collect_if_stale
    from trialsite.translations import compile_catalogs

    if compile_catalogs():
        # Django may have loaded the catalogs (without these files) while setting up: load them again.
        trans_real._translations = {}
        trans_real._default = None
    # Pages link hashed static names from the manifest.
    collect_if_stale()


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, but /static/ goes through the app's own stack (WhiteNoise: hashed
    names, gzip/brotli, cache headers) as in production, instead of Django's finder-based handler."""
    from pytest_django.live_server_helper import LiveServer

    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = LiveServer(addr, start=False)
    server.thread.static_handler = _no_static_handler
    server.start()
    yield server
    server.stop()


def _no_static_handler(app):
    return app


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Tests sign in many times; the production hasher is deliberately slow."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def make_study():
    # Transactional (browser) tests flush the database, data migrations included: re-create the roles.
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    return demo.seed_study()


@pytest.fixture
def study(db):
    return make_study()


@pytest.fixture
def site_srp1(study):
    return study.sites.get(code="SRP1")


@pytest.fixture
def site_par(study):
    return study.sites.get(code="PAR")


@pytest.fixture
def arm_moringa(study):
    return study.arms.get(code="moringa")


@pytest.fixture
def arm_massage(study):
    return study.arms.get(code="oxytocin_massage")


@pytest.fixture
def cast(study):
    """username -> user for the demo users, plus ``outsider`` who has no role.

    Coordinator and investigator have an authenticator (their sign-in requires one); see ``totp_now``.
    """
    return make_cast(study)


def make_cast(study) -> dict:
    demo.seed_users(study, PASSWORD)
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=demo.DEMO_USERS)}
    outsider = User.objects.create_user("outsider", password=PASSWORD)
    users["outsider"] = outsider
    for username in ("coordinator", "investigator"):
        authenticator(users[username])
    return users


def authenticator(user) -> TOTPDevice:
    """``user``'s confirmed TOTP device (made on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def totp_now(user) -> str:
    """The current code of ``user``'s authenticator, as her phone would show it.

    A TOTP code is accepted once per 30-second step, and a wrong code delays the next try; the
    device's last used step and failures are forgotten first, so a test can sign in again at once.
    """
    device = authenticator(user)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def second_step(page, username: str) -> None:
    """Type the current authenticator code on the second-step page, as the person would from her phone."""
    page.fill("input[name=token]", totp_now(get_user_model().objects.get(username=username)))
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def sign_in_fully(client: Client, user) -> Client:
    """force_login plus a passed second factor when the user's sign-in requires one (tests not about 2FA)."""
    client.force_login(user)
    if second_factor_required(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
        session.save()
    return client


@pytest.fixture
def midwife_srp1(cast):
    return cast["midwife.srp1"]


@pytest.fixture
def midwife_par(cast):
    return cast["midwife.par"]


@pytest.fixture
def coordinator(cast):
    return cast["coordinator"]


@pytest.fixture
def investigator(cast):
    return cast["investigator"]


@pytest.fixture
def outsider(cast):
    return cast["outsider"]


@pytest.fixture
def client_for(cast):
    """client_for("midwife.srp1") -> a Django test client signed in as that cast member."""

    def make(username: str) -> Client:
        return sign_in_fully(Client(), cast[username])

    return make


# --- Browser -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Browser tests need Debian's Chromium at {CHROMIUM} (apt-get install -y chromium).")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A cheap phone: 360 px wide, Indonesian, Jakarta time."""
    return {
        **browser_context_args,
        "viewport": {"width": 360, "height": 740},
        "locale": "id-ID",
        "timezone_id": "Asia/Jakarta",
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    }


@pytest.fixture
def login(live_server):
    """login(page, username) signs the cast member in through the real login form."""

    def do_login(page, username: str, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        if "/accounts/two-factor/" in page.url:
            second_step(page, username)
        return page

    return do_login
