"""One way of writing dates and numbers, the reader's: pages, the PDF and the results text agree.

Indonesian writes "3 Agu 2026" and "2,5", English "3 Aug 2026" and "2.5"; a date never wraps in
the middle (non-breaking spaces). Exports and the JSON API keep ISO dates and the decimal point.
"""

import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape
from pypdf import PdfReader

from analysis import narrative
from analysis import presentation as fmt
from analysis.results import compute_results, results_from_data
from enrollment import reports
from trialsite.numbers import decimal, machine_numbers

from .test_results_planned import data_for

pytestmark = pytest.mark.django_db

AUG_3 = datetime.date(2026, 8, 3)


@pytest.mark.parametrize(("language", "expected"), [("id", "3\xa0Agu\xa02026"), ("en", "3\xa0Aug\xa02026")])
def test_a_date_reads_in_the_readers_language_and_does_not_wrap(language, expected):
    with translation.override(language):
        assert date_format(AUG_3, "SHORT_DATE_FORMAT") == expected
        assert date_format(AUG_3) == expected


def test_indonesian_times_use_the_period():
    moment = datetime.datetime(2026, 8, 3, 7, 45)
    with translation.override("id"):
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "3\xa0Agu\xa02026,\xa007.45"
    with translation.override("en"):
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "3\xa0Aug\xa02026,\xa007:45"


@pytest.mark.parametrize(
    ("language", "stat", "value", "p", "small_p", "number"),
    [("id", "−3,62", "2,5", "0,035", "< 0,001", "29,7"), ("en", "−3.62", "2.5", ".035", "< .001", "29.7")],
)
def test_analysis_numbers_use_the_readers_decimal_separator(language, stat, value, p, small_p, number):
    with translation.override(language):
        assert fmt.format_stat(-3.6178) == stat
        assert fmt.format_value(2.5) == value
        assert fmt.format_p(0.0345) == p
        assert fmt.format_p(0.0004) == small_p
        assert decimal(29.66, 1) == number


def test_the_baseline_table_writes_means_like_the_results_tables():
    with translation.override("id"):
        assert reports._mean_sd(29.66, 5.21) == "29,7 (5,2)"
    with translation.override("en"):
        assert reports._mean_sd(29.66, 5.21) == "29.7 (5.2)"


def test_results_text_in_indonesian_uses_decimal_commas(known_dataset, study):
    result = compute_results(study)
    with translation.override("id"):
        text = narrative.results(result, masked=False)
    z = result["groups"][0]["wilcoxon"]["z"]
    assert f"Z = {f'{z:.2f}'.replace('.', ',').replace('-', '−')}" in text


def test_the_pdf_writes_numbers_and_dates_in_the_readers_language(known_dataset, study, client_for):
    pdf = client_for("investigator").get(reverse("analysis:report_pdf")).content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    tables = text.split("Teks hasil")[0]  # the results text that follows is given in both languages
    z = compute_results(study)["groups"][0]["wilcoxon"]["z"]
    assert f"{abs(z):.2f}".replace(".", ",") in tables
    assert f"{abs(z):.2f}" not in tables
    assert "Dibuat " in tables
    assert f"{datetime.date.today():%Y-%m-%d}" not in tables


def test_the_participant_list_shows_dates_not_iso(known_dataset, client_for):
    from enrollment.models import Participant

    participant = Participant.objects.order_by("pk").first()
    html = client_for("coordinator").get(reverse("enrollment:participant_list")).content.decode()
    assert participant.intervention_start.isoformat() not in html
    with translation.override("id"):
        assert date_format(participant.intervention_start, "SHORT_DATE_FORMAT") in html


# --- warnings and the normality text: prose in the reader's language, numbers as that language writes them ---

