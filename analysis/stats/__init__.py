"""Pure statistics of the trial analysis (numpy/scipy only, no Django). Contract: docs in analysis.md.

Public API
----------
describe(values) -> dict
    n, mean, median, sd, min, max, q1, q3 (SPSS weighted-average quartiles).
wilcoxon_signed_rank(pre, post) -> dict
    The "wilcoxon" object of analysis.md for d = post − pre (+ n_pairs, n_nonzero, w_plus,
    w_minus, p_exact_method, ci_method, ci_level).
mann_whitney({code_a: values_a, code_b: values_b}) -> dict
    One "mann_whitney" comparison object of analysis.md, first group against second
    (+ n_total, higher_group, p_exact_method, ci_method, ci_level).
signed_rank_exact_p(d, alternative) / rank_sum_exact_p(x, y, alternative) -> ExactP(p, method)
    Exact conditional p-values with ties and zeros, also one-sided.
paired_t_test(pre, post) / welch_t_test({a: x, b: y}) / shapiro_wilk(values) / ancova(pre, post, in_first)
    Parametric sensitivity analyses (parametric.py), as R's t.test, shapiro.test and lm.
mcnemar(before, after) / fisher_exact(table) / holm(p_values)
    Met/not-met indicators (categorical.py), as R's binom.test/mcnemar.test, fisher.test, p.adjust.
flags(groups, mann_whitney, alpha, gettext, number) -> list[{"code", "message"}]
    exact_asymptotic_disagree, few_nonzero_differences, baseline_imbalance (``number`` writes alpha
    and the p-values into the sentences, e.g. with the reader's decimal separator).

None semantics (all results are JSON-safe: Python int/float/str/None, never NaN or inf)
--------------------------------------------------------------------------------------
- No data (no pairs / an empty group): counts are 0, every statistic is None.
- No variation (every difference zero / every value tied): sigma is 0, so z, r (and for the
  signed rank the rank-biserial) are None, while both p-values are 1.0.
- mean_rank is None for an empty sign or group; sd is None for n < 2.
- p_exact is None when its exact computation would exceed the work budget (about a second;
  see exact.py), with the reason in p_exact_method. It is never an approximation.
"""

from .categorical import MCNEMAR_EXACT_BELOW, fisher_exact, holm, mcnemar
from .descriptives import describe
from .exact import EXACT_BUDGET, ExactP, rank_sum_exact_p, signed_rank_exact_p
from .flags import MESSAGES, flag_message, flags
from .mann_whitney import mann_whitney
from .parametric import ancova, paired_t_test, shapiro_wilk, welch_t_test
from .wilcoxon import wilcoxon_signed_rank

__all__ = [
    "EXACT_BUDGET",
    "MCNEMAR_EXACT_BELOW",
    "MESSAGES",
    "ExactP",
    "ancova",
    "describe",
    "fisher_exact",
    "flag_message",
    "flags",
    "holm",
    "mann_whitney",
    "mcnemar",
    "paired_t_test",
    "rank_sum_exact_p",
    "shapiro_wilk",
    "signed_rank_exact_p",
    "welch_t_test",
    "wilcoxon_signed_rank",
]
