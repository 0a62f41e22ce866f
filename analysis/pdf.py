"""The results report as a PDF (reportlab), with generation time and data SHA-256 on every page.

Takes the same context as the report page (analysis.views._context) and honours masking the
same way: a masked viewer gets pooled outcome figures only.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.utils.translation import gettext as _
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from analysis import presentation as fmt

FONT = "TrialsiteSans"
MARGIN = 14 * mm
CELL_PADDING = 6  # reportlab's default left and right padding of a table cell, in points
TEXT_WIDTH = A4[0] - 2 * MARGIN
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path(reportlab.__file__).parent / "fonts" / "Vera.ttf",  # always shipped with reportlab
)


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        path = next(p for p in FONT_CANDIDATES if p.exists())
        pdfmetrics.registerFont(TTFont(FONT, str(path)))


def _styles() -> dict:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontName=FONT, fontSize=14),
        # A heading stays with what it heads: never alone at the foot of a page.
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=FONT, fontSize=11, spaceBefore=8, keepWithNext=1),
        "body": ParagraphStyle("b", parent=base["BodyText"], fontName=FONT, fontSize=8.5, leading=11),
        "cell": ParagraphStyle("c", parent=base["BodyText"], fontName=FONT, fontSize=7.5, leading=9),
    }


def render_report(context: dict) -> bytes:
    """The PDF bytes of the report for ``context`` (see analysis.views._context)."""
    _register_font()
    styles = _styles()
    result = context["result"]
    footer = _("Generated %(at)s · data SHA-256 %(sha)s") % {
        "at": fmt.local_time(result["generated_at"]),
        "sha": result["data_sha256"],
    }
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, bottomMargin=18 * mm,
                            title=str(_("Results report")), subject=footer)  # fmt: skip
    doc.build(_story(context, styles, footer), onFirstPage=_footer(footer), onLaterPages=_footer(footer))
    return buffer.getvalue()


def _footer(text: str):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(doc.leftMargin, 9 * mm, text)
        canvas.drawRightString(A4[0] - doc.rightMargin, 5 * mm, _("Page %(n)d") % {"n": doc.page})
        canvas.restoreState()

    return draw


def _table(rows: list[list], styles: dict) -> Table:
    cells = [[Paragraph(escape(str(cell)), styles["cell"]) for cell in row] for row in rows]
    table = Table(cells, colWidths=column_widths(rows, styles["cell"].fontSize), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))  # fmt: skip
    return table


def column_widths(rows: list[list], font_size: float) -> list[float]:
    """Widths that fit the page and give every column at least its longest word, so no header or
    value is broken mid-word; the room left goes to the columns whose text is longest."""
    columns = max(len(row) for row in rows)
    texts = [[str(row[i]) if i < len(row) else "" for row in rows] for i in range(columns)]

    def width(text: str) -> float:
        return stringWidth(text, FONT, font_size) + 2 * CELL_PADDING

    least = [max(width(word) for text in column for word in text.split() or [""]) for column in texts]
    natural = [max(width(text) for text in column) for column in texts]
    room = TEXT_WIDTH - sum(least)
    if room <= 0:  # more words than the page holds: shrink all alike
        return [w * TEXT_WIDTH / sum(least) for w in least]
    wants = [n - w for n, w in zip(natural, least, strict=True)]
    if sum(wants) <= room:  # everything fits on one line: share the rest evenly
        return [n + (room - sum(wants)) / columns for n in natural]
    return [w + room * want / sum(wants) for w, want in zip(least, wants, strict=True)]


def heading(text: str, styles: dict) -> Flowable:
    return Paragraph(escape(str(text)), styles["h2"])


def _story(context: dict, styles: dict, footer: str) -> list:
    result = context["result"]
    population = _("complete cases") if context["population"] == "complete_cases" else _("per protocol")
    story = [
        Paragraph(escape(f"{_('Results report')}: {context['study'].title}"), styles["title"]),
        Paragraph(escape(f"{_('Population')}: {population} · {footer}"), styles["body"]),
    ]
    if context["masked"]:
        notice = _("Outcomes by arm are masked until the database is locked: only pooled outcome figures are shown.")
        story.append(Paragraph(escape(notice), styles["body"]))
    elif context.get("plan_notice"):
        story.append(Paragraph(escape(context["plan_notice"]), styles["body"]))
    for title, rows in _sections(context):
        story += [heading(title, styles), _table(rows, styles)]
    if not context["masked"]:
        story += _planned(context, styles)
    story += [Paragraph(escape(_("Score by day: median and interquartile range")), styles["h2"]), _daily_chart(result)]
    if not context["masked"] and result["flags"]:
        story.append(Paragraph(escape(_("Warnings")), styles["h2"]))
        story += [Paragraph(escape(flag["message"]), styles["body"]) for flag in result["flags"]]
    story.append(Paragraph(escape(_("Results text")), styles["h2"]))
    for block in context["narrative"]:
        texts = (block["label"], block["methods"], block["results"])
        story += [*(Paragraph(escape(text), styles["body"]) for text in texts), Spacer(1, 4)]
    return story


def _planned(context: dict, styles: dict) -> list:
    """The analyses in the plan's order, each with its label, then the normality text and amendments."""
    story = [
        Paragraph(escape(_("Analyses in the order of the analysis plan")), styles["h2"]),
        Paragraph(escape(context.get("plan_line", "")), styles["body"]),
    ]
    for row in context.get("planned", []):
        story.append(Paragraph(f"<b>[{escape(row['role_text'])}]</b> {escape(row['title'])}", styles["body"]))
        story += [Paragraph(escape(f"• {line}"), styles["cell"]) for line in row["lines"]]
    if context.get("normality_text"):
        story.append(Paragraph(escape(context["normality_text"]), styles["body"]))
    for item in context.get("amendments", []):
        text = _("Amendment, version %(v)s (%(date)s), by %(by)s: %(reason)s. Changed: %(changed)s.") % {
            "v": item["version"], "date": item["date"][:10], "by": item["by"], "reason": item["reason"],
            "changed": ", ".join(item["changed"]),
        }  # fmt: skip
        story.append(Paragraph(escape(text), styles["body"]))
    return story


