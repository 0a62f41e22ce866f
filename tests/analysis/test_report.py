"""The printable report and its PDF: the same results, with generation time and data hash on every page."""

import io

from django.urls import reverse
from pypdf import PdfReader

from analysis.results import compute_results
from tests.analysis.conftest import cells_by_testid


def pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_report_page_shows_the_results_and_the_full_hash(known_dataset, study, client_for):
    response = client_for("investigator").get(reverse("analysis:report"))
    assert response.status_code == 200
    shown = cells_by_testid(response.content.decode())
    result = compute_results(study)
    assert result["data_sha256"] in shown["report-footer"]
    assert shown["data-sha"] == result["data_sha256"][:12]
    assert "wilcoxon-table" in shown
    assert 'hx-trigger="every 5s"' not in response.content.decode()


def test_pdf_is_a_real_pdf_with_the_hash_on_every_page(known_dataset, study, client_for):
    response = client_for("investigator").get(reverse("analysis:report_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    pages = pdf_text(response.content)
    digest = compute_results(study)["data_sha256"]
    assert len(pages) >= 2
    assert all(digest in " ".join(page.split()) for page in pages)
    assert "Wilcoxon" in "".join(pages)


def test_masked_pdf_has_no_by_arm_outcomes(known_dataset, masked_study, client_for, arm_moringa):
    english = client_for("investigator")
    english.cookies["django_language"] = "en"
    text = " ".join(" ".join(pdf_text(english.get(reverse("analysis:report_pdf")).content)).split())
    assert "all arms pooled" in text
    assert arm_moringa.label_en not in text.split("all arms pooled")[1].split("Results text")[0]
    assert "Effect sizes" not in text
    assert "within each arm" not in text


def test_report_and_pdf_are_forbidden_for_midwives_and_outsiders(study, client_for):
    for username in ("midwife.srp1", "outsider"):
        client = client_for(username)
        assert client.get(reverse("analysis:report")).status_code == 403
        assert client.get(reverse("analysis:report_pdf")).status_code == 403


def test_coordinator_may_download_the_pdf(known_dataset, client_for):
    response = client_for("coordinator").get(reverse("analysis:report_pdf"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")


def test_pdf_draws_the_daily_chart_with_a_legend_per_arm(known_dataset, study, client_for, arm_moringa, arm_massage):
    english = client_for("coordinator")
    english.cookies["django_language"] = "en"
    text = " ".join(" ".join(pdf_text(english.get(reverse("analysis:report_pdf")).content)).split())
    assert "Score by day: median and interquartile range" in text
    assert f"{arm_moringa.label_en}: median" in text
    assert f"{arm_massage.label_en}: median" in text


def test_masked_pdf_draws_only_the_pooled_daily_chart(known_dataset, masked_study, client_for, arm_moringa):
    english = client_for("investigator")
    english.cookies["django_language"] = "en"
    text = " ".join(" ".join(pdf_text(english.get(reverse("analysis:report_pdf")).content)).split())
    assert "All arms (pooled): median" in text
    assert f"{arm_moringa.label_en}: median" not in text
