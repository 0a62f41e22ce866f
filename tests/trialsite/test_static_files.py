"""Static files: hashed names, compressed, cached for years so a phone never asks for them again."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

HASHED_CSS = re.compile(r'href="(/static/vendor/bootstrap/bootstrap\.trimmed\.[0-9a-f]{12}\.css)"')


def _stylesheet_url() -> str:
    page = Client().get("/accounts/login/").content.decode()
    match = HASHED_CSS.search(page)
    assert match, "the login page links Bootstrap under a hashed name"
    return match.group(1)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize(("accepts", "encoding"), [("br, gzip", "br"), ("gzip", "gzip")])
def test_hashed_static_files_are_compressed_and_cached_for_years(settings, debug, accepts, encoding):
    settings.DEBUG = debug  # the quick start runs in development mode
    response = Client().get(_stylesheet_url(), HTTP_ACCEPT_ENCODING=accepts)
    assert response.status_code == 200
    assert response["Content-Encoding"] == encoding
    assert "immutable" in response["Cache-Control"]
    max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
    assert max_age >= 365 * 24 * 3600
    assert len(_body(response)) < 20_000  # 64 KB of CSS travels as about 12 KB


def test_uncompressed_copy_is_served_to_clients_that_ask_for_no_encoding():
    response = Client().get(_stylesheet_url())
    assert "Content-Encoding" not in response
    assert len(_body(response)) > 60_000


@pytest.mark.parametrize("debug", [True, False])
def test_pages_link_hashed_names_in_development_too(settings, debug):
    settings.DEBUG = debug
    assert HASHED_CSS.search(Client().get("/accounts/login/").content.decode())


def test_a_file_missing_from_the_manifest_is_refused_every_time_not_remembered():
    from django.contrib.staticfiles.storage import staticfiles_storage

    first = staticfiles_storage.url("css/trialsite.css")
    assert staticfiles_storage.url("css/trialsite.css") == first
    assert re.fullmatch(r"/static/css/trialsite\.[0-9a-f]{12}\.css", first)
    for _attempt in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            staticfiles_storage.url("css/not-there.css")
