"""The safety panels of Today, the daily form and a participant's pages, written in Python for speed, write
byte for byte what their templates wrote, escape every value, and ask one query a list."""

import html
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.template import engines
from django.test import RequestFactory
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.formats import reset_format_cache
from django.utils.safestring import mark_safe

from observations.safety import queries
from observations.safety.models import AdverseEvent, DataQuery, QueryStatus
from trialsite.roles import Capability, can

pytestmark = pytest.mark.django_db

# safety/_open_queries.html, as Today, the daily form and the participant's pages rendered it before the panel
# was written in Python.
OPEN_QUERIES = engines["django"].from_string("""{% load i18n %}{% if queries %}
<div class="alert alert-warning small" data-testid="open-queries">
  <p class="fw-semibold mb-1">{% blocktranslate count n=queries|length %}{{ n }} open data query{% plural %}{{ n }} open data queries{% endblocktranslate %}</p>
  <ul class="mb-0 ps-3">
    {% for q in queries %}<li data-testid="open-query"><a href="{% url 'safety:query_detail' q.pk %}">{{ q.participant.participant_id }}{% if q.day %} · {% translate "day" %} {{ q.day }}{% endif %}</a>: {{ q.text|truncatechars:80 }}</li>{% endfor %}
  </ul>
</div>
{% endif %}
""")  # noqa: E501

# safety/_participant_actions.html; its last line was {% open_queries participant %}, the template above.
PARTICIPANT_ACTIONS = engines["django"].from_string("""{% load i18n safety_tags shown %}<div class="d-flex flex-wrap gap-2 mb-2" data-testid="safety-actions">
  {% if can_enter_ae %}<a class="btn btn-sm btn-outline-danger" href="{% url 'safety:ae_new' participant.pk %}" data-testid="ae-new">{% translate "Adverse event" %}</a>{% endif %}
  {% if can_query %}<a class="btn btn-sm btn-outline-warning" href="{% url 'safety:query_new' participant.pk %}" data-testid="query-new">{% translate "Raise a query" %}</a>{% endif %}
</div>
{% if events %}<p class="small mb-2">{% translate "Adverse events" %}:
  {% for e in events %}<a href="{% url 'safety:ae_detail' e.pk %}" class="badge {% if e.serious %}text-bg-danger{% else %}text-bg-light{% endif %} text-decoration-none">{% shown_date e.participant e.onset_date %} {% ae_term e %}</a> {% endfor %}</p>{% endif %}
{{ open_queries }}
""")  # noqa: E501

# The slots as the pages name them (observations/today.html, form.html, timeline.html).
PAGES = {
    "today": engines["django"].from_string('{% load panels %}{% panels "today" %}'),
    "day_form": engines["django"].from_string('{% load panels %}{% panels "day_form" participant day %}'),
    "participant": engines["django"].from_string('{% load panels %}{% panels "participant" participant %}'),
}
MARKUP = """<b>&"'"""
# Past 80 characters: markup before the cut, "<" as the last character kept and "&" as the first one cut.
LONG = 'Feeds 40 but the mother\'s <b>"paper"</b> sheet says 10 & the notes say 12'.ljust(78, ".") + "<&> <i>x</i>"


@pytest.fixture
def mother(make_participant):
    """An SRP1 participant whose ID carries markup (IDs are checked on entry, not in the database)."""
    return make_participant(participant_id=f"SRP1-{MARKUP}")


@pytest.fixture
def open_queries(mother, participant, par_participant, make_query, midwife_srp1):
    """Open queries with and without a day, long, exactly 80 characters, decomposed, with markup; one answered."""
    make_query(mother, day=2, field_name="feeds_24h", text=LONG)
    make_query(mother, text=f"Is the enrolment date right? It's {MARKUP} odd")
    make_query(mother, day=3, text="Cafe\u0301 visit on day 3: " + "a" * 56 + " &")
    make_query(participant, day=1, text="x" * 78 + " &")
    make_query(par_participant, text="A question at the other site")
    queries.answer_query(query=make_query(mother, day=2, text="Answered already"), by=midwife_srp1, answer="Yes")


@pytest.fixture
def events(mother, make_event, today):
    """A mild event, and a serious one of another kind whose description carries markup."""
    make_event(mother, onset_date=today - timedelta(days=2))
    make_event(
        mother, onset_date=today - timedelta(days=1), term="other", term_other=f"Abscess {MARKUP}",
        subject="infant", severity="severe", serious_hospitalisation=True, action_taken="referred", outcome="ongoing",
    )  # fmt: skip


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def _template_queries(user, participant=None, day=None) -> list:
    """What the panel's context function gave the template (safety/panels.py before it wrote the panel), for
    the viewers who may read queries: it gave them to anyone who could open the page."""
    if not can(user, Capability.READ_QUERIES):
        return []
    found = DataQuery.objects.for_user(user).filter(status=QueryStatus.OPEN).select_related("participant")
    if participant is not None:
        found = found.filter(participant=participant)
    if day is not None:
        found = found.filter(Q(day=day) | Q(day__isnull=True))
    return list(found.order_by("raised_at")[:50])