SKEWED = [(2, 3)] * 30 + [(5, 1)] * 6  # signed ranks "up", the paired t-test not: a sensitivity flag
HIGHER_BASELINE = [(5, 5), (5, 6), (6, 6), (5, 5)] * 3  # pre scores above the other arm's: a baseline flag
DECIMAL_POINT = re.compile(r"\d\.\d")
DECIMAL_COMMA = re.compile(r"\d,\d")
ALPHA = re.compile("alpha = |alfa = ")


def flagged_result(language: str) -> dict:
    data = data_for(SKEWED, HIGHER_BASELINE)
    data.post_day = 6  # the design changed after locking: a flag naming alpha
    with translation.override(language):
        return results_from_data(data)


def test_indonesian_warnings_write_alpha_and_p_values_with_the_decimal_comma():
    flags = flagged_result("id")["flags"]
    with_alpha = [flag["message"] for flag in flags if ALPHA.search(flag["message"])]
    assert {"sensitivity_disagrees", "plan_design_changed", "baseline_imbalance"} <= {flag["code"] for flag in flags}
    assert len(with_alpha) >= 3
    assert all("0,05" in message for message in with_alpha)
    assert not [flag["message"] for flag in flags if DECIMAL_POINT.search(flag["message"])]


def test_english_warnings_keep_the_decimal_point():
    messages = [flag["message"] for flag in flagged_result("en")["flags"] if "alpha" in flag["message"]]
    assert messages
    assert all("0.05" in message for message in messages)


def test_the_normality_text_writes_alpha_as_each_language_does():
    result = results_from_data(data_for([(2, 3)] * 10 + [(1, 5)] * 2, [(2, 2)] * 10 + [(2, 4)] * 2))
    explanation = result["normality"]["explanation"]
    assert "0,05" in explanation["id"]
    assert not DECIMAL_POINT.search(explanation["id"])
    assert "0.05" in explanation["en"]


def test_the_json_keeps_alpha_and_p_values_as_numbers():
    result = flagged_result("id")
    assert result["alpha"] == 0.05
    assert isinstance(result["mann_whitney"]["pre"]["p_exact"], float)


def test_inside_machine_numbers_indonesian_warnings_keep_the_decimal_point():
    with machine_numbers():
        flags = flagged_result("id")["flags"]
    messages = [flag["message"] for flag in flags if ALPHA.search(flag["message"])]
    assert messages
    assert all("0.05" in message and "0,05" not in message for message in messages)
    assert any("alfa" in message for message in messages)  # the words stay Indonesian


def warning_messages(result: dict) -> list[str]:
    return [flag["message"] for flag in result["flags"] if ALPHA.search(flag["message"])]


def test_the_indonesian_dashboard_writes_its_warnings_with_the_decimal_comma(known_dataset, client_for):
    page = client_for("investigator").get(reverse("analysis:dashboard"), HTTP_ACCEPT_LANGUAGE="id")
    messages = warning_messages(page.context["result"])
    assert messages
    html = page.content.decode()
    assert all(escape(message) in html for message in messages)
    assert all("0,05" in message for message in messages)
    assert not [message for message in messages if DECIMAL_POINT.search(message)]


def test_the_json_api_writes_the_numbers_of_indonesian_warnings_with_the_decimal_point(known_dataset, client_for):
    body = client_for("investigator").get("/api/v1/analysis/", HTTP_ACCEPT_LANGUAGE="id").json()
    messages = warning_messages(body)
    assert messages
    assert all("0.05" in message for message in messages)
    assert not [message for message in messages if DECIMAL_COMMA.search(message)]
    assert body["alpha"] == 0.05


def test_the_export_writes_the_numbers_of_indonesian_warnings_with_the_decimal_point(
    known_dataset, cast, tmp_path, unzip
):
    output = tmp_path / "bundle.zip"
    call_command("export_dataset", "--format", "csv", "--layout", "long", "--language", "id", "--user",
                 "coordinator", "--output", str(output))  # fmt: skip
    result = json.loads((unzip(output) / "results.json").read_text(encoding="utf-8"))
    messages = warning_messages(result)
    assert messages
    assert not [message for message in messages if DECIMAL_COMMA.search(message)]
