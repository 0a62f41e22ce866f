"""``{% worklist_items items %}``: the rows of a section of Today, written in Python.

Today lists every due, overdue and coming-up day a midwife can see: 120 rows and more at a site of
250 mothers. Written as template markup, each row cost about 0.2 ms of CPU (a URL reversed, a date
formatted, a dozen variable look-ups), two thirds of the page's time. Here a row costs a few
microseconds: the form's address is reversed once per page, each date is formatted once, and every
value is escaped as the template escaped it (Django's ``escape`` is ``html.escape``; ``format_html``'s
checks for lazy text and safe strings cost more than the row itself, so the row is formatted directly).
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()

# The form's address, the participant ID, her name (or nothing), site, arm, "Day", the day, its target date.
ROW = (
    '<a class="list-group-item list-group-item-action d-flex justify-content-between align-items-center gap-2" '
    'href="{}" data-testid="worklist-item"><span><strong>{}</strong>{}'
    '<span class="small text-muted d-block">{} · {}</span></span>'
    '<span class="text-end small">{} {}<span class="d-block text-muted">{}</span></span></a>'
)
NAME = ' · <span data-testid="worklist-name">{}</span>'
_PK, _DAY = 918273645, 546372819  # placeholders of the reversed form address, replaced per row


@register.simple_tag
def worklist_items(items) -> str:
    """The list-group rows of ``items`` (worklist DayItems): each links to the day's form."""
    form_url = reverse("observations:form", args=(_PK, _DAY))
    day_label = escape(gettext("Day"))
    dates: dict = {}
    rows = []
    for item in items:
        participant = item.participant
        if item.target not in dates:
            dates[item.target] = escape(date_format(item.target, "SHORT_DATE_FORMAT"))
        rows.append(ROW.format(
            escape(form_url.replace(str(_PK), str(participant.pk)).replace(str(_DAY), str(item.day))),
            escape(participant.participant_id),
            NAME.format(escape(participant.full_name)) if participant.full_name else "",
            escape(participant.site.code), escape(str(participant.arm.label)), day_label, item.day, dates[item.target],
        ))  # fmt: skip
    return mark_safe("\n".join(rows))  # every value above is escaped
