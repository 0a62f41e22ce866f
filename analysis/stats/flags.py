"""Plain-language warnings about the analysis, each a {"code", "message"} pair.

Message templates live in MESSAGES, written as format strings with named placeholders and
rendered by flag_message() only, so a translator can pass a gettext-like callable (the
templates are the msgids; numbers are formatted before they are substituted, by the ``number``
callable: the caller passes one that writes them as the reader's language does, "0,05").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

MIN_NONZERO_DIFFERENCES = 10

MESSAGES = {
    "exact_asymptotic_disagree/wilcoxon": (
        "Group {group}: the Wilcoxon signed-rank test gives exact p = {p_exact} but asymptotic "
        "p = {p_asymptotic}, on different sides of alpha = {alpha}. Report the exact p-value."
    ),
    "exact_asymptotic_disagree/mann_whitney": (
        "Mann–Whitney U test on {comparison} scores: exact p = {p_exact} but asymptotic "
        "p = {p_asymptotic}, on different sides of alpha = {alpha}. Report the exact p-value."
    ),
    "few_nonzero_differences": (
        "Group {group} has only {n_nonzero} non-zero differences between the pre and post scores "
        "(fewer than {minimum}), so the Wilcoxon signed-rank test has little power and its normal "
        "approximation is unreliable; rely on the exact p-value."
    ),
    "baseline_imbalance": (
        "The groups differ already at baseline: the Mann–Whitney U test on pre scores gives "
        "exact p = {p} (below alpha = {alpha}). Take this into account when comparing the changes."
    ),
    "baseline_imbalance/asymptotic": (
        "The groups differ already at baseline: the Mann–Whitney U test on pre scores gives "
        "asymptotic p = {p} (below alpha = {alpha}; the exact p-value was not computed). "
        "Take this into account when comparing the changes."
    ),
}

COMPARISONS = {"change": "change (post − pre)", "post": "post", "pre": "pre (baseline)"}


def _identity(text: str) -> str:
    return text


def flag_message(template: str, values: Mapping[str, object], gettext: Callable[[str], str] = _identity) -> str:
    """Render MESSAGES[template] in the language of `gettext` with the given placeholder values."""
    return gettext(MESSAGES[template]).format(**values)


def flags(
    groups: Iterable[Mapping],
    mann_whitney: Mapping[str, Mapping],
    alpha: float = 0.05,
    gettext: Callable[[str], str] = _identity,
    number: Callable[[float], str] | None = None,
) -> list[dict]:
    """All flags, in a stable order: per group (disagreement, few differences), then comparisons.

    `groups` are the "groups" entries of the analysis JSON (needing "code", optional "label",
    and "wilcoxon"); `mann_whitney` maps "change"/"post"/"pre" to mann_whitney() results.
    A flag needs both p-values to compare them; baseline_imbalance uses the exact p and falls
    back to the asymptotic p (saying so) when the exact one was not computed. ``number`` writes
    alpha and the p-values (default: four significant digits with a decimal point).
    """
    number = number or _number
    found: list[dict] = []
    for group in groups:
        name, test = group.get("label") or group["code"], group["wilcoxon"]
        if _disagree(test, alpha):
            values = {"group": name, "alpha": number(alpha)} | _p_values(test, number)
            found.append(_flag("exact_asymptotic_disagree", "/wilcoxon", values, gettext))
        if test["n_nonzero"] < MIN_NONZERO_DIFFERENCES:
            values = {"group": name, "n_nonzero": test["n_nonzero"], "minimum": MIN_NONZERO_DIFFERENCES}
            found.append(_flag("few_nonzero_differences", "", values, gettext))
    for key, test in mann_whitney.items():
        if _disagree(test, alpha):
            comparison = gettext(COMPARISONS.get(key, key))
            values = {"comparison": comparison, "alpha": number(alpha)} | _p_values(test, number)
            found.append(_flag("exact_asymptotic_disagree", "/mann_whitney", values, gettext))
    found.extend(_baseline_flags(mann_whitney.get("pre"), alpha, gettext, number))
    return found


def _baseline_flags(
    test: Mapping | None, alpha: float, gettext: Callable[[str], str], number: Callable[[float], str]
) -> list[dict]:
    if test is None:
        return []
    exact = test.get("p_exact") is not None
    p = test["p_exact"] if exact else test.get("p_asymptotic")
    if p is None or p >= alpha:
        return []
    values = {"p": number(p), "alpha": number(alpha)}
    return [_flag("baseline_imbalance", "" if exact else "/asymptotic", values, gettext)]


def _disagree(test: Mapping, alpha: float) -> bool:
    exact, asymptotic = test.get("p_exact"), test.get("p_asymptotic")
    return exact is not None and asymptotic is not None and (exact < alpha) != (asymptotic < alpha)


def _p_values(test: Mapping, number: Callable[[float], str]) -> dict:
    return {"p_exact": number(test["p_exact"]), "p_asymptotic": number(test["p_asymptotic"])}


def _flag(code: str, variant: str, values: Mapping[str, object], gettext: Callable[[str], str]) -> dict:
    return {"code": code, "message": flag_message(code + variant, values, gettext)}


def _number(value: float) -> str:
    """Four significant digits: enough to see which side of alpha a p-value falls."""
    return f"{value:.4g}"
