"""The results text: a methods sentence and a results paragraph in APA style, from the result dict.

Written in Indonesian and in English whatever the page language (both blocks are shown), so
investigators can paste either into a report. Every number goes through analysis.presentation,
so the text shows exactly the figures of the tables. Each paragraph names the arms in its own
language (``group["labels"]``), whatever the language of the page.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from analysis import presentation_plan
from analysis.presentation import format_p, format_stat, format_value
from analysis.sap import AnalysisRole
from trialsite.numbers import written

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
    """The plan, then the tests, the exact p-values and alpha, in the active language."""
    plan = plan_sentence(result)
    return f"{plan} {_tests_sentence(result)}" if plan else _tests_sentence(result)


def plan_sentence(result: dict) -> str:
    """What the statistical analysis plan fixed, or that there was none (so everything is exploratory)."""
    plan = result.get("plan")
    if not plan or result.get("masked"):  # a masked reader gets the plan's labels in the data, no methods by arm
        return ""
    by_role: dict[str, list[str]] = {}
    for entry in result.get("analyses", []):
        by_role.setdefault(entry["planned_role"], []).append(presentation_plan.in_language(entry["title"]))
    planned = "; ".join(
        f"{AnalysisRole(role).label}: {', '.join(by_role[role])}" for role in AnalysisRole.values if role in by_role
    )
    if not plan["locked"]:
        return _(
            "No statistical analysis plan was locked before these results were computed, so every result "
            "is exploratory (the plan as it stands: %(planned)s)."
        ) % {"planned": planned}
    text = _("The statistical analysis plan (version %(v)s, locked %(at)s, %(n)s amendment(s)) fixed: %(planned)s.")
    text %= {"v": plan["version"], "at": plan["locked_at"][:10], "n": len(plan["amendments"]), "planned": planned}
    if plan["multiplicity"] == "holm":
        text += " " + _("Secondary p-values were adjusted with Holm's method.")
    return text


def _tests_sentence(result: dict) -> str:
    population = _("complete cases") if result["population"] == "complete_cases" else _("per protocol")
    return _(
        "Within each group, the scores of day %(pre)d and day %(post)d were compared with the Wilcoxon "
        "signed-rank test; the change scores (day %(post)d − day %(pre)d) were compared between the groups "
        "with the Mann–Whitney U test. Exact p-values are conditional on the observed ties; tests are "
        "two-sided at alpha = %(alpha)s. Population: %(population)s."
    ) % {
        "pre": result["pre_day"],
        "post": result["post_day"],
        "alpha": written(f"{result['alpha']:g}"),
        "population": population,
    }


def results(result: dict, *, masked: bool) -> str:
    """The results paragraph in the active language (pooled figures only when ``masked``)."""
    if masked:
        return _pooled_sentence(result)
    if result.get("analyses"):
        return _planned_results(result)
    sentences = [_group_sentence(group, result) for group in result["groups"]]
    change = result["mann_whitney"].get("change")
    if change:
        sentences.append(_comparison_sentence(change, result["groups"]))
    return " ".join(sentences)


def arm_label(group: dict) -> str:
    """The arm's label in the active language (the result's own label when it has no such language)."""
    language = (translation.get_language() or "")[:2]
    return group.get("labels", {}).get(language) or group["label"]


def _planned_results(result: dict) -> str:
    """Every analysis in the plan's order (primary first), each introduced by its label."""
    sentences = []
    for row in presentation_plan.planned_rows(result):
        if row["key"] == "wilcoxon_within":
            body = " ".join(_group_sentence(group, result) for group in result["groups"])
        elif row["key"] == "mann_whitney_change" and result["mann_whitney"].get("change"):
            body = _comparison_sentence(result["mann_whitney"]["change"], result["groups"])
        else:
            body = "; ".join(row["lines"]) + "."
        sentences.append(f"[{row['role_text']}] {row['title']}: {body}")
    normality = presentation_plan.normality_text(result)
    return " ".join(sentences + ([normality] if normality else []))


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
