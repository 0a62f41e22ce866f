"""Display rounding of analysis numbers: the one place where numbers are rounded for people.

The result dict keeps full precision (analysis.md); pages, the report, the PDF and the
results text all format through these functions, so the same number always reads the same:

- p-values: three decimals without the leading zero (APA), "< .001" below 0.001, "1.000" for 1;
  in a language with a decimal comma the zero stays ("0,035", "< 0,001"), as Indonesian writes it;
- every number is written with the reader's decimal separator (trialsite.numbers): "2,5" / "2.5";
- statistics (mean, SD, mean rank, sum of ranks, U, z, r, rank-biserial, Hodges–Lehmann, CI):
  two decimals;
- values (median, quartiles, min, max): as they are — an integer stays an integer, a half
  stays a half (at most two decimals);
- a missing number (None) is an en dash. Negative numbers use the minus sign U+2212.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from trialsite.numbers import decimal_separator, written

MISSING = "–"
MINUS = "−"


def _signed(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text


def format_p(value: float | None) -> str:
    """A p-value: ".035", "< .001", "1.000" (None → "–"); "0,035", "< 0,001" in Indonesian."""
    if value is None:
        return MISSING
    text = "< 0.001" if value < 0.001 else f"{value:.3f}"
    if decimal_separator() == ".":
        text = text.replace("0.", ".", 1) if "0." in text[:4] else text
    return written(text)


def format_stat(value: float | None) -> str:
    """A statistic with two decimals: "−3.62", "0.62" ("−3,62", "0,62" in Indonesian)."""
    if value is None:
        return MISSING
    text = f"{value:.2f}"
    return written(_signed("0.00" if text == "-0.00" else text))


def format_value(value: float | None) -> str:
    """A median, quartile, minimum or maximum as it is: 4 → "4", 3.5 → "3.5" ("3,5"), 3.25 → "3.25"."""
    if value is None:
        return MISSING
    if float(value).is_integer():
        return _signed(str(int(value)))
    return written(_signed(f"{value:.2f}".rstrip("0").rstrip(".")))


def format_count(value: int | None) -> str:
    return MISSING if value is None else str(int(value))


def format_ci(interval) -> str:
    """A 95% confidence interval: "[0.50, 1.50]"."""
    if not interval or interval[0] is None or interval[1] is None:
        return MISSING
    return f"[{format_stat(interval[0])}, {format_stat(interval[1])}]"


def format_p_with_sign(value: float | None) -> str:
    """For running text: "p < .001" or "p = .035"."""
    text = format_p(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def short_sha(digest: str | None) -> str:
    """The first 12 hex digits of a SHA-256, enough to tell two datasets apart by eye."""
    return (digest or "")[:12]


def local_time(iso: str | datetime | None) -> str:
    """An ISO-8601 time (or datetime) in the project time zone, as the reader's language writes it:
    "28 Nov 2026, 07.45.03 WIB" (Indonesian), "28 Nov 2026, 07:45:03 WIB" (English)."""
    if not iso:
        return MISSING
    moment = datetime.fromisoformat(iso) if isinstance(iso, str) else iso
    local = timezone.localtime(moment)
    return f"{date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"


# --- Labels of result codes -----------------------------------------------------------------

TIME_POINTS = ("pre", "post", "change")
POOLED_POINTS = ("pre", "post")
COMPARISONS = ("change", "post", "pre")

EXCLUSION_LABELS = {
    "excluded_from_analysis": _("excluded from analysis"),
    "withdrawn_before_post_day": _("withdrawn before the posttest day"),
    "lost_to_follow_up_before_post_day": _("lost to follow-up before the posttest day"),
    "missing_pre_and_post": _("pretest and posttest missing"),
    "missing_pre": _("pretest missing"),
    "missing_post": _("posttest missing"),
    "protocol_deviation": _("protocol deviation"),
    "non_adherence": _("non-adherence"),
    "excluded_from_per_protocol": _("excluded from the per-protocol population"),
}
DIRECTION_LABELS = {
    "positive": _("higher after"),
    "negative": _("lower after"),
    "none": _("no change"),
}
COMPARISON_LABELS = {"change": _("change"), "post": _("posttest"), "pre": _("pretest")}


def label_of(labels: dict, code) -> str:
    return str(labels.get(code, code)) if code is not None else MISSING


# --- The day-by-day chart ---------------------------------------------------------------------


def _series_labels(result: dict) -> dict[str, str]:
    labels = {group["code"]: group["label"] for group in result.get("groups", [])}
    labels.setdefault("all", str(_("All arms (pooled)")))
    return labels


def chart_data(result: dict) -> dict:
    """The json_script payload of the daily chart: days and, per series, median/q1/q3 (None for no data)."""
    labels = _series_labels(result)
    series = [
        {
            "code": code,
            "label": labels.get(code, code),
            "n": [point["n"] for point in points],
            **{key: [point[key] for point in points] for key in ("median", "q1", "q3")},
        }
        for code, points in result.get("daily", {}).items()
    ]
    return {
        "days": list(range(1, result["n_days"] + 1)),
        "series": series,
        "text": {"median": str(_("median")), "iqr": str(_("IQR")), "day": str(_("Day")), "score": str(_("Score"))},
    }


def daily_rows(result: dict) -> list[dict]:
    """The chart as table rows: per day, one cell per series (the fallback under the chart)."""
    daily = result.get("daily", {})
    return [
        {"day": day, "cells": [{"code": code} | points[day - 1] for code, points in daily.items()]}
        for day in range(1, result["n_days"] + 1)
    ]


# --- Flag sentences of analysis.stats.flags, listed so makemessages puts them in the catalog ---
# compute_results renders them with Django's gettext; a test keeps this list equal to stats.MESSAGES.

FLAG_MSGIDS = (
    gettext_noop(
        "Group {group}: the Wilcoxon signed-rank test gives exact p = {p_exact} but asymptotic p = "
        "{p_asymptotic}, on different sides of alpha = {alpha}. Report the exact p-value."
    ),
    gettext_noop(
        "Mann–Whitney U test on {comparison} scores: exact p = {p_exact} but asymptotic p = {p_asymptotic}, "
        "on different sides of alpha = {alpha}. Report the exact p-value."
    ),
    gettext_noop(
        "Group {group} has only {n_nonzero} non-zero differences between the pre and post scores (fewer than "
        "{minimum}), so the Wilcoxon signed-rank test has little power and its normal approximation is "
        "unreliable; rely on the exact p-value."
    ),
    gettext_noop(
        "The groups differ already at baseline: the Mann–Whitney U test on pre scores gives exact p = {p} "
        "(below alpha = {alpha}). Take this into account when comparing the changes."
    ),
    gettext_noop(
        "The groups differ already at baseline: the Mann–Whitney U test on pre scores gives asymptotic p = "
        "{p} (below alpha = {alpha}; the exact p-value was not computed). Take this into account when "
        "comparing the changes."
    ),
    gettext_noop("change (post − pre)"),
    gettext_noop("post"),
    gettext_noop("pre (baseline)"),
)
