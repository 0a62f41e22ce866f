"""``{% field_group %}`` writes a field as crispy's ``|as_crispy_field`` did: same elements, attributes and text."""

import datetime

import pytest
from django.template import engines
from django.test.html import parse_html
from django.utils import translation

from enrollment.models import AdherenceKind
from observations.forms import ObservationForm
from trialsite.templatetags.fields import field_group

CRISPY = engines["django"].from_string("{% load crispy_forms_tags %}{{ field|as_crispy_field }}")
OURS = engines["django"].from_string("{% load fields %}{% field_group field %}")
ENTERED = {
    "idempotency_key": "not a uuid",
    "observed_on": "2026-11-30",
    "feeds_24h": "99",
    "wet_diapers_24h": "<b>7</b>",
    "sleep_after_feed_hours": "2.5",
    "breast_full_then_soft": "maybe",
    "adherence": "yes",
    "massage_minutes": "-3",
    "missing_reason": "lost",
    "notes": 'Bu "Siti" <script>alert(1)</script> & co',
    "deviation_reason": "",
}
STORED = {"observed_on": datetime.date(2026, 11, 29), "feeds_24h": 8, "breast_full_then_soft": "no", "notes": "<i>",
          "missing_reason": "refused", "sleep_after_feed_hours": 2.5}  # fmt: skip


def _forms():
    for adherence in (AdherenceKind.DOSE, AdherenceKind.MASSAGE):
        yield ObservationForm(adherence=adherence, editing=False)
        yield ObservationForm(initial=STORED, adherence=adherence, editing=True)
        bound = ObservationForm(ENTERED, adherence=adherence, editing=True)
        bound.is_valid()
        bound.add_error("breast_full_then_soft", "A second <message> for the radio buttons")
        bound.add_error("missing_reason", "Another message")
        yield bound


def _pairs():
    for form in _forms():
        for field in form:
            yield field, CRISPY.render({"field": field}), OURS.render({"field": field})


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_daily_form_field_is_written_as_crispy_wrote_it(language):
    with translation.override(language):
        pairs = list(_pairs())
    for field, crispy, ours in pairs:
        assert parse_html(ours) == parse_html(crispy), field.name
    written = "".join(ours for _field, _crispy, ours in pairs)
    assert written.count("is-invalid") >= 8
    assert "aria-describedby" in written
    assert "<legend" in written
    assert " selected" in written
    assert " checked" in written


def test_values_and_messages_with_markup_are_escaped():
    form = ObservationForm(ENTERED, adherence=AdherenceKind.DOSE, editing=True)
    form.add_error("notes", "A <b>bold</b> message")
    html = field_group(form["notes"]) + field_group(form["wet_diapers_24h"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "<script>" not in html
    assert "A &lt;b&gt;bold&lt;/b&gt; message" in html
    assert "&lt;b&gt;7&lt;/b&gt;" in html
