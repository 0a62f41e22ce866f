"""The parametric and categorical statistics against R's own output for one fixed dataset.

The numbers below were printed by ``Rscript tests/analysis/r_reference.R`` (R 4.2.2): t.test
(paired and Welch), shapiro.test, lm (ANCOVA), binom.test / mcnemar.test, fisher.test and
p.adjust(method = "holm"). The dataset is repeated in that script; R is not needed to run these tests.
"""

import pytest

from analysis.stats import (
    MCNEMAR_EXACT_BELOW,
    ancova,
    fisher_exact,
    holm,
    mcnemar,
    paired_t_test,
    shapiro_wilk,
    welch_t_test,
)

PRE_A = [2, 3, 2, 1, 3, 2, 4, 2, 3, 2, 1, 2]
POST_A = [4, 4, 3, 3, 5, 4, 5, 3, 5, 4, 3, 4]
PRE_B = [2, 2, 3, 1, 2, 3, 2, 2, 1, 3, 2, 2]
POST_B = [3, 2, 3, 2, 3, 4, 2, 3, 2, 3, 3, 2]
CHANGE_A = [b - a for a, b in zip(PRE_A, POST_A, strict=True)]
CHANGE_B = [b - a for a, b in zip(PRE_B, POST_B, strict=True)]

R_TOL = 1e-9


def close(value, reference, rel=R_TOL):
    return value == pytest.approx(reference, rel=rel)


def test_paired_t_test_matches_r_in_arm_a():
    result = paired_t_test(PRE_A, POST_A)
    assert close(result["t"], 11.7260393995586)
    assert result["df"] == 11
    assert close(result["p"], 1.47443016206996e-07)
    assert close(result["mean_difference"], 1.66666666666667)
    assert close(result["ci95"][0], 1.35383225812026)
    assert close(result["ci95"][1], 1.97950107521307)


def test_paired_t_test_matches_r_in_arm_b():
    result = paired_t_test(PRE_B, POST_B)
    assert close(result["t"], 3.92428337406972)
    assert close(result["p"], 0.00237528820273529)
    assert close(result["ci95"][0], 0.256163277639326)
    assert close(result["ci95"][1], 0.910503389027341)


def test_welch_t_test_on_the_change_matches_r():
    result = welch_t_test({"A": CHANGE_A, "B": CHANGE_B})
    assert close(result["t"], 5.26747270108886)
    assert close(result["df"], 21.9559804357492)
    assert close(result["p"], 2.7807684470199e-05)
    assert close(result["ci95"][0], 0.656761210062694)
    assert close(result["ci95"][1], 1.509905456603973)
    assert result["groups"]["A"]["n"] == 12
    assert close(result["difference"], 5 / 3 - 7 / 12)


def test_shapiro_wilk_matches_r_and_rejects_normality_of_score_changes():
    a, b = shapiro_wilk(CHANGE_A), shapiro_wilk(CHANGE_B)
    assert close(a["w"], 0.608090979461686, rel=1e-12)
    assert close(a["p"], 0.000125396012199157, rel=1e-12)
    assert close(b["w"], 0.639592659908829, rel=1e-12)
    assert close(b["p"], 0.000234222252498425, rel=1e-12)


def test_shapiro_wilk_matches_r_on_continuous_values():
    result = shapiro_wilk([1.2, 3.4, 2.2, 5.9, 0.3, 4.4, 2.8, 3.1, 7.5, 2.0])
    assert close(result["w"], 0.955363382415677, rel=1e-12)
    assert close(result["p"], 0.731989136225661, rel=1e-12)


def test_ancova_matches_r_lm():
    result = ancova(PRE_A + PRE_B, POST_A + POST_B, [True] * 12 + [False] * 12)
    assert close(result["estimate"], 1.12869198312236)
    assert close(result["se"], 0.192445684476771)
    assert close(result["t"], 5.86498983435819)
    assert close(result["p"], 8.03241302656455e-06)
    assert close(result["pre_slope"], 0.727848101265823)
    assert close(result["ci95"][0], 0.728479273326376)
    assert close(result["ci95"][1], 1.528904692918349)
    assert result["df"] == 21


def test_mcnemar_uses_the_exact_binomial_below_25_discordant_pairs_as_r_binom_test():
    day1 = [True] * 5 + [False] * 15
    day7 = [True, True, True, True, False] + [True] * 9 + [False] * 6
    result = mcnemar(day1, day7)
    assert (result["b"], result["c"]) == (1, 9)
    assert close(result["p_exact"], 0.021484375)
    assert close(result["chi2"], 4.9)
    assert close(result["p_chi2"], 0.0268566955075243)
    assert result["p"] == result["p_exact"]
    assert result["method"] == "exact binomial"


def test_mcnemar_uses_the_corrected_chi_square_from_25_discordant_pairs_as_r_mcnemar_test():
    before = [True] * 38 + [False] * 62
    after = [True] * 30 + [False] * 8 + [True] * 22 + [False] * 40
    result = mcnemar(before, after)
    assert (result["b"], result["c"]) == (8, 22)
    assert MCNEMAR_EXACT_BELOW <= 30
    assert close(result["chi2"], 5.63333333333333)
    assert close(result["p_chi2"], 0.0176220909623244)
    assert close(result["p_exact"], 0.016124801710248)
    assert result["p"] == result["p_chi2"]
    assert result["method"] == "chi-square, continuity corrected"


def test_mcnemar_without_discordant_pairs_is_p_one():
    result = mcnemar([True, False, True], [True, False, True])
    assert result["p"] == 1.0
    assert result["chi2"] is None
    assert result["method"] == "no discordant pairs"


# fisher.test finds the odds ratio and its CI with uniroot at R's default tolerance (about 1e-4
# relative), so they agree to 1e-3 only; test_stats_agreement.py checks ours solve the equations exactly.
R_UNIROOT = 1e-3


def test_fisher_exact_matches_r_with_conditional_odds_ratio_and_exact_ci():
    result = fisher_exact([[10, 2], [4, 8]])
    assert close(result["p"], 0.0360748418360478)
    assert close(result["odds_ratio"], 8.91367468927276, rel=R_UNIROOT)
    assert close(result["ci95"][0], 1.11492036800819, rel=R_UNIROOT)
    assert close(result["ci95"][1], 123.43354090280756, rel=R_UNIROOT)


def test_fisher_exact_matches_r_on_a_second_table():
    result = fisher_exact([[3, 9], [5, 7]])
    assert close(result["p"], 0.666846143491722)
    assert close(result["odds_ratio"], 0.481949980008715, rel=R_UNIROOT)
    assert close(result["ci95"][0], 0.0546355641113941, rel=R_UNIROOT)
    assert close(result["ci95"][1], 3.5355964867112166, rel=R_UNIROOT)


def test_fisher_exact_with_an_empty_column_has_no_odds_ratio():
    result = fisher_exact([[0, 5], [0, 7]])
    assert result["p"] == 1.0
    assert result["odds_ratio"] is None
    assert result["ci95"] is None


def test_holm_matches_r_p_adjust():
    assert holm([0.01, 0.04, 0.03, 0.005, 0.2, 0.04]) == pytest.approx([0.05, 0.12, 0.12, 0.03, 0.20, 0.12])


def test_holm_leaves_missing_p_values_out_of_the_family():
    assert holm([0.01, None, 0.04]) == pytest.approx([0.02, None, 0.04])
