"""Tables that become cards on a phone: ``{% filter cards %}<table>…</table>{% endfilter %}``.

Below the ``sm`` breakpoint (static/css/trialsite.css, ``.table-cards``) each row is shown as a
card and each cell as a line "label: value", so no column is ever off-screen. The filter gives
every body cell its column's header as ``data-label``, so a template writes its table once, as an
ordinary table. Cells spanning several columns (an empty-list message) get no label.
"""

import re
from html import unescape

from django import template
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

register = template.Library()

TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
TABLE_TAG = re.compile(r"<table\b([^>]*)>")
THEAD = re.compile(r"<thead\b[^>]*>(.*?)</thead>", re.S)
TBODY = re.compile(r"(<tbody\b[^>]*>)(.*?)(</tbody>)", re.S)
ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.S)
HEADER_CELL = re.compile(r"<th\b([^>]*)>(.*?)</th>", re.S)
CELL_TAG = re.compile(r"<(td|th)\b([^>]*)>")
COLSPAN = re.compile(r"""\bcolspan=["']?(\d+)""")
ROWSPAN = re.compile(r"""\browspan=["']?(\d+)""")


@register.filter(is_safe=True)
def cards(html: str) -> str:
    """``html`` with every table that has a header row marked up to stack as cards on a phone."""
    return mark_safe(TABLE.sub(lambda match: _card_table(match.group(0)), str(html)))


def _card_table(table: str) -> str:
    head = THEAD.search(table)
    if not head:
        return table
    labels = _column_labels((ROW.findall(head.group(1)) or [head.group(1)])[-1])
    body = TBODY.sub(lambda m: m.group(1) + _label_rows(m.group(2), labels) + m.group(3), table)
    return TABLE_TAG.sub(_add_class, body, count=1)


def _column_labels(header_row: str) -> list[str]:
    labels = []
    for attrs, content in HEADER_CELL.findall(header_row):
        text = " ".join(unescape(strip_tags(content)).split())
        labels += [text] * _span(COLSPAN, attrs)
    return labels


def _label_rows(body: str, labels: list[str]) -> str:
    """Each cell labelled by the column it sits in, counting colspans and rowspans from rows above."""
    held: dict[int, int] = {}  # column -> rows still covered by a rowspan from above
    escaped = [escape(text) for text in labels]  # once a table, not once a cell

    def label_row(row: re.Match) -> str:
        column = 0

        def label(match: re.Match) -> str:
            nonlocal column
            while held.get(column):
                column += 1
            tag, attrs = match.groups()
            span, index = _span(COLSPAN, attrs), column
            for covered in range(index, index + span):
                held[covered] = _span(ROWSPAN, attrs)
            column += span
            if span > 1 or index >= len(labels) or not labels[index] or "data-label" in attrs:
                return match.group(0)
            return f'<{tag}{attrs} data-label="{escaped[index]}">'

        labelled = CELL_TAG.sub(label, row.group(0))
        for covered in list(held):
            held[covered] -= 1
        return labelled

    return ROW.sub(label_row, body)


def _span(pattern: re.Pattern, attrs: str) -> int:
    found = pattern.search(attrs)
    return int(found.group(1)) if found else 1


def _add_class(match: re.Match) -> str:
    attrs = match.group(1)
    if 'class="' in attrs:
        return "<table" + attrs.replace('class="', 'class="table-cards ', 1) + ">"
    return f'<table class="table-cards"{attrs}>'
