"""The timeline's "Changes", written by ``{% history_cards %}`` in Python, are the bytes the template wrote."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from enrollment.models import StudyControl
from observations import services
from observations.models import MissingReason, Observation
from observations.timeline import ShownEntry, timeline_context
from trialsite.audit import Change, HistoryEntry

pytestmark = pytest.mark.django_db

# The section of observations/timeline.html as it was before its entries were written in Python.
TEMPLATE = engines["django"].from_string("""{% load i18n shown tables %}\
{% for shown in history %}{% with entry=shown.entry day=shown.day %}
<div class="card mb-2" data-testid="history-entry">
  <div class="card-header small d-flex flex-wrap gap-2">
    <span class="badge text-bg-secondary">{% translate "Day" %} {{ day }}</span>
    <span>{% shown_date participant entry.at %}</span>
    <span>{% if entry.user %}{{ entry.user }}{% else %}{% translate "outside the application" %}{% endif %}</span>
    {% if entry.reason %}<span>{% translate "Reason" %}: <strong>{% shown_text entry.reason %}</strong></span>{% endif %}
  </div>
  <div class="table-responsive">{% filter cards %}<table class="table table-sm mb-0">
    <thead><tr><th>{% translate "Field" %}</th><th>{% translate "Old value" %}</th><th>{% translate "New value" %}</th></tr></thead>
    <tbody>{% for change in shown.changes %}<tr><td>{{ change.label }}</td><td class="history-value">{{ change.old|default_if_none:"—" }}</td><td class="history-value">{{ change.new|default_if_none:"—" }}</td></tr>{% endfor %}</tbody>
  </table>{% endfilter %}</div>
</div>
{% endwith %}{% empty %}
<p class="text-muted small">{% translate "No observations yet." %}</p>
{% endfor %}""")  # noqa: E501
WRITTEN = engines["django"].from_string("{% load history_cards %}{% history_cards participant history %}")

NOTES = 'Ibu <b>Dewi</b> "sehat" & Nur\'aini'
REASON = "Salah <i>tulis</i> \"berat\" & 'x'"
MARKUP = '<script>alert("x")</script> & Nur\'aini'


@pytest.fixture
def corrected(participant, record, good_values, midwife_srp1, coordinator, study):
    """In a masked study: first entries, corrections by a user and from outside, a missing day, a verified day."""
    StudyControl.objects.update_or_create(study=study, defaults={"outcome_masking": True})
    first = record(participant, 1, notes=NOTES)
    values = {**good_values(participant, 1, feeds_24h=5, sleep_after_feed_hours="3.5"), "breast_full_then_soft": False}
    services.correct_observation(
        observation=first, values={**values, "notes": NOTES}, by=midwife_srp1, reason=REASON,
        expected_version=first.version,
    )  # fmt: skip
    with connection.cursor() as cursor:  # a change made outside the application (psql): no user, no reason
        # The test is one transaction: the service's context would still be attached, as it never is in psql.
        cursor.execute("SELECT set_config('pghistory.context_id', '', true)")
        cursor.execute("UPDATE observations_observation SET notes = %s WHERE id = %s", [MARKUP, first.pk])
    record(participant, 2, missing_reason=MissingReason.REFUSED)
    third = record(participant, 3, notes="")
    services.verify_observations(observations=Observation.objects.filter(pk=third.pk), by=coordinator)
    return participant


def _section(template, user, participant, history) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return template.render({"participant": participant, "history": history}, request)


def _history(user, participant) -> list[ShownEntry]:
    """The participant's history as the timeline shows it to ``user``, after an entry holding markup in every value."""
    history = timeline_context(user, participant)["history"]
    crafted = HistoryEntry(
        at=timezone.now() + timedelta(minutes=1), label="update", user=MARKUP, reason=MARKUP, url="",
        changes=[],
    )  # fmt: skip
    changes = [Change("notes", MARKUP, MARKUP, None), Change("feeds_24h", "Feeds", None, 1234)]
    return [ShownEntry(9, crafted, changes), *history]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("username", ["midwife.srp1", "coordinator", "investigator"])
def test_the_changes_are_the_bytes_the_template_wrote(cast, corrected, username, language):
    user = cast[username]
    with translation.override(language):
        history = _history(user, corrected)
        expected = _section(TEMPLATE, user, corrected, history)
        written = _section(WRITTEN, user, corrected, history)
    assert written == expected
    assert written.count('data-testid="history-entry"') == len(history) >= 6
    assert written.count('<td class="history-value"') == 2 * sum(len(shown.changes) for shown in history)


def test_every_value_is_escaped(cast, corrected):
    written = _section(WRITTEN, cast["coordinator"], corrected, _history(cast["coordinator"], corrected))
    assert "<script>" not in written
    assert "<b>" not in written
    assert "<i>" not in written
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Nur&#x27;aini"
    assert written.count(escaped) == 5  # the crafted user, reason, label, old value; the outside change's new value
    assert "Salah &lt;i&gt;tulis&lt;/i&gt; &quot;berat&quot; &amp; &#x27;x&#x27;" in written
    assert "Ibu &lt;b&gt;Dewi&lt;/b&gt; &quot;sehat&quot; &amp; Nur&#x27;aini" in written


def test_a_de_identified_viewer_sees_days_from_day_1_and_no_free_text(cast, corrected):
    with translation.override("en"):
        history = timeline_context(cast["investigator"], corrected)["history"]
        written = _section(WRITTEN, cast["investigator"], corrected, history)
    assert "Nur" not in written
    assert "Salah" not in written
    assert "day 1 +" in written
    assert "outside the application" in written


def test_no_history_is_said_so(cast, participant):
    with translation.override("id"):
        written = _section(WRITTEN, cast["coordinator"], participant, [])
        assert written == _section(TEMPLATE, cast["coordinator"], participant, [])
    assert "Belum ada observasi." in written


@pytest.mark.parametrize("username", ["midwife.srp1", "investigator"])
def test_the_timeline_page_shows_the_changes_as_the_template_wrote_them(client_for, cast, corrected, username):
    response = client_for(username).get(reverse("observations:timeline", args=[corrected.pk]))
    page = response.content.decode()
    request = response.wsgi_request
    with translation.override(request.LANGUAGE_CODE):
        expected = TEMPLATE.render({"participant": corrected, "history": response.context["history"]}, request)
    assert expected.count('data-testid="history-entry"') >= 5
    assert expected in page
