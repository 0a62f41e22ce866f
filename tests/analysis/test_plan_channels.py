"""Every analysis carries its label on the page, in the PDF and in the JSON, in Indonesian and English."""

import pytest
from django.urls import reverse

from analysis import plans
from analysis.sap import AnalysisRole, PlannedAnalysis
from tests.analysis.conftest import cells_by_testid
from tests.analysis.test_report import pdf_text

LABELS = {
    "en": {"primary": "Primary", "secondary": "Secondary", "sensitivity": "Sensitivity", "exploratory": "Exploratory"},
    "id": {"primary": "Utama", "secondary": "Sekunder", "sensitivity": "Sensitivitas", "exploratory": "Eksploratif"},
}
NOTICE = {"en": "every result below is exploratory", "id": "setiap hasil di bawah ini bersifat eksploratif"}
HEADING = {"en": "Analyses in the order of the analysis plan", "id": "Analisis menurut urutan rencana analisis"}
PLANNED = {
    "wilcoxon_within": "primary",
    "mann_whitney_change": "primary",
    "mcnemar_indicators": "secondary",
    "fisher_indicators": "secondary",
    "expressed_volume": "secondary",
    "infant_weight": "secondary",
    "paired_t_within": "sensitivity",
    "welch_t_change": "sensitivity",
    "ancova_post": "sensitivity",
}


def client_in(client_for, language):
    client = client_for("investigator")
    client.cookies["django_language"] = language
    return client


def flat(text: str) -> str:
    return " ".join(text.split())


def title(key: str, language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return str(PlannedAnalysis(key).label)


@pytest.fixture
def locked(study, investigator):
    return plans.lock_plan(study=study, by=investigator, reason="Before results by arm")


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("path", ["analysis:dashboard", "analysis:report"])
def test_the_page_labels_every_analysis_in_plan_order(known_dataset, locked, client_for, language, path):
    html = client_in(client_for, language).get(reverse(path)).content.decode()
    shown = cells_by_testid(html)
    for key, role in PLANNED.items():
        assert shown[f"role-{key}"] == LABELS[language][role]
        assert title(key, language) in shown[f"analysis-{key}"]
    positions = [html.index(f'data-testid="analysis-{key}"') for key in PLANNED]
    assert positions == sorted(positions)
    assert "exploratory-notice" not in shown
    assert "normality-text" in shown


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_page_says_exploratory_until_a_plan_is_locked(known_dataset, study, client_for, language):
    shown = cells_by_testid(client_in(client_for, language).get(reverse("analysis:dashboard")).content.decode())
    assert NOTICE[language] in shown["exploratory-notice"]
    assert {shown[f"role-{key}"] for key in PLANNED} == {LABELS[language]["exploratory"]}


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_pdf_labels_every_analysis(known_dataset, locked, client_for, language):
    text = flat(" ".join(pdf_text(client_in(client_for, language).get(reverse("analysis:report_pdf")).content)))
    section = text.split(HEADING[language])[1]
    for key, role in PLANNED.items():
        assert flat(f"[{LABELS[language][role]}] {title(key, language)}") in section
    assert NOTICE[language] not in text


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_pdf_says_exploratory_until_a_plan_is_locked(known_dataset, study, client_for, language):
    text = flat(" ".join(pdf_text(client_in(client_for, language).get(reverse("analysis:report_pdf")).content)))
    assert NOTICE[language] in text
    assert flat(f"[{LABELS[language]['exploratory']}] {title('wilcoxon_within', language)}") in text


def test_the_json_labels_every_analysis_in_both_languages(known_dataset, locked, client_for):
    result = client_for("investigator").get(reverse("analysis-list")).json()
    assert [entry["key"] for entry in result["analyses"]] == list(PLANNED)
    for entry in result["analyses"]:
        assert entry["role"] == PLANNED[entry["key"]]
        for language in ("id", "en"):
            assert entry["role_label"][language] == LABELS[language][entry["role"]]
            assert entry["title"][language] == title(entry["key"], language)
    assert result["plan"]["exploratory"] is False


def test_the_json_says_exploratory_until_a_plan_is_locked(known_dataset, client_for):
    result = client_for("investigator").get(reverse("analysis-list")).json()
    assert result["plan"]["exploratory"] is True
    assert {entry["role"] for entry in result["analyses"]} == {AnalysisRole.EXPLORATORY}
    assert NOTICE["id"] in result["plan"]["notice"]["id"]
    assert NOTICE["en"] in result["plan"]["notice"]["en"]


def test_the_results_text_states_the_plan_and_puts_the_primary_result_first(known_dataset, locked, client_for):
    html = client_in(client_for, "en").get(reverse("analysis:report")).content.decode()
    shown = cells_by_testid(html)
    english, indonesian = shown["narrative-en"], shown["narrative-id"]
    assert "The statistical analysis plan (version 1" in english
    assert english.index("[Primary]") < english.index("[Secondary]") < english.index("[Sensitivity]")
    assert "Rencana analisis statistik (versi 1" in indonesian
    assert indonesian.index("[Utama]") < indonesian.index("[Sekunder]") < indonesian.index("[Sensitivitas]")


def test_amendments_are_listed_in_the_report_and_the_pdf(known_dataset, study, locked, coordinator, client_for):
    fields = plans.PlanFields(dict(locked.roles), "complete_cases", "", "holm")
    plans.amend_plan(study=study, fields=fields, by=coordinator, reason="Per-protocol dropped")
    client = client_in(client_for, "en")
    shown = cells_by_testid(client.get(reverse("analysis:report")).content.decode())
    assert "Per-protocol dropped" in shown["plan-amendments"]
    assert "sensitivity population" in shown["plan-amendments"]
    text = flat(" ".join(pdf_text(client.get(reverse("analysis:report_pdf")).content)))
    assert "Per-protocol dropped" in text


def test_locking_the_plan_relabels_the_cached_dashboard_at_once(known_dataset, study, investigator, client_for):
    client = client_in(client_for, "en")
    assert "exploratory-notice" in cells_by_testid(client.get(reverse("analysis:dashboard")).content.decode())
    plans.lock_plan(study=study, by=investigator, reason="Fixed")
    shown = cells_by_testid(client.get(reverse("analysis:dashboard")).content.decode())
    assert "exploratory-notice" not in shown
    assert shown["role-wilcoxon_within"] == "Primary"
