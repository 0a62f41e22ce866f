"""``{% history_cards participant history %}``: the timeline's "Changes", a card per recorded change, written in Python.

Every save and every correction of a participant's days adds an entry, so the section grows with her
record. Written as template markup (a card, a table stacked by the ``cards`` filter, ``shown_date``
and ``shown_text``, three variables a change), it was over half of the timeline's CPU. Here what
the page asks once is asked once (the labels, the viewer's :class:`~enrollment.visibility.View`, the
table's markup as the ``cards`` filter labels it) and each entry is formatted directly. Values are
escaped as the template escaped them: text with ``html.escape`` (what Django's ``escape`` calls), any
other value localized first as ``{{ value }}`` does. Translated labels are written as
``{% translate %}`` writes them, unescaped (they come from our catalogs).
"""

from html import escape

from django import template
from django.template.base import render_value_in_context
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from enrollment.visibility import LEAST, WITHHELD, View, view_for
from trialsite.templatetags.tables import cards

register = template.Library()

ENTRY = (
    '\n<div class="card mb-2" data-testid="history-entry">\n'
    '  <div class="card-header small d-flex flex-wrap gap-2">\n'
    '    <span class="badge text-bg-secondary">{day_label} {day}</span>\n'
    "    <span>{at}</span>\n"
    "    <span>{user}</span>\n"
    "    {reason}\n"
    "  </div>\n"
    '  <div class="table-responsive">{table_open}{rows}{table_close}</div>\n'
    "</div>\n"
)
REASON = "<span>{label}: <strong>{text}</strong></span>"
EMPTY = '\n<p class="text-muted small">{}</p>\n'
NONE = "—"  # a field without a value (before the first entry, or emptied)
# The table of one entry with a placeholder row, labelled once a page by the ``cards`` filter and cut at the markers.
TABLE = (
    '<table class="table table-sm mb-0">\n'
    "    <thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n"
    '    <tbody>\0<tr><td>\1</td><td class="history-value">\1</td><td class="history-value">\1</td></tr>\0</tbody>\n'
    "  </table>"
)


@register.simple_tag(takes_context=True)
def history_cards(context, participant, history) -> str:
    """A card per entry of ``history`` (``observations.timeline.ShownEntry``), or the line saying there is none."""
    if not history:
        return mark_safe(EMPTY.format(gettext("No observations yet.")))
    page = _Page(context, participant)
    return mark_safe("".join(page.entry(shown) for shown in history))  # every value escaped in _Page


class _Page:
    """What every entry of one page shares, and how a value is written on it."""

    def __init__(self, context, participant):
        request = context.get("request")
        self.view: View = LEAST if request is None else view_for(request.user, participant.study_id)
        self.context, self.participant, self.dates, self.written = context, participant, {}, {}
        self.day_label, self.reason_label = gettext("Day"), gettext("Reason")
        self.nobody = gettext("outside the application")
        labels = (gettext("Field"), gettext("Old value"), gettext("New value"))
        self.table_open, row, self.table_close = cards(TABLE.format(*labels)).split("\0")
        self.cells = row.split("\1")

    def entry(self, shown) -> str:
        entry = shown.entry
        return ENTRY.format(
            day_label=self.day_label, day=self.value(shown.day), at=self.when(entry.at),
            user=self.value(entry.user) if entry.user else self.nobody,
            reason=REASON.format(label=self.reason_label, text=self.text(entry.reason)) if entry.reason else "",
            table_open=self.table_open, rows="".join(self.row(change) for change in shown.changes),
            table_close=self.table_close,
        )  # fmt: skip

    def row(self, change) -> str:
        label, old, new, end = self.cells
        return f"{label}{self.value(change.label)}{old}{self.shown(change.old)}{new}{self.shown(change.new)}{end}"

    def when(self, at) -> str:
        """``{% shown_date participant at %}``: entries saved together share the time, formatted once."""
        if at not in self.dates:
            self.dates[at] = escape(self.view.when_text(self.participant, at))
        return self.dates[at]

    def text(self, value) -> str:
        """``{% shown_text value %}``: free text, or a dash for a viewer who may not read it."""
        return escape(value or WITHHELD) if self.view.identified else WITHHELD

    def shown(self, value) -> str:
        """``{{ value|default_if_none:"—" }}``."""
        return NONE if value is None else self.value(value)

    def value(self, value) -> str:
        """``{{ value }}``: text escaped; numbers, dates and lazy text localized and escaped as the template does.

        Those are written once a page each: the same few counts, dates and field labels recur in every entry.
        A value's key is its type and ``repr``, not the value: ``Decimal("2.5") == Decimal("2.50")`` is written
        "2,5" and "2,50". A field's lazy label is one object in all of a history: its key is the object (kept
        alive by the history while the page is written), so it is translated once, not once an entry."""
        if type(value) is str:
            return escape(value)
        key = (Promise, id(value)) if isinstance(value, Promise) else (type(value), repr(value))
        if key not in self.written:
            self.written[key] = render_value_in_context(value, self.context)
        return self.written[key]
