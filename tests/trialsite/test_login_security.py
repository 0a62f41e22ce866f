"""Login throttling (django-axes), token auth and the API's authentication."""

import pytest
from django.conf import settings
from django.urls import reverse

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
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600
