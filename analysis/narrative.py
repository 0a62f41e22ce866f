"""The results text: a methods sentence and a results paragraph in APA style, from the result dict.

Written in Indonesian and in English whatever the page language (both blocks are shown), so
investigators can paste either into a report. Every number goes through analysis.presentation,
so the text shows exactly the figures of the tables. Each paragraph names the arms in its own
language (``group["labels"]``), whatever the language of the page.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from analysis.presentation import format_p, format_stat, format_value

LANGUAGES = (("id", "Bahasa Indonesia"), ("en", "English"))


def both_languages(result: dict, *, masked: bool) -> list[dict]:
    """[{"code", "label", "methods", "results"}] for Indonesian, then English."""
    blocks = []
    for code, label in LANGUAGES:
        with translation.override(code):
            blocks.append(
                {"code": code, "label": label, "methods": methods(result), "results": results(result, masked=masked)}
            )
    return blocks


def methods(result: dict) -> str:
    """One paragraph naming the tests, the exact p-values and alpha, in the active language."""
    population = _("complete cases") if result["population"] == "complete_cases" else _("per protocol")
    return _(
        "Within each group, the scores of day %(pre)d and day %(post)d were compared with the Wilcoxon "
        "signed-rank test; the change scores (day %(post)d − day %(pre)d) were compared between the groups "
        "with the Mann–Whitney U test. Exact p-values are conditional on the observed ties; tests are "
        "two-sided at alpha = %(alpha)s. Population: %(population)s."
    ) % {
        "pre": result["pre_day"],
        "post": result["post_day"],
        "alpha": f"{result['alpha']:g}",
        "population": population,
    }


def results(result: dict, *, masked: bool) -> str:
    """The results paragraph in the active language (pooled figures only when ``masked``)."""
    if masked:
        return _pooled_sentence(result)
    sentences = [_group_sentence(group, result) for group in result["groups"]]
    change = result["mann_whitney"].get("change")
    if change:
        sentences.append(_comparison_sentence(change, result["groups"]))
    return " ".join(sentences)


def arm_label(group: dict) -> str:
    """The arm's label in the active language (the result's own label when it has no such language)."""
    language = (translation.get_language() or "")[:2]
    return group.get("labels", {}).get(language) or group["label"]


def _spread(described: dict) -> str:
    return _("Mdn = %(median)s, IQR %(q1)s–%(q3)s") % {
        "median": format_value(described["median"]),
        "q1": format_value(described["q1"]),
        "q3": format_value(described["q3"]),
    }


def p_phrase(test: dict) -> str:
    """ "exact p = .035", or the asymptotic p saying the exact one was not computed."""
    if test.get("p_exact") is not None:
        p = format_p(test["p_exact"])
        return _("exact p %(p)s") % {"p": p} if p.startswith("<") else _("exact p = %(p)s") % {"p": p}
    p = format_p(test.get("p_asymptotic"))
    text = f"p {p}" if p.startswith("<") else f"p = {p}"
    return _("%(p)s (asymptotic; the exact p was not computed)") % {"p": text}


def _group_sentence(group: dict, result: dict) -> str:
    test = group["wilcoxon"]
    return _(
        "In the %(label)s group (n = %(n)d), scores were %(pre)s on day %(pre_day)d and %(post)s on day "
        "%(post_day)d; %(positive)d participants improved, %(negative)d declined and %(ties)d did not change "
        "(Wilcoxon signed-rank test, Z = %(z)s, %(p)s, r = %(r)s)."
    ) % {
        "label": arm_label(group),
        "n": group["n_complete"],
        "pre": _spread(group["pre"]),
        "post": _spread(group["post"]),
        "pre_day": result["pre_day"],
        "post_day": result["post_day"],
        "positive": test["positive"]["n"],
        "negative": test["negative"]["n"],
        "ties": test["ties"],
        "z": format_stat(test["z"]),
        "p": p_phrase(test),
        "r": format_stat(test["r"]),
    }


def _comparison_sentence(test: dict, groups: list[dict]) -> str:
    ranks = test["groups"]
    first, second = groups[0], groups[1]
    return _(
        "The change scores of the %(a)s group (mean rank %(ra)s) and the %(b)s group (mean rank %(rb)s) were "
        "compared with the Mann–Whitney U test: U = %(u)s, Z = %(z)s, %(p)s, r = %(r)s; Hodges–Lehmann "
        "shift %(hl)s (95%% CI %(lo)s to %(hi)s)."
    ) % {
        "a": arm_label(first),
        "ra": format_stat(ranks[first["code"]]["mean_rank"]),
        "b": arm_label(second),
        "rb": format_stat(ranks[second["code"]]["mean_rank"]),
        "u": format_stat(test.get("u")),
        "z": format_stat(test.get("z")),
        "p": p_phrase(test),
        "r": format_stat(test.get("r")),
        "hl": format_stat(test.get("hodges_lehmann")),
        "lo": format_stat((test.get("ci95") or [None, None])[0]),
        "hi": format_stat((test.get("ci95") or [None, None])[1]),
    }


def _pooled_sentence(result: dict) -> str:
    pooled = result["pooled"]
    return _(
        "Outcomes by arm are masked. Pooled over all arms (n = %(n)d), scores were %(pre)s on day %(pre_day)d "
        "and %(post)s on day %(post_day)d."
    ) % {
        "n": pooled["n_complete"],
        "pre": _spread(pooled["pre"]),
        "post": _spread(pooled["post"]),
        "pre_day": result["pre_day"],
        "post_day": result["post_day"],
    }
