"""Malformed ids, malformed or deep JSON, broken uploads and raced idempotency keys never give a 500."""

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from enrollment.models import AllocationListEntry, AllocationMethod

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/participants/SRP1-001/",
        "/api/v1/screenings/SRP1-001/",
        "/api/v1/observations/SRP1-001/",
        "/api/v1/sites/SRP1/",
        "/api/v1/participants/99999999999999999999999/",
        "/audit/enrollment/participant/SRP1-001/",
        "/audit/observations/observation/1e9/",
    ],
)
def test_a_malformed_id_is_a_404(client_for, url):
    assert client_for("coordinator").get(url).status_code == 404


def test_a_malformed_id_in_a_change_is_a_404(client_for):
    response = client_for("coordinator").patch("/api/v1/observations/SRP1-001/", {}, content_type="application/json")
    assert response.status_code == 404


@pytest.mark.parametrize("url", ["/api/v1/observations/", "/api/v1/screenings/", "/api/v1/participants/"])
def test_deeply_nested_json_is_a_400(client_for, url):
    response = client_for("coordinator").post(url, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.parametrize("body", [DEEP, "{", '{"username": ', "\x00", '"just a string"'])
def test_anonymous_token_request_with_bad_json_is_a_400(db, body):
    response = Client().post("/api/v1/token/", body, content_type="application/json")
    assert response.status_code == 400


@pytest.fixture
def randomized(study):
    study.allocation_method = AllocationMethod.RANDOMIZED
    study.save(update_fields=["allocation_method"])
    return study


def upload(client, content: bytes):
    file = SimpleUploadedFile("list.csv", content, content_type="text/csv")
    return client.post(reverse("enrollment:allocation_list"), {"upload": "1", "file": file})


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", ["line 1"]),
        ("site,block,arm\nSRP1,1,moringa\nSRP1,1,pijat_oksitosin_é\n".encode("latin-1"), ["line 3", "UTF-8"]),
        (b"site,block,arm\nSRP1,1,moringa\nSRP1,1\n", ["line 3"]),
        (b"site,block,arm\nSRP1,-1,moringa\n", ["line 2", "block"]),
        (b"site,block,arm\nSRP1,1099511627776,moringa\n", ["line 2", "block"]),
        (b"site,block,arm\nSRP1,\xc2\xb9,moringa\n", ["line 2", "block"]),
        (b"site,block,arm\nSRP1,1,moringa\x00\n", ["line 2", "column 15", "NUL"]),
        (b'site,block,arm\n,",\n,' + b"x" * 140_000 + b"\n", ["line", "field larger"]),
    ],
    ids=["binary", "latin-1", "missing-cell", "negative-block", "huge-block", "superscript-block", "nul", "open-quote"],
)
def test_a_broken_allocation_list_gives_a_message_naming_the_line(client_for, randomized, content, words):
    client = client_for("coordinator")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = upload(client, content)
    assert response.status_code == 200
    errors = " ".join(response.context["upload"].non_field_errors())
    for word in words:
        assert word in errors, errors
    assert not AllocationListEntry.objects.exists()


@pytest.mark.urls("tests.trialsite.failing_urls")
def test_server_errors_are_logged_with_a_request_id_shown_on_a_friendly_page(settings, caplog):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR):
        response = client.get("/failure/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    page = response.content.decode()
    assert request_id in page
    assert "ZeroDivisionError" not in page
    assert any(getattr(record, "request_id", None) == request_id for record in caplog.records)


def test_every_response_carries_a_request_id(client_for):
    response = client_for("coordinator").get("/healthz")
    assert len(response["X-Request-ID"]) >= 8


@pytest.mark.parametrize("query", ["?day=%C2%B9", "?participant=%D9%A1", "?day=1.5"])
def test_a_non_ascii_number_in_a_list_filter_is_a_400(client_for, query):
    assert client_for("coordinator").get("/api/v1/observations/" + query).status_code == 400
