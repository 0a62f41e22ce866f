"""Role × site access for every foundation page and endpoint: allowed, read-only, forbidden."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "expected"),
    [("midwife.srp1", 200), ("coordinator", 200), ("investigator", 200), ("outsider", 200)],
)
def test_every_signed_in_user_sees_a_home_page(client_for, username, expected):
    assert client_for(username).get(reverse("home")).status_code == expected


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("username", "expected"),
    [("midwife.srp1", 200), ("coordinator", 200), ("investigator", 200), ("outsider", 403)],
)
def test_study_page_needs_a_role(client_for, username, expected):
    assert client_for(username).get(reverse("enrollment:study_detail")).status_code == expected


def test_midwife_sees_only_her_own_site_on_the_study_page(client_for):
    content = client_for("midwife.par").get(reverse("enrollment:study_detail")).content.decode()
    assert "Puskesmas Pondok Aren" in content
    assert "Puskesmas Serpong 1" not in content


@pytest.mark.parametrize(
    ("username", "expected"),
    [("coordinator", 200), ("investigator", 403), ("midwife.srp1", 403), ("outsider", 403)],
)
def test_audit_log_is_for_coordinators(client_for, username, expected):
    assert client_for(username).get(reverse("audit_log")).status_code == expected


@pytest.mark.parametrize(
    ("username", "expected"),
    [("coordinator", 200), ("investigator", 403), ("midwife.srp1", 403), ("outsider", 403)],
)
def test_record_history_is_for_coordinators(client_for, site_srp1, username, expected):
    url = reverse("record_history", args=["enrollment", "site", site_srp1.pk])
    assert client_for(username).get(url).status_code == expected


def test_record_history_of_an_untracked_model_is_not_found(client_for, coordinator):
    url = reverse("record_history", args=["auth", "user", coordinator.pk])
    assert client_for("coordinator").get(url).status_code == 404


@pytest.mark.parametrize(
    ("username", "codes"),
    [
        ("midwife.srp1", {"SRP1"}),
        ("midwife.par", {"PAR"}),
        ("coordinator", {"SRP1", "PAR"}),
        ("investigator", {"SRP1", "PAR"}),
        ("outsider", set()),
    ],
)
def test_site_api_lists_only_visible_sites(client_for, username, codes):
    response = client_for(username).get("/api/v1/sites/")
    assert response.status_code == 200
    assert {s["code"] for s in response.json()["results"]} == codes


def test_midwife_gets_404_for_a_site_of_another_site_by_api(client_for, site_srp1):
    assert client_for("midwife.par").get(f"/api/v1/sites/{site_srp1.pk}/").status_code == 404


def test_outsider_sees_no_study_by_api(client_for):
    assert client_for("outsider").get("/api/v1/studies/moringa-oxytocin/").status_code == 404


def test_api_refuses_anonymous_callers(client, study):
    assert client.get("/api/v1/sites/").status_code == 401


def test_schema_is_served(client_for):
    response = client_for("coordinator").get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/sites/" in response.content