def _sections(context: dict) -> list[tuple[str, list[list]]]:
    """(title, table rows) of every table; by-arm outcome tables only when not masked."""
    result = context["result"]
    sections = [
        (_("Participant flow"), _flow_rows(context["flow"])),
        (_("Baseline characteristics"), _baseline_rows(context["baseline"])),
    ]
    if context["masked"]:
        return [*sections, (_("Scores, all arms pooled"), _pooled_rows(result))]
    comparisons = [key for key in fmt.COMPARISONS if key in result["mann_whitney"]]
    between = _("Mann–Whitney U test between the arms")
    return [
        *sections,
        (_("Scores per arm and time point"), _descriptive_rows(result)),
        (_("Wilcoxon signed-rank test within each arm"), _wilcoxon_rows(result)),
        *((f"{between}: {fmt.label_of(fmt.COMPARISON_LABELS, key)}", _mw_rows(result, key)) for key in comparisons),
        (_("Effect sizes"), _effect_rows(result)),
    ]


def _flow_rows(flow: dict) -> list[list]:
    """One row per arm; while arms are hidden (enrollment.visibility.shown_flow) an arm row has its
    allocated count only and the row of all arms together holds what followed allocation."""
    after = ("completed", "withdrawn", "lost_to_follow_up", "analysed")
    rows = [[_("Arm"), _("Allocated"), _("Completed"), _("Withdrawn"), _("Lost to follow-up"), _("Analysed")]]
    rows += [[a["label"], a["allocated"], *(a.get(key, "") for key in after)] for a in flow["arms"]]
    if flow.get("pooled"):
        pooled = flow["pooled"]
        rows.append([pooled["label"], pooled["allocated"], *(pooled[key] for key in after)])
    summary = _("Screened %(s)d · not eligible %(i)d · enrolled %(e)d") % {
        "s": flow["screened"], "i": flow["ineligible"], "e": flow["enrolled"],
    }  # fmt: skip
    if flow["enrolled_without_screening"]:
        summary += " · " + _("enrolled without a screening record (imported) %(n)d") % {
            "n": flow["enrolled_without_screening"]
        }
    rows.append([summary, "", "", "", "", ""])
    return rows


def _baseline_rows(baseline: dict) -> list[list]:
    header = [_("Characteristic")] + [f"{c['label']} (n = {c['n']})" for c in baseline["columns"]]
    return [header] + [[row["label"], *row["values"]] for row in baseline["rows"]]


def _described(label: str, d: dict) -> list:
    return [label, fmt.format_count(d["n"]), fmt.format_stat(d["mean"]), fmt.format_value(d["median"]),
            fmt.format_stat(d["sd"]), f"{fmt.format_value(d['min'])}–{fmt.format_value(d['max'])}",
            f"{fmt.format_value(d['q1'])}–{fmt.format_value(d['q3'])}"]  # fmt: skip


def _point_label(key: str, result: dict) -> str:
    if key == "pre":
        return _("Pretest (day %(day)s)") % {"day": result["pre_day"]}
    if key == "post":
        return _("Posttest (day %(day)s)") % {"day": result["post_day"]}
    return _("Change (post − pre)")


def _pooled_rows(result: dict) -> list[list]:
    header = [_("Time point"), "n", _("Mean"), _("Median"), _("SD"), _("Min–Max"), "Q1–Q3"]
    return [header] + [_described(_point_label(k, result), result["pooled"][k]) for k in fmt.POOLED_POINTS]


