"""``manage.py analyze``: JSON equal to compute_results, SPSS-like text, clear errors."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from analysis.results import compute_results
from analysis.results.text import number, p_value

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("analyze", *args, stdout=out)
    return out.getvalue()


def without_time(result: dict) -> dict:
    return {key: value for key, value in result.items() if key != "generated_at"}


@pytest.mark.parametrize("population", ["complete_cases", "per_protocol"])
def test_json_output_equals_compute_results(known_dataset, study, population):
    printed = json.loads(run("--json", "--study", study.slug, "--population", population))
    assert without_time(printed) == without_time(compute_results(study, population=population))
    assert printed["population"] == population


def test_json_output_is_indented_by_two_spaces(known_dataset, study):
    assert run("--json").startswith('{\n  "study": "moringa-oxytocin"')


def test_default_study_is_the_first_study(known_dataset, study):
    assert json.loads(run("--json"))["study"] == study.slug


def test_text_output_has_the_spss_tables(known_dataset, study):
    text = run("--study", study.slug)
    for heading in (
        "Descriptive Statistics",
        "Wilcoxon Signed Ranks Test",
        "Negative Ranks",
        "Positive Ranks",
        "Ties",
        "Total",
        "Mean Rank",
        "Sum of Ranks",
        "Test Statistics",
        "Asymp. Sig. (2-tailed)",
        "Exact Sig. (2-tailed)",
        "Mann-Whitney Test - change (post - pre)",
        "Mann-Whitney Test - post",
        "Mann-Whitney Test - pre (baseline)",
        "Mann-Whitney U",
        "Effect sizes",
        "Hodges-Lehmann",
        "Flags",
        "few_nonzero_differences",
    ):
        assert heading in text, heading
    # Moringa: W+ = 15 over 5 positive ranks (mean 3), z = −7.5/sqrt(13.125) = −2.070, exact p = 2/32.
    moringa = text.split("Wilcoxon Signed Ranks Test - Serbuk daun kelor")[1].split("Wilcoxon Signed Ranks Test")[0]
    assert "Positive Ranks             5        3.00          15.00" in moringa
    assert "Z                           -2.070" in moringa
    assert "Exact Sig. (2-tailed)       .063" in moringa  # 1/16 rounded half up, as SPSS does
    # Change scores: U = 7 (see test_results).
    assert "Mann-Whitney U              7.000" in text


def test_text_output_explains_an_exact_p_that_was_not_computed(study, enrol_with_scores, arm_moringa):
    enrol_with_scores(arm_moringa, "M-1", {1: 2, 7: 4})
    text = run()
    assert "Exact Sig. (2-tailed)       . (not computed: a group is empty)" in text


def test_unknown_study_is_a_clear_error(study):
    with pytest.raises(CommandError, match=r"Unknown study 'nope'\. Known studies: moringa-oxytocin"):
        run("--study", "nope")


def test_no_study_at_all_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no study yet"):
        run("--json")


def test_unknown_population_is_refused_by_the_parser(study):
    with pytest.raises(CommandError, match="invalid choice"):
        run("--population", "everyone")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.0625, ".063"),
        (0.06249999999999999, ".063"),
        (0.0615, ".062"),
        (-0.5, "-.500"),
        (2.0704, "2.070"),
        (None, "."),
    ],
)
def test_numbers_are_shown_like_spss(value, shown):
    assert number(value) == shown


def test_p_values_below_a_thousandth_are_shown_as_less_than():
    assert (p_value(0.0004), p_value(0.001), p_value(None)) == ("<.001", ".001", ".")


def test_text_output_lists_the_analyses_of_the_plan_with_their_labels(known_dataset, study, investigator):
    from analysis import plans

    assert "[Exploratory] Wilcoxon signed-rank test" in run("--study", study.slug)
    plans.lock_plan(study=study, by=investigator, reason="Fixed")
    text = run("--study", study.slug)
    section = text.split("Analysis plan\n")[1]
    assert section.index("[Primary] Wilcoxon") < section.index("[Secondary] Each indicator")
    assert section.index("[Secondary] Each indicator") < section.index("[Sensitivity] Paired t-test")
    assert "Shapiro–Wilk W =" in section
