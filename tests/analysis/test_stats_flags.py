"""Plain-language flags: when they fire, and what they say."""

import pytest

from analysis.stats import MESSAGES, flag_message, flags, mann_whitney, wilcoxon_signed_rank


def group(code, label, pre, post):
    return {"code": code, "label": label, "wilcoxon": wilcoxon_signed_rank(pre, post)}


@pytest.fixture
def balanced_groups():
    pre = [1, 2, 2, 3, 1, 2, 3, 2, 1, 2, 2, 3]
    return [
        group("M", "Moringa", pre, [3, 4, 3, 5, 2, 4, 4, 3, 3, 4, 2, 3]),
        group("O", "Oxytocin massage", pre, [2, 3, 2, 4, 2, 3, 4, 2, 2, 3, 3, 3]),
    ]


def codes(found):
    return [flag["code"] for flag in found]


def test_few_nonzero_differences_names_the_group_and_the_count(balanced_groups):
    found = flags(balanced_groups, {})
    few = [flag for flag in found if flag["code"] == "few_nonzero_differences"]
    assert len(few) == 1
    assert "Oxytocin massage" in few[0]["message"]
    assert " 9 " in few[0]["message"]


def test_groups_with_ten_nonzero_differences_are_not_flagged(balanced_groups):
    assert balanced_groups[0]["wilcoxon"]["n_nonzero"] >= 10
    assert all("Moringa" not in flag["message"] for flag in flags(balanced_groups[:1], {}))


def test_exact_and_asymptotic_on_different_sides_of_alpha_is_flagged():
    # d = −1, 2..6: W− = 1, exact p = 2·2/64 = 0.0625, z = −9.5/sqrt(22.75), asymptotic p ≈ 0.046.
    test = wilcoxon_signed_rank([0] * 6, [-1, 2, 3, 4, 5, 6])
    assert (test["p_exact"] < 0.05) != (test["p_asymptotic"] < 0.05)
    found = flags([{"code": "M", "wilcoxon": test}], {})
    assert "exact_asymptotic_disagree" in codes(found)
    message = next(flag["message"] for flag in found if flag["code"] == "exact_asymptotic_disagree")
    assert "Group M" in message
    assert f"{test['p_exact']:.4g}" in message


def test_mann_whitney_disagreement_names_the_comparison(balanced_groups):
    comparison = {"p_exact": 0.06, "p_asymptotic": 0.04}
    found = flags(balanced_groups, {"change": comparison})
    message = next(flag["message"] for flag in found if flag["code"] == "exact_asymptotic_disagree")
    assert "change (post − pre)" in message
    assert "0.06" in message
    assert "0.04" in message


def test_baseline_imbalance_uses_the_exact_pre_score_p():
    pre = mann_whitney({"M": [1, 1, 1, 2, 1, 1, 2], "O": [3, 4, 3, 4, 5, 4, 3]})
    assert pre["p_exact"] < 0.05
    found = flags([], {"pre": pre})
    assert codes(found) == ["baseline_imbalance"]
    assert f"exact p = {pre['p_exact']:.4g}" in found[0]["message"]


def test_baseline_imbalance_falls_back_to_the_asymptotic_p_and_says_so():
    found = flags([], {"pre": {"p_exact": None, "p_asymptotic": 0.001}})
    assert codes(found) == ["baseline_imbalance"]
    assert "asymptotic p = 0.001" in found[0]["message"]


def test_balanced_baseline_is_not_flagged():
    assert flags([], {"pre": mann_whitney({"M": [1, 2, 3, 4], "O": [1, 2, 3, 4]})}) == []


def test_alpha_is_respected():
    assert flags([], {"pre": {"p_exact": 0.03, "p_asymptotic": 0.03}}, alpha=0.01) == []


def test_messages_go_through_the_translation_callable():
    catalogue = {MESSAGES["baseline_imbalance"]: "Kelompok berbeda sejak awal: p = {p}, alpha = {alpha}."}
    found = flags([], {"pre": {"p_exact": 0.01, "p_asymptotic": 0.02}}, gettext=lambda text: catalogue.get(text, text))
    assert found[0]["message"] == "Kelompok berbeda sejak awal: p = 0.01, alpha = 0.05."


def test_every_template_renders_with_its_placeholders():
    values = {
        "group": "A",
        "comparison": "pre",
        "p_exact": "0.1",
        "p_asymptotic": "0.01",
        "alpha": "0.05",
        "n_nonzero": 3,
        "minimum": 10,
        "p": "0.01",
    }
    for template in MESSAGES:
        assert "{" not in flag_message(template, values)