def _template_actions(user, participant, request) -> str:
    shown = _template_queries(user, participant)
    events = AdverseEvent.objects.for_user(user).filter(participant=participant).order_by("-onset_date")
    return PARTICIPANT_ACTIONS.render({
        "participant": participant, "events": list(events),
        "can_enter_ae": can(user, Capability.ENTER_ADVERSE_EVENTS), "can_query": can(user, Capability.RAISE_QUERIES),
        "open_queries": mark_safe(OPEN_QUERIES.render({"queries": shown}, request)),
    }, request)  # fmt: skip


def _written_and_expected(user, slot, participant=None, day=None) -> tuple[str, str]:
    request = _request(user)
    written = PAGES[slot].render({"participant": participant, "day": day}, request)
    if slot == "participant":
        return written, _template_actions(user, participant, request)
    return written, OPEN_QUERIES.render({"queries": _template_queries(user, participant, day)}, request)


SLOTS = [("today", False, None), ("day_form", True, 2), ("day_form", True, 4), ("participant", True, None)]


@pytest.mark.usefixtures("open_queries", "events")
@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("username", ["midwife.srp1", "monitor.srp1", "coordinator", "investigator"])
@pytest.mark.parametrize(("slot", "of_mother", "day"), SLOTS)
def test_each_panel_writes_what_its_template_wrote(cast, monitor, mother, slot, of_mother, day, username, language):
    with translation.override(language):
        written, expected = _written_and_expected(cast[username], slot, mother if of_mother else None, day)
    assert written == expected
    assert MARKUP not in written
    assert "<i>" not in written


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("username", ["midwife.srp1", "monitor.srp1", "coordinator", "investigator"])
@pytest.mark.parametrize(("slot", "of_mother", "day"), SLOTS)
def test_with_nothing_to_show_each_panel_writes_what_its_template_wrote(
    cast, monitor, participant, slot, of_mother, day, username, language
):
    with translation.override(language):
        written, expected = _written_and_expected(cast[username], slot, participant if of_mother else None, day)
    assert written == expected
    assert "open-quer" not in written


@pytest.mark.usefixtures("open_queries", "events")
def test_the_panels_show_what_they_show(cast, monitor, mother):
    """What the byte comparison above compares, read once by eye: escaped, truncated, in the viewer's terms."""
    with translation.override("en"):
        coordinator, _expected = _written_and_expected(cast["coordinator"], "participant", mother)
        investigator, _expected = _written_and_expected(cast["investigator"], "participant", mother)
        today, _expected = _written_and_expected(cast["midwife.srp1"], "today")
    assert "SRP1-&lt;b&gt;&amp;&quot;&#x27; · day 2</a>: Feeds 40 but the mother&#x27;s &lt;b&gt;&quot;paper" in today
    assert f"{html.escape(LONG[:79])}…</li>" in today
    assert "Café visit" in today
    assert "x" * 78 + " &amp;</li>" in today
    assert "4 open data queries" in today
    assert "other site" not in today
    assert 'data-testid="ae-new"' in coordinator
    assert 'data-testid="query-new"' in coordinator
    assert "text-bg-danger" in coordinator
    assert "text-bg-light" in coordinator
    assert "Abscess &lt;b&gt;&amp;&quot;&#x27;</a>" in coordinator
    assert "Abscess" not in investigator
    assert "day 1 +1 Breast engorgement</a>" in investigator


def test_a_viewer_who_may_not_read_queries_is_not_shown_them(client_for, participant, make_query):
    """An investigator reads the participant's pages de-identified and may not read queries: a query's
    text can name a person, and the list named the participant by her ID."""
    make_query(participant, day=2, text="Is Siti's count right?")
    for path in (f"/observations/participant/{participant.pk}/", f"/enrollment/participants/{participant.pk}/"):
        response = client_for("investigator").get(path)
        page = response.content.decode()
        assert response.status_code == 200
        assert "Siti" not in page
        assert 'data-testid="open-queries"' not in page
        assert participant.participant_id not in page


@pytest.mark.usefixtures("open_queries")
@pytest.mark.parametrize(("slot", "day", "asked"), [("today", None, 1), ("day_form", 2, 1), ("participant", None, 2)])
def test_a_panel_renders_no_template_and_asks_one_query_a_list(cast, mother, make_event, today, slot, day, asked):
    midwife = cast["midwife.srp1"]
    can(midwife, Capability.READ_QUERIES)  # the roles are read once a request, before the panels
    rendered = []

    def seen(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(seen)
    try:
        for n in range(3):
            with CaptureQueriesContext(connection) as captured:
                PAGES[slot].render({"participant": mother, "day": day}, _request(midwife))
            assert len(captured) == asked, [q["sql"] for q in captured]
            make_event(mother, onset_date=today - timedelta(days=n))
    finally:
        template_rendered.disconnect(seen)
    assert [name for name in rendered if name] == []


@pytest.fixture
def markup_date_formats(settings):
    """English dates written with markup characters (Django's format cache does not follow FORMAT_MODULE_PATH)."""
    settings.FORMAT_MODULE_PATH = ["tests.safety.markup_formats"]
    reset_format_cache()
    yield
    reset_format_cache()


@pytest.mark.usefixtures("events", "markup_date_formats")
def test_a_date_is_escaped_in_whatever_format_the_reader_has(cast, mother):
    with translation.override("en"):
        written, expected = _written_and_expected(cast["coordinator"], "participant", mother)
    assert written == expected
    assert "&lt;b&gt;&amp;&#x27;20" in written
