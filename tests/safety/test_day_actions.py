"""The timeline's per-day safety actions, written in Python for speed, are what their template wrote."""

import pytest
from django.template import Context, engines
from django.test import RequestFactory
from django.test.html import parse_html
from django.utils import translation

from observations.models import MissingReason, Observation
from observations.safety import monitoring
from observations.safety.models import SourceVerification
from observations.safety.panels import day_actions
from observations.services import local_today
from observations.timeline import days_of
from trialsite.roles import Capability, can

pytestmark = pytest.mark.django_db

# safety/_day_actions.html, as the timeline rendered it on each day before the panel was written in Python.
TEMPLATE = engines[
    "django"
].from_string("""{% load i18n %}{% if sdv %}<span class="badge text-bg-info" data-testid="sdv-{{ item.day }}">{% translate "Source-verified" %}</span>{% endif %}
{% if can_sdv and item.observation and not item.observation.is_missing and not sdv %}
<form method="post" action="{% url 'safety:source_verify' item.observation.pk %}" class="d-inline">{% csrf_token %}
  <button class="btn btn-sm btn-outline-info" type="submit" data-testid="source-verify-{{ item.day }}">{% translate "Source-verified" %}</button></form>{% endif %}
{% if can_query and item.observation %}<a class="btn btn-sm btn-outline-warning" href="{% url 'safety:query_new' participant.pk %}?day={{ item.day }}" data-testid="query-{{ item.day }}">{% translate "Query" %}</a>{% endif %}""")  # noqa: E501


@pytest.fixture
def days(participant, record, monitor):
    record(participant, 1)
    record(participant, 2, missing_reason=MissingReason.REFUSED)
    monitoring.source_verify(observation=record(participant, 3), by=monitor)
    observations = {o.day: o for o in Observation.objects.filter(participant=participant)}
    return days_of(participant, observations, local_today())


def _written_and_expected(user, participant, days):
    request = RequestFactory().get("/")
    request.user = user
    context = Context({"request": request, "csrf_token": "a-token"})
    rows = SourceVerification.objects.filter(observation__participant=participant).select_related("observation")
    verified = {row.observation.day: row for row in rows}
    for item in days:
        expected = TEMPLATE.render({
            "participant": participant, "item": item, "sdv": verified.get(item.day), "csrf_token": "a-token",
            "can_sdv": can(user, Capability.VERIFY_SOURCE), "can_query": can(user, Capability.RAISE_QUERIES),
        })  # fmt: skip
        yield day_actions(context, participant, item), expected


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("username", ["midwife.srp1", "monitor.srp1", "coordinator"])
def test_each_days_actions_are_what_the_template_wrote(cast, participant, days, username, language):
    with translation.override(language):
        pairs = list(_written_and_expected(cast[username], participant, days))
    for written, expected in pairs:
        assert parse_html(written) == parse_html(expected)
    written = "".join(written for written, _expected in pairs)
    assert 'data-testid="sdv-3"' in written
    assert ("source-verify-1" in written) == (username != "midwife.srp1")
    assert "source-verify-2" not in written
    assert "source-verify-3" not in written


def test_the_timeline_shows_a_monitor_the_buttons_with_the_pages_token(client_for, participant, days, monitor):
    page = client_for("monitor.srp1").get(f"/observations/participant/{participant.pk}/").content.decode()
    assert 'data-testid="source-verify-1"' in page
    assert 'data-testid="query-2"' in page
    assert 'data-testid="sdv-3"' in page
    form = page[page.index("/safety/") - 200 : page.index('data-testid="source-verify-1"')]
    assert 'name="csrfmiddlewaretoken" value="' in form