def _descriptive_rows(result: dict) -> list[list]:
    header = [_("Arm"), _("Time point"), "n", _("Mean"), _("Median"), _("SD"), _("Min–Max"), "Q1–Q3"]
    return [header] + [
        [g["label"], *_described(_point_label(k, result), g[k])] for g in result["groups"] for k in fmt.TIME_POINTS
    ]


def _wilcoxon_rows(result: dict) -> list[list]:
    header = [
        _("Arm"),
        _("Negative ranks"),
        _("Positive ranks"),
        _("Ties"),
        "Z",
        _("Asymp. p (2-tailed)"),
        _("Exact p (2-tailed)"),
    ]
    rows = [header]
    for g in result["groups"]:
        w = g["wilcoxon"]
        ranks = [
            f"{w[s]['n']} · {fmt.format_stat(w[s]['mean_rank'])} · {fmt.format_stat(w[s]['sum_ranks'])}"
            for s in ("negative", "positive")
        ]
        rows.append(
            [
                g["label"],
                *ranks,
                w["ties"],
                fmt.format_stat(w["z"]),
                fmt.format_p(w["p_asymptotic"]),
                fmt.format_p(w["p_exact"]),
            ]
        )
    return rows


def _mw_rows(result: dict, key: str) -> list[list]:
    test = result["mann_whitney"][key]
    rows = [[_("Arm"), "N", _("Mean rank"), _("Sum of ranks")]]
    for group in result["groups"]:
        ranks = test["groups"][group["code"]]
        rows.append(
            [group["label"], ranks["n"], fmt.format_stat(ranks["mean_rank"]), fmt.format_stat(ranks["sum_ranks"])]
        )
    rows.append(
        [
            f"U = {fmt.format_stat(test.get('u'))}",
            f"Z = {fmt.format_stat(test.get('z'))}",
            f"{_('asymp. p')} {fmt.format_p(test.get('p_asymptotic'))}",
            f"{_('exact p')} {fmt.format_p(test.get('p_exact'))}",
        ]
    )
    return rows


def _effect_rows(result: dict) -> list[list]:
    rows = [[_("Test"), "r", _("Rank-biserial"), _("Hodges–Lehmann"), _("95% CI")]]
    tests = [(f"{_('Wilcoxon')}: {g['label']}", g["wilcoxon"]) for g in result["groups"]]
    tests += [
        (f"{_('Mann–Whitney')}: {fmt.label_of(fmt.COMPARISON_LABELS, k)}", result["mann_whitney"][k])
        for k in fmt.COMPARISONS
        if k in result["mann_whitney"]
    ]
    for name, test in tests:
        effects = [fmt.format_stat(test.get(key)) for key in ("r", "rank_biserial", "hodges_lehmann")]
        rows.append([name, *effects, fmt.format_ci(test.get("ci95"))])
    return rows


SERIES_COLORS = (colors.HexColor("#0d6efd"), colors.HexColor("#d63384"), colors.HexColor("#198754"))
CHART_HEIGHT = 62 * mm


def _daily_chart(result: dict) -> Drawing:
    """Median per day (solid) with Q1 and Q3 (dashed) for each series of ``result["daily"]``.

    The same series as the dashboard chart (presentation.chart_data): per arm, or pooled for a
    masked viewer. Days without data are left out of a line rather than drawn as zero.
    """
    data = fmt.chart_data(result)
    drawing = Drawing(TEXT_WIDTH, CHART_HEIGHT)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 12 * mm, 18 * mm, TEXT_WIDTH - 16 * mm, CHART_HEIGHT - 24 * mm
    lines = []
    for series in data["series"]:
        for key in ("median", "q1", "q3"):
            lines.append([(day, v) for day, v in zip(data["days"], series[key], strict=True) if v is not None])
    plot.data = [points or [(1, 1)] for points in lines]
    for index in range(len(lines)):
        color = SERIES_COLORS[(index // 3) % len(SERIES_COLORS)]
        plot.lines[index].strokeColor = color if lines[index] else colors.white
        plot.lines[index].strokeWidth = 1.6 if index % 3 == 0 else 0.6
        plot.lines[index].strokeDashArray = None if index % 3 == 0 else (2, 2)
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = 1, max(data["days"])
    plot.xValueAxis.valueSteps = data["days"]
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax, plot.yValueAxis.valueStep = 1, 5, 1
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName, axis.labels.fontSize = FONT, 7
    drawing.add(plot)
    _legend(drawing, data)
    return drawing


def _legend(drawing: Drawing, data: dict) -> None:
    x = 12 * mm
    for index, series in enumerate(data["series"]):
        color = SERIES_COLORS[index % len(SERIES_COLORS)]
        drawing.add(Line(x, 6 * mm, x + 8 * mm, 6 * mm, strokeColor=color, strokeWidth=1.6))
        label = f"{series['label']}: {data['text']['median']} ({data['text']['iqr']} - - -)"
        drawing.add(String(x + 10 * mm, 5 * mm, label, fontName=FONT, fontSize=7))
        x += TEXT_WIDTH / max(len(data["series"]), 2)
