"""The analysis as plain text laid out like SPSS output, for ``manage.py analyze``.

Table and row names are SPSS's own English terms ("Ranks", "Test Statistics", "Asymp. Sig.
(2-tailed)") so the output can be set side by side with published SPSS tables. Numbers are
rounded here only (3 decimals, p below .001 shown as "<.001"); the JSON keeps full precision.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation

from analysis.frames import EXCLUSION_REASONS
from analysis.presentation_plan import plan_line, planned_rows

RULE = "-" * 78
COMPARISON_TITLES = {"change": "change (post - pre)", "post": "post", "pre": "pre (baseline)"}


def number(value, decimals: int = 3) -> str:
    """SPSS-style number: fixed decimals, no leading zero before the point; "." for no value."""
    if value is None:
        return "."
    # Half away from zero, as SPSS shows .0625 as .063 (Python's f-string gives .062); 12 significant
    # digits first, so float noise (0.06249999999999999 for 1/16 summed in parts) rounds the same way.
    text = f"{Decimal(f'{float(value):.12g}').quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):f}"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def p_value(value) -> str:
    if value is None:
        return "."
    return "<.001" if value < 0.001 else number(value)


def render_text(result: dict) -> str:
    """The whole report: header, participants, descriptives, Wilcoxon, Mann–Whitney, flags."""
    parts = [
        _header(result),
        _participants(result["groups"]),
        _descriptives(result["groups"]),
        *(_wilcoxon(group, result) for group in result["groups"]),
        *(_mann_whitney(key, test, _labels(result)) for key, test in result["mann_whitney"].items()),
        *([_plan(result)] if result.get("analyses") else []),
        _flags(result["flags"]),
    ]
    return "\n\n".join(parts) + "\n"


def _header(result: dict) -> str:
    return "\n".join(
        [
            f"Study: {result['study']} - {result.get('study_title', '')}",
            f"Population: {result['population']}   Outcome: {result['outcome']}   "
            f"Pre: day {result['pre_day']}   Post: day {result['post_day']}   alpha = {result['alpha']:g}",
            f"Data SHA-256: {result['data_sha256']}",
            f"Generated at: {result['generated_at']}",
        ]
    )


def _participants(groups: list[dict]) -> str:
    lines = ["Participants", RULE, f"{'Group':<28}{'Enrolled':>10}{'Analysed':>10}{'Left out':>10}"]
    for group in groups:
        lines.append(
            f"{group['label'][:27]:<28}{group['n_enrolled']:>10}{group['n_complete']:>10}{group['n_excluded']:>10}"
        )
        reasons = [
            f"{reason.replace('_', ' ')}: {group['excluded'][reason]}"
            for reason in EXCLUSION_REASONS
            if group["excluded"].get(reason)
        ]
        if reasons:
            lines.append(f"    {'; '.join(reasons)}")
    return "\n".join(lines)


def _descriptives(groups: list[dict]) -> str:
    head = (
        f"{'Group':<22}{'Time':<7}{'N':>5}{'Mean':>8}{'Std. Dev.':>10}{'Min':>6}{'Max':>6}"
        f"{'25th':>7}{'Median':>8}{'75th':>7}"
    )
    lines = ["Descriptive Statistics", RULE, head]
    for group in groups:
        for time in ("pre", "post", "change"):
            d = group[time]
            lines.append(
                f"{group['label'][:21]:<22}{time:<7}{d['n']:>5}{number(d['mean'], 2):>8}{number(d['sd'], 3):>10}"
                f"{number(d['min'], 0):>6}{number(d['max'], 0):>6}{number(d['q1'], 2):>7}"
                f"{number(d['median'], 2):>8}{number(d['q3'], 2):>7}"
            )
    return "\n".join(lines)


def _rank_row(name: str, ranks: dict) -> str:
    return f"  {name:<22}{ranks['n']:>6}{number(ranks['mean_rank'], 2):>12}{number(ranks['sum_ranks'], 2):>15}"


def _wilcoxon(group: dict, result: dict) -> str:
    test = group["wilcoxon"]
    title = f"Wilcoxon Signed Ranks Test - {group['label']} (day {result['post_day']} - day {result['pre_day']})"
    lines = [
        title,
        RULE,
        "Ranks",
        f"  {'':<22}{'N':>6}{'Mean Rank':>12}{'Sum of Ranks':>15}",
        _rank_row("Negative Ranks", test["negative"]),
        _rank_row("Positive Ranks", test["positive"]),
        f"  {'Ties':<22}{test['ties']:>6}",
        f"  {'Total':<22}{test.get('n_pairs', group['n_complete']):>6}",
        "",
        "Test Statistics",
        f"  {'Z':<28}{number(test['z'])}",
        f"  {'Asymp. Sig. (2-tailed)':<28}{p_value(test['p_asymptotic'])}",
        f"  {'Exact Sig. (2-tailed)':<28}{_exact(test)}",
        f"  Direction: {test['direction']} (positive = post higher)",
        _effects(test, "rank-biserial (matched pairs)", "Hodges-Lehmann (median of Walsh averages)"),
    ]
    return "\n".join(lines)


def _labels(result: dict) -> dict[str, str]:
    return {group["code"]: group["label"] for group in result["groups"]}


def _mann_whitney(key: str, test: dict, labels: dict[str, str]) -> str:
    lines = [
        f"Mann-Whitney Test - {COMPARISON_TITLES.get(key, key)}",
        RULE,
        "Ranks",
        f"  {'Group':<22}{'N':>6}{'Mean Rank':>12}{'Sum of Ranks':>15}",
    ]
    lines += [_rank_row(labels.get(code, code)[:22], ranks) for code, ranks in test["groups"].items()]
    lines += [
        f"  {'Total':<22}{sum(r['n'] for r in test['groups'].values()):>6}",
        "",
        "Test Statistics",
        f"  {'Mann-Whitney U':<28}{number(test['u'])}",
        f"  {'Z':<28}{number(test['z'])}",
        f"  {'Asymp. Sig. (2-tailed)':<28}{p_value(test['p_asymptotic'])}",
        f"  {'Exact Sig. (2-tailed)':<28}{_exact(test)}",
        f"  Higher mean rank: {labels.get(test.get('higher_group'), 'neither')}",
        _effects(test, "rank-biserial", "Hodges-Lehmann shift (first - second)"),
    ]
    return "\n".join(lines)


def _exact(test: dict) -> str:
    if test["p_exact"] is None:
        return f". ({test.get('p_exact_method', 'not computed')})"
    return p_value(test["p_exact"])


def _effects(test: dict, biserial: str, estimate: str) -> str:
    ci = test.get("ci95")
    interval = f"[{number(ci[0])}, {number(ci[1])}]" if ci else "."
    return "\n".join(
        [
            "Effect sizes",
            f"  {'r = |Z| / sqrt(N)':<44}{number(test['r'])}",
            f"  {biserial:<44}{number(test['rank_biserial'])}",
            f"  {estimate:<44}{number(test['hodges_lehmann'])}",
            f"  {'95% CI':<44}{interval}",
        ]
    )


def _plan(result: dict) -> str:
    """The analyses in the plan's order with their labels (numbers of the new tests as on the dashboard)."""
    with translation.override("en"):
        lines = ["Analysis plan", RULE, f"  {plan_line(result)}"]
        for row in planned_rows(result):
            lines.append(f"  [{row['role_text']}] {row['title']}")
            lines += [f"      {line}" for line in row["lines"]]
    return "\n".join(lines)


def _flags(flags: list[dict]) -> str:
    if not flags:
        return "Flags\n" + RULE + "\n  none"
    return "\n".join(["Flags", RULE, *(f"  [{flag['code']}] {flag['message']}" for flag in flags)])
