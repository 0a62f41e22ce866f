"""The quick start runs with DEBUG off, so the demo shows the project's own error pages."""

import pytest
from django.test import Client

from trialsite import bootstrap

pytestmark = pytest.mark.django_db


def test_the_quick_start_turns_debug_off(monkeypatch):
    monkeypatch.delenv("DEBUG", raising=False)
    assert bootstrap.serve_environment()["DEBUG"] == "false"


def test_an_explicit_debug_setting_wins(monkeypatch):
    monkeypatch.setenv("DEBUG", "true")
    assert bootstrap.serve_environment()["DEBUG"] == "true"


def test_with_debug_off_a_missing_page_is_the_projects_own_404_with_its_static_files(settings):
    settings.DEBUG = False
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Tidak ditemukan" in page or "Not found" in page
    assert "/static/vendor/bootstrap/bootstrap.trimmed." in page
