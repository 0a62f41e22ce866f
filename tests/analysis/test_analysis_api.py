"""``GET /api/v1/analysis/``: coordinators and investigators read it; others are refused."""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from analysis.results import compute_results

pytestmark = pytest.mark.django_db

URL = "/api/v1/analysis/"


def without_time(result: dict) -> dict:
    return {key: value for key, value in result.items() if key != "generated_at"}


@pytest.mark.parametrize("username", ["coordinator", "investigator"])
def test_coordinator_and_investigator_get_the_numbers_of_compute_results(client_for, known_dataset, study, username):
    response = client_for(username).get(URL, {"study": study.slug})
    assert response.status_code == 200
    assert without_time(response.json()) == without_time(compute_results(study))


def test_per_protocol_population_is_chosen_by_parameter(client_for, known_dataset, study):
    body = client_for("investigator").get(URL, {"population": "per_protocol"}).json()
    assert body["population"] == "per_protocol"
    assert without_time(body) == without_time(compute_results(study, population="per_protocol"))


def test_arm_order_is_chosen_by_parameter(client_for, known_dataset, study):
    body = client_for("coordinator").get(URL, {"arms": "oxytocin_massage,moringa"}).json()
    assert [group["code"] for group in body["groups"]] == ["oxytocin_massage", "moringa"]


def test_token_authentication_works_too(cast, known_dataset):
    client = APIClient()
    _instance, token = AuthToken.objects.create(user=cast["investigator"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(URL).json()["study"] == "moringa-oxytocin"


@pytest.mark.parametrize("username", ["midwife.srp1", "midwife.par", "outsider"])
def test_midwives_and_users_without_a_role_are_forbidden(client_for, known_dataset, username):
    assert client_for(username).get(URL).status_code == 403


def test_anonymous_callers_get_401(client, known_dataset):
    response = client.get(URL)
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


def test_unknown_population_is_a_400_with_a_message(client_for, known_dataset):
    response = client_for("coordinator").get(URL, {"population": "everyone"})
    assert response.status_code == 400
    message = response.json()["population"][0]
    assert "everyone" in message
    assert "complete_cases" in message
    assert "per_protocol" in message


def test_unknown_arm_is_a_400(client_for, known_dataset):
    response = client_for("coordinator").get(URL, {"arms": "placebo,moringa"})
    assert response.status_code == 400
    assert "placebo" in response.json()["arms"][0]


def test_unknown_study_is_404(client_for, known_dataset):
    assert client_for("coordinator").get(URL, {"study": "no-such-study"}).status_code == 404


def test_masked_outcomes_reach_investigators_pooled_only(client_for, known_dataset, masked_study):
    body = client_for("investigator").get(URL).json()
    assert body["groups"] == []
    assert body["mann_whitney"] == {}
    assert body["pooled"]["n_complete"] == 12
    assert set(body["daily"]) == {"all"}
    assert body["data_sha256"] == compute_results(masked_study)["data_sha256"]


def test_masking_does_not_hide_outcomes_from_coordinators_by_api(client_for, known_dataset, masked_study):
    body = client_for("coordinator").get(URL).json()
    assert without_time(body) == without_time(compute_results(masked_study))
