"""Login throttling (django-axes), token auth and the API's authentication."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD, totp_now

pytestmark = pytest.mark.django_db


def _login(client, username, password, ip):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _fail_until_locked(client, username, ip):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, username, "wrong-password", ip)


def test_correct_password_signs_in(client, cast):
    response = _login(client, "coordinator", PASSWORD, "10.1.1.1")
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_wrong_password_shows_the_form_again(client, cast):
    response = _login(client, "coordinator", "nope", "10.1.1.1")
    assert response.status_code == 200
    assert "form" in response.context


def test_repeated_failures_lock_that_username_from_that_address(client, cast):
    _fail_until_locked(client, "midwife.srp1", "10.1.1.1")
    response = _login(client, "midwife.srp1", PASSWORD, "10.1.1.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lock_does_not_affect_the_same_username_from_another_address(client, cast):
    _fail_until_locked(client, "midwife.srp1", "10.1.1.1")
    assert _login(client, "midwife.srp1", PASSWORD, "10.2.2.2").status_code == 302


def test_lock_does_not_affect_another_username_from_the_same_address(client, cast):
    _fail_until_locked(client, "midwife.srp1", "10.1.1.1")
    assert _login(client, "midwife.par", PASSWORD, "10.1.1.1").status_code == 302


def test_token_endpoint_returns_a_token_that_authenticates(client, cast):
    response = client.post(
        "/api/v1/token/",
        {"username": "investigator", "password": PASSWORD, "otp_token": totp_now(cast["investigator"])},
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api = client.__class__()
    sites = api.get("/api/v1/sites/", HTTP_AUTHORIZATION=f"Token {token}")
    assert sites.status_code == 200
    assert sites.json()["count"] == 2


def test_token_endpoint_refuses_a_wrong_password(client, cast):
    response = client.post("/api/v1/token/", {"username": "investigator", "password": "wrong"})
    assert response.status_code == 400
    assert "token" not in response.json()


def test_token_endpoint_is_locked_like_the_login_page(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/token/", {"username": "investigator", "password": "wrong"}, REMOTE_ADDR="10.3.3.3")
    response = client.post("/api/v1/token/", {"username": "investigator", "password": PASSWORD}, REMOTE_ADDR="10.3.3.3")
    assert response.status_code == 429
    assert "token" not in response.json()


def test_bogus_token_is_refused(client, cast):
    assert client.get("/api/v1/sites/", HTTP_AUTHORIZATION="Token not-a-token").status_code == 401


def test_session_expires_after_idle_time():
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert "trialsite.middleware.IdleSessionMiddleware" in settings.MIDDLEWARE


def _stored_session(client):
    return Session.objects.get(session_key=client.session.session_key)


def test_a_request_renews_a_session_idle_for_over_a_minute(client_for):
    client = client_for("midwife.srp1")
    idle = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE) - timedelta(minutes=2)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=idle)
    assert client.get(reverse("observations:today")).status_code == 200
    assert _stored_session(client).expire_date > idle + timedelta(minutes=1)


def test_requests_within_a_minute_do_not_rewrite_the_session(client_for):
    client = client_for("midwife.srp1")
    client.get(reverse("observations:today"))
    renewed = _stored_session(client).expire_date
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("observations:today")).status_code == 200
    assert _stored_session(client).expire_date == renewed
    assert not [q for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]


def test_an_expired_session_is_refused(client_for):
    client = client_for("midwife.srp1")
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=timezone.now())
    response = client.get(reverse("observations:today"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
