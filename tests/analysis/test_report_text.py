"""The results text: methods and results in Indonesian and English, with the numbers of the tables."""

from django.utils import translation

from analysis import narrative
from analysis import presentation as fmt
from analysis.results import compute_results


def test_results_text_carries_the_apa_numbers_of_the_result(known_dataset, study):
    result = compute_results(study)
    with translation.override("en"):
        text = narrative.results(result, masked=False)
        moringa = result["groups"][0]
        assert f"Z = {fmt.format_stat(moringa['wilcoxon']['z'])}" in text
        assert f"r = {fmt.format_stat(moringa['wilcoxon']['r'])}" in text
        assert f"Mdn = {fmt.format_value(moringa['pre']['median'])}" in text
        assert f"U = {fmt.format_stat(result['mann_whitney']['change']['u'])}" in text
    assert "exact p = " in text or "exact p < .001" in text


def test_methods_name_both_tests_the_exact_p_and_alpha(known_dataset, study):
    with translation.override("en"):
        text = narrative.methods(compute_results(study))
    assert "Wilcoxon signed-rank" in text
    assert "Mann–Whitney U" in text
    assert "conditional on the observed ties" in text
    assert "alpha = 0.05" in text


def test_both_languages_are_given_whatever_the_page_language(known_dataset, study):
    with translation.override("en"):
        blocks = narrative.both_languages(compute_results(study), masked=False)
    assert [block["code"] for block in blocks] == ["id", "en"]
    assert blocks[0]["methods"] != blocks[1]["methods"]
    assert "Wilcoxon" in blocks[0]["methods"]


def test_an_uncomputed_exact_p_is_replaced_by_the_asymptotic_one_and_said_so():
    test = {"p_exact": None, "p_asymptotic": 0.0312, "p_exact_method": "not computed: over budget"}
    with translation.override("en"):
        assert narrative.p_phrase(test) == "p = .031 (asymptotic; the exact p was not computed)"


def test_p_values_are_rounded_in_apa_style():
    with translation.override("en"):
        assert fmt.format_p(0.0004) == "< .001"
        assert fmt.format_p(0.0345) == ".035"
        assert fmt.format_p(None) == "–"
        assert fmt.format_stat(-3.6178) == "−3.62"
        assert fmt.format_value(4.0) == "4"
        assert fmt.format_value(3.5) == "3.5"
