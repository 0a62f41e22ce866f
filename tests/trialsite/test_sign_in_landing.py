"""Where sign-in lands: the midwife on Today, everyone else on the home page; a ``next`` is honoured."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(username: str, **extra) -> str:
    data = {"username": username, "password": PASSWORD, **extra}
    response = Client().post(reverse("login"), data)
    assert response.status_code == 302, response.content.decode()[:500]
    return response.url


def test_the_midwife_lands_on_today(cast):
    assert _sign_in("midwife.srp1") == reverse("observations:today")


def test_the_investigator_keeps_the_home_page(cast):
    assert _sign_in("investigator") == reverse("home")


def test_a_next_page_wins_over_the_landing_page(cast):
    target = reverse("enrollment:participant_list")
    assert _sign_in("midwife.srp1", next=target) == target


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("id", "Nama pengguna atau kata sandi salah."),
        ("en", "Wrong user name or password."),
    ],
)
def test_a_wrong_password_gets_our_own_message(cast, language, expected):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    page = client.post(reverse("login"), {"username": "midwife.srp1", "password": "wrong"}).content.decode()
    assert expected in page
    assert "nama pengguna nama pengguna" not in page.lower()
