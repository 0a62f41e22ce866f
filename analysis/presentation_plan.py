"""The analyses of the plan as lines of text in the active language, for the page and the PDF alike.

``planned_rows(result)`` -> [{"key", "role", "role_text", "title", "lines"}] in the plan's
order; every number goes through analysis.presentation, so page and PDF read the same.
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from analysis.presentation import format_ci, format_count, format_p_with_sign, format_stat, local_time
from analysis.sap import AnalysisRole


def planned_rows(result: dict) -> list[dict]:
    """One row per analysis of ``result["analyses"]``; a masked, pooled result has the labels, no lines."""
    language = (get_language() or "")[:2]  # each language's text names the arms its own way
    labels = {
        group["code"]: group.get("labels", {}).get(language) or group["label"] for group in result.get("groups", [])
    }
    return [
        {
            "key": entry["key"],
            "role": entry["role"],
            "role_text": str(AnalysisRole(entry["role"]).label),
            "title": in_language(entry["title"]),
            "lines": [] if result.get("masked") else LINES[entry["key"]](entry, result, labels),
        }
        for entry in result.get("analyses", [])
    ]


def plan_notice(result: dict) -> str:
    """The exploratory notice in the active language ("" once a plan is locked)."""
    notice = (result.get("plan") or {}).get("notice")
    return in_language(notice) if notice else ""


def normality_text(result: dict) -> str:
    explanation = (result.get("normality") or {}).get("explanation")
    return in_language(explanation) if explanation else ""


def in_language(texts: dict) -> str:
    return texts.get((get_language() or "en")[:2], texts["en"])


def _holm(test: dict) -> str:
    if test.get("p_holm") is None:
        return ""
    return " · " + _("Holm-adjusted %(p)s") % {"p": format_p_with_sign(test["p_holm"])}


def _rank_p(test: dict) -> str:
    if test.get("p_exact") is not None:
        return _("exact %(p)s") % {"p": format_p_with_sign(test["p_exact"])}
    return _("asymptotic %(p)s") % {"p": format_p_with_sign(test.get("p_asymptotic"))}


def _wilcoxon(entry, result, labels) -> list[str]:
    return [
        _("%(arm)s: Z = %(z)s, %(p)s; Hodges–Lehmann %(hl)s, 95%% CI %(ci)s")
        % {
            "arm": group["label"],
            "z": format_stat(group["wilcoxon"]["z"]),
            "p": _rank_p(group["wilcoxon"]),
            "hl": format_stat(group["wilcoxon"]["hodges_lehmann"]),
            "ci": format_ci(group["wilcoxon"]["ci95"]),
        }
        for group in result["groups"]
    ]


def _mann_whitney(entry, result, labels) -> list[str]:
    test = result["mann_whitney"].get("change")
    if not test:
        return [_("Not computed: the study needs exactly two arms.")]
    return [
        _("U = %(u)s, Z = %(z)s, %(p)s; Hodges–Lehmann shift %(hl)s, 95%% CI %(ci)s")
        % {
            "u": format_stat(test.get("u")),
            "z": format_stat(test.get("z")),
            "p": _rank_p(test),
            "hl": format_stat(test.get("hodges_lehmann")),
            "ci": format_ci(test.get("ci95")),
        }
    ]


def _t(test: dict) -> str:
    if test["t"] is None:
        return _("not computed (%(why)s)") % {"why": test["note"]}
    return _("t(%(df)s) = %(t)s, %(p)s") % {
        "df": format_stat(test["df"]) if isinstance(test["df"], float) else test["df"],
        "t": format_stat(test["t"]),
        "p": format_p_with_sign(test["p"]),
    }


def _paired_t(entry, result, labels) -> list[str]:
    lines = []
    for code, test in entry["result"]["groups"].items():
        lines.append(
            _("%(arm)s: mean difference %(m)s, 95%% CI %(ci)s; %(t)s")
            % {
                "arm": labels.get(code, code),
                "m": format_stat(test["mean_difference"]),
                "ci": format_ci(test["ci95"]),
                "t": _t(test),
            }
        )
    return lines + _shapiro_lines(result, labels)


def _shapiro_lines(result, labels) -> list[str]:
    lines = []
    for code, test in (result.get("normality") or {}).get("groups", {}).items():
        if test["w"] is None:
            text = _("%(arm)s: Shapiro–Wilk not computed (%(why)s)") % {
                "arm": labels.get(code, code),
                "why": test["note"],
            }
        else:
            text = _("%(arm)s: Shapiro–Wilk W = %(w)s, %(p)s") % {
                "arm": labels.get(code, code),
                "w": format_stat(test["w"]),
                "p": format_p_with_sign(test["p"]),
            }
        lines.append(text)
    return lines


def _welch(entry, result, labels) -> list[str]:
    test = entry["result"]
    if not test:
        return [_("Not computed: the study needs exactly two arms.")]
    first, second = list(test["groups"])
    return [
        _("Difference in change (%(a)s − %(b)s) %(d)s, 95%% CI %(ci)s; %(t)s")
        % {
            "a": labels.get(first, first),
            "b": labels.get(second, second),
            "d": format_stat(test["difference"]),
            "ci": format_ci(test["ci95"]),
            "t": _t(test),
        },
        *_shapiro_lines(result, labels),
    ]


def _ancova(entry, result, labels) -> list[str]:
    test = entry["result"]
    if not test:
        return [_("Not computed: the study needs exactly two arms.")]
    if test["estimate"] is None:
        return [_("Not computed (%(why)s)") % {"why": test["note"]}]
    return [
        _("Post score, %(a)s − %(b)s, adjusted for the pre score: %(e)s (SE %(se)s), 95%% CI %(ci)s; %(t)s")
        % {
            "a": labels.get(test["first"], test["first"]),
            "b": labels.get(test["second"], test["second"]),
            "e": format_stat(test["estimate"]),
            "se": format_stat(test["se"]),
            "ci": format_ci(test["ci95"]),
            "t": _t(test),
        }
    ]


def _mcnemar(entry, result, labels) -> list[str]:
    lines = []
    for item in entry["result"]["indicators"]:
        for code, test in item["groups"].items():
            method = {"exact binomial": _("exact binomial"), "no discordant pairs": _("no discordant pairs")}.get(
                test["method"], _("chi-square, continuity corrected")
            )
            lines.append(
                _("%(indicator)s · %(arm)s: met %(before)s → %(after)s of %(n)s; %(p)s (%(method)s)%(holm)s")
                % {
                    "indicator": in_language(item["label"]),
                    "arm": labels.get(code, code),
                    "before": format_count(test["met_before"]),
                    "after": format_count(test["met_after"]),
                    "n": format_count(test["n"]),
                    "p": format_p_with_sign(test["p"]),
                    "method": method,
                    "holm": _holm(test),
                }
            )
    return lines


def _fisher(entry, result, labels) -> list[str]:
    test = entry["result"]
    if not test:
        return [_("Not computed: the study needs exactly two arms.")]
    lines = []
    for item in test["indicators"]:
        counts = ", ".join(
            f"{labels.get(code, code)} {row[0]}/{row[0] + row[1]}"
            for code, row in zip(test["groups"], item["table"], strict=True)
        )
        lines.append(
            _("%(indicator)s, met on day %(day)s: %(counts)s; odds ratio %(or)s, 95%% CI %(ci)s; %(p)s%(holm)s")
            % {
                "indicator": in_language(item["label"]),
                "day": test["day"],
                "counts": counts,
                "or": format_stat(item["odds_ratio"]),
                "ci": format_ci(item["ci95"]),
                "p": format_p_with_sign(item["p"]),
                "holm": _holm(item),
            }
        )
    return lines


def _measure(entry, result, labels) -> list[str]:
    test = entry["result"]
    lines = []
    for code, within in test["groups"].items():
        if not within["n"]:
            lines.append(_("%(arm)s: not recorded on both days") % {"arm": labels.get(code, code)})
            continue
        lines.append(
            _("%(arm)s: %(n)s pairs, Wilcoxon %(p)s, Hodges–Lehmann %(hl)s%(holm)s")
            % {
                "arm": labels.get(code, code),
                "n": within["n"],
                "p": _rank_p(within["test"]),
                "hl": format_stat(within["test"]["hodges_lehmann"]),
                "holm": _holm(within),
            }
        )
    if test["between"]:
        lines.append(
            _("Between the arms (change): Mann–Whitney %(p)s%(holm)s")
            % {"p": _rank_p(test["between"]["test"]), "holm": _holm(test["between"])}
        )
    return lines


LINES = {
    "wilcoxon_within": _wilcoxon,
    "mann_whitney_change": _mann_whitney,
    "paired_t_within": _paired_t,
    "welch_t_change": _welch,
    "ancova_post": _ancova,
    "mcnemar_indicators": _mcnemar,
    "fisher_indicators": _fisher,
    "expressed_volume": _measure,
    "infant_weight": _measure,
}


def amendment_rows(result: dict) -> list[dict]:
    """The plan's amendments with the changed fields named in the active language."""
    from analysis.models import AnalysisPlan

    def label(name: str) -> str:
        return str(AnalysisPlan._meta.get_field(name).verbose_name)

    return [
        item | {"changed": [label(n) for n in item["changed"]]}
        for item in (result.get("plan") or {}).get("amendments", [])
    ]


def plan_line(result: dict) -> str:
    """One sentence on the plan behind the result, in the active language."""
    plan = result.get("plan")
    if not plan:
        return ""
    if plan["locked"]:
        return _("Statistical analysis plan version %(v)s, locked %(at)s; %(n)s amendment(s).") % {
            "v": plan["version"],
            "at": local_time(plan["locked_at"]),
            "n": len(plan["amendments"]),
        }
    if plan["status"] == "draft":
        return _("Statistical analysis plan: a draft, not locked.")
    return _("No statistical analysis plan written: the design's default plan applies, not locked.")
