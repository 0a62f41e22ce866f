"""A coordinator on a 360-px phone, in Indonesian, downloads a bundle whose manifest hashes are right."""

import hashlib
import json
import zipfile

import pytest

from analysis.exports.models import ExportRecord
from tests.browser import fits_the_screen, watch_csp_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_downloads_a_bundle_with_correct_hashes(page, live_server, login, export_study, tmp_path):
    csp_errors = watch_csp_errors(page)
    login(page, "coordinator")
    page.goto(f"{live_server.url}/analysis/export/")
    assert page.locator("h1").inner_text() == "Ekspor data penelitian"
    assert fits_the_screen(page)
    page.select_option("select[name=file_format]", "xlsx")
    page.select_option("select[name=layout]", "wide")
    page.check("input[name=identification][value=identified]")
    with page.expect_download() as info:
        page.click("[data-testid=export-submit]")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)

    with zipfile.ZipFile(saved) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        assert {entry["name"] for entry in manifest["files"]} == set(bundle.namelist()) - {"manifest.json"}
        for entry in manifest["files"]:
            assert hashlib.sha256(bundle.read(entry["name"])).hexdigest() == entry["sha256"]
    assert manifest["options"] == {"file_format": "xlsx", "layout": "wide", "deidentified": False, "site_code": "",
                                   "language": "id", "excel": False, "single_file": False, "masked": False}  # fmt: skip
    record = ExportRecord.objects.get()
    assert record.sha256 == hashlib.sha256(saved.read_bytes()).hexdigest()

    page.reload()
    assert record.sha256 in page.locator("[data-testid=export-log]").inner_text()
    assert fits_the_screen(page)
    assert csp_errors == []
