"""The installable web app: manifest, service worker, the page for what is not kept offline."""

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_from_the_root_with_hashed_assets():
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    assert re.search(r"/static/vendor/bootstrap/bootstrap\.trimmed\.[0-9a-f]{12}\.css", script)
    assert re.search(r"/static/js/offline\.[0-9a-f]{12}\.js", script)
    assert "chart" not in script  # the chart library is never needed offline


def test_the_manifest_starts_on_today_and_its_icons_exist():
    manifest = json.loads(Client().get("/manifest.webmanifest").content)
    assert manifest["start_url"] == "/observations/today/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert Client().get(icon["src"]).status_code == 200


def test_the_offline_page_says_what_needs_a_connection():
    page = Client().get("/offline/").content.decode()
    assert "pendaftaran, skrining dan halaman lain perlu koneksi" in page


def test_signed_in_pages_carry_the_offline_hooks(client_for):
    page = client_for("midwife.srp1").get("/observations/today/").content.decode()
    assert 'rel="manifest"' in page
    assert re.search(r'data-offline-user="\d+"', page)
    assert re.search(r"/static/js/offline\.[0-9a-f]{12}\.js", page)
    assert 'data-testid="outbox"' in page


def test_signed_out_pages_keep_nothing():
    page = Client().get("/accounts/login/").content.decode()
    assert "data-offline-user" not in page
    assert "offline." not in page
