"""API tokens have a lifecycle: one per device, stored hashed, expiring, revocable."""

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from tests.conftest import PASSWORD, totp_now

pytestmark = pytest.mark.django_db

SITES = "/api/v1/sites/"


def sign_in(username: str, password: str = PASSWORD) -> str:
    """A token for ``username``, with her authenticator's current code (coordinators and investigators need it)."""
    user = get_user_model().objects.get(username=username)
    data = {"username": username, "password": password, "otp_token": totp_now(user)}
    response = Client().post("/api/v1/token/", data)
    assert response.status_code == 200, response.content
    assert response.json()["expiry"]
    return response.json()["token"]


def status_with(token: str, url: str = SITES) -> int:
    return Client().get(url, HTTP_AUTHORIZATION=f"Token {token}").status_code


def test_each_sign_in_gets_its_own_token(cast):
    phone, laptop = sign_in("coordinator"), sign_in("coordinator")
    assert phone != laptop
    assert (status_with(phone), status_with(laptop)) == (200, 200)


def test_tokens_are_stored_only_as_digests(cast):
    token = sign_in("coordinator")
    stored = AuthToken.objects.get(user=cast["coordinator"])
    assert token not in {stored.digest, stored.token_key}
    assert stored.digest == hashlib.sha512(token.encode()).hexdigest()


def test_an_expired_token_is_refused(cast):
    token = sign_in("investigator")
    AuthToken.objects.filter(user=cast["investigator"]).update(expiry=timezone.now() - timedelta(seconds=1))
    assert status_with(token) == 401
    assert not AuthToken.objects.filter(user=cast["investigator"]).exists()


def test_a_token_expires_after_the_configured_hours(cast, settings):
    sign_in("investigator")
    stored = AuthToken.objects.get(user=cast["investigator"])
    lifetime = stored.expiry - stored.created
    assert abs(lifetime - settings.REST_KNOX["TOKEN_TTL"]) < timedelta(seconds=1)


def test_logout_revokes_only_the_token_it_is_sent_with(cast):
    phone, laptop = sign_in("midwife.srp1"), sign_in("midwife.srp1")
    response = Client().post("/api/v1/logout/", HTTP_AUTHORIZATION=f"Token {phone}")
    assert response.status_code == 204
    assert (status_with(phone), status_with(laptop)) == (401, 200)


def test_logout_without_a_token_is_refused(cast):
    assert Client().post("/api/v1/logout/").status_code == 401


def test_a_password_change_revokes_every_token_of_the_user(cast):
    phone, laptop = sign_in("midwife.srp1"), sign_in("midwife.srp1")
    other = sign_in("midwife.par")
    user = cast["midwife.srp1"]
    user.set_password("a-New-password-2027")
    user.save()
    assert (status_with(phone), status_with(laptop), status_with(other)) == (401, 401, 200)


def test_deactivating_an_account_revokes_its_tokens(cast):
    token = sign_in("investigator")
    user = cast["investigator"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not AuthToken.objects.filter(user=user).exists()
    assert status_with(token) == 401


def test_signing_in_again_leaves_other_devices_signed_in_up_to_the_limit(cast, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 2}
    first, second, third = sign_in("coordinator"), sign_in("coordinator"), sign_in("coordinator")
    assert (status_with(first), status_with(second), status_with(third)) == (401, 200, 200)


def test_coordinator_sees_who_holds_tokens_and_revokes_them(cast, client_for):
    token = sign_in("midwife.par")
    coordinator = client_for("coordinator")
    page = coordinator.get(reverse("api_tokens"))
    assert page.status_code == 200
    assert "midwife.par" in page.content.decode()
    response = coordinator.post(reverse("revoke_api_tokens", args=[cast["midwife.par"].pk]))
    assert response.status_code == 302
    assert status_with(token) == 401


@pytest.mark.parametrize("username", ["midwife.srp1", "investigator", "outsider"])
def test_only_the_coordinator_may_revoke_tokens(cast, client_for, username):
    token = sign_in("midwife.par")
    client = client_for(username)
    assert client.get(reverse("api_tokens")).status_code == 403
    assert client.post(reverse("revoke_api_tokens", args=[cast["midwife.par"].pk])).status_code == 403
    assert status_with(token) == 200


def test_revoking_needs_a_post(cast, client_for):
    sign_in("midwife.par")
    assert client_for("coordinator").get(reverse("revoke_api_tokens", args=[cast["midwife.par"].pk])).status_code == 405


def test_the_openapi_schema_requires_login(cast):
    assert Client().get("/api/v1/schema/").status_code == 401
    assert status_with(sign_in("investigator"), "/api/v1/schema/") == 200
