"""Today's rows, written by ``{% worklist_items %}`` in Python for speed, are the rows the template wrote."""

from datetime import timedelta

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from observations import services
from observations.templatetags.worklist import NAME, ROW, worklist_items
from observations.worklist import worklist_for

pytestmark = pytest.mark.django_db

# The markup of a row as _worklist_section.html wrote it before the rows moved into the tag.
TEMPLATE_ROWS = """{% load i18n %}{% for item in items %}
    <a class="list-group-item list-group-item-action d-flex justify-content-between align-items-center gap-2"
       href="{% url 'observations:form' item.participant.pk item.day %}" data-testid="worklist-item">
      <span><strong>{{ item.participant.participant_id }}</strong>{% if item.participant.full_name %} ·
        <span data-testid="worklist-name">{{ item.participant.full_name }}</span>{% endif %}
        <span class="small text-muted d-block">{{ item.participant.site.code }} ·
        {{ item.participant.arm.label }}</span></span>
      <span class="text-end small">{% translate "Day" %} {{ item.day }}<span class="d-block text-muted">
        {{ item.target|date:"SHORT_DATE_FORMAT" }}</span></span>
    </a>{% endfor %}"""


def _format_html_rows(items) -> str:
    """The rows as the tag wrote them with ``format_html_join`` before it formatted them directly."""
    return format_html_join("\n", ROW, [(
        reverse("observations:form", args=(item.participant.pk, item.day)), item.participant.participant_id,
        format_html(NAME, item.participant.full_name) if item.participant.full_name else "",
        item.participant.site.code, item.participant.arm.label, gettext("Day"), item.day,
        date_format(item.target, "SHORT_DATE_FORMAT"),
    ) for item in items])  # fmt: skip


def _squeezed(html: str) -> str:
    return "".join(html.split())


@pytest.fixture
def items(make_participant, today, cast):
    make_participant(full_name='Siti <script>alert("x")</script> & "Dewi"')
    make_participant(full_name="Nur'aini <b>")
    make_participant(start=today - timedelta(days=1))
    make_participant(start=today + timedelta(days=1))
    worklist = worklist_for(cast["midwife.srp1"], services.local_today())
    return worklist.due + worklist.overdue + worklist.upcoming


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_rows_are_the_rows_the_template_wrote(items, language):
    with translation.override(language):
        expected = engines["django"].from_string(TEMPLATE_ROWS).render({"items": items})
        assert _squeezed(worklist_items(items)) == _squeezed(expected)
    assert len(items) > 3


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_rows_are_exactly_those_format_html_wrote(items, language):
    """Formatted directly, without ``format_html``'s per-value checks: the same bytes, every value escaped alike."""
    with translation.override(language):
        assert worklist_items(items) == _format_html_rows(items)
    assert "Nur&#x27;aini &lt;b&gt;" in worklist_items(items)


def test_a_name_with_markup_is_escaped_on_today(items, client_for):
    page = client_for("midwife.srp1").get("/observations/today/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Dewi&quot;" in page
    assert "<script>alert" not in page
