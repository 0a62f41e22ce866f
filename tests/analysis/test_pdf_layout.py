"""The PDF reads like a printed report: headers whole, headings never alone at the foot of a page."""

import io

from django.utils import translation
from reportlab.platypus import SimpleDocTemplate, Spacer

from analysis import pdf
from analysis.results import compute_results


def words_as_laid_out(paragraph, width: float) -> list[str]:
    paragraph.wrap(width, 1000)
    return [word for line in paragraph.blPara.lines for word in line[1]]


def test_no_table_header_is_broken_mid_word(known_dataset, study):
    result = compute_results(study)
    pdf._register_font()
    styles = pdf._styles()
    with translation.override("id"):
        tables = [pdf._wilcoxon_rows(result), pdf._descriptive_rows(result), pdf._effect_rows(result)]
        tables += [pdf._mw_rows(result, key) for key in result["mann_whitney"]]
    for rows in tables:
        table = pdf._table(rows, styles)
        for cell, width in zip(table._cellvalues[0], table._colWidths, strict=True):
            words = words_as_laid_out(cell, width - 2 * pdf.CELL_PADDING)
            assert set(words) <= set(cell.text.split()), (cell.text, words)


def test_a_heading_is_never_left_at_the_foot_of_a_page(known_dataset, study):
    pdf._register_font()
    styles = pdf._styles()
    pages = {}

    class Recorder(SimpleDocTemplate):
        def afterFlowable(self, flowable):
            pages[id(flowable)] = self.page

    doc = Recorder(io.BytesIO(), pagesize=pdf.A4, leftMargin=pdf.MARGIN, rightMargin=pdf.MARGIN)
    title = pdf.heading("Wilcoxon", styles)
    table = pdf._table(pdf._wilcoxon_rows(compute_results(study)), styles)
    room = doc.height - 30  # a heading fits in the last 30 points, its table does not
    doc.build([Spacer(1, room), title, table])
    assert pages[id(title)] == 2
