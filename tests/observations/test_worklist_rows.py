"""Today's rows, written by ``{% worklist_items %}`` in Python for speed, are the rows the template wrote."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from enrollment.models import Arm, Participant, ParticipantStatus
from observations import services
from observations.rules import DayStatus
from observations.templatetags.worklist import NAME, ROW, worklist_items
from observations.worklist import UPCOMING_DAYS, days_of, worklist_for

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


def _worklist_from_model_instances(user, today):
    """Today's days as they were computed until its rows were read as values: model instances and ``days_of``."""
    participants = (
        Participant.objects.for_user(user)
        .filter(status=ParticipantStatus.ACTIVE, intervention_start__lte=today + timedelta(days=UPCOMING_DAYS))
        .select_related("study", "site", "arm")
        .order_by("site__code", "participant_id")
    )
    stored = {p.pk: {o.day: o for o in p.observations.all()} for p in participants}
    shown = {DayStatus.DUE: [], DayStatus.OVERDUE: [], DayStatus.UPCOMING: []}
    for participant in participants:
        for item in days_of(participant, stored[participant.pk], today):
            if item.status in shown and item.target <= today + timedelta(days=UPCOMING_DAYS):
                shown[item.status].append(_shown(item))
    return shown[DayStatus.DUE], shown[DayStatus.OVERDUE], shown[DayStatus.UPCOMING]


def _shown(item):
    """What Today shows of a day: its form's participant, her ID, name, site, arm label, the day and its date."""
    p = item.participant
    return (p.pk, p.participant_id, p.full_name, p.site.code, p.arm.label, item.day, item.target, item.status)


@pytest.mark.parametrize("language", ["id", "en"])
def test_todays_days_read_as_values_are_those_of_the_model_instances(
    make_participant, record, today, cast, site_par, arm_massage, language
):
    """Entered, missing and unrecorded days, several sites and arms (one without an English label), mothers who
    left or start later: the one aggregated query gives every row and status the instances gave."""
    first = make_participant(full_name="Dewi")
    record(first, 1)
    record(first, 2, missing_reason="refused")
    second = make_participant(arm=arm_massage, start=today - timedelta(days=6))
    for day in (1, 3, 5):
        record(second, day)
    record(second, 6, missing_reason="refused")
    make_participant(start=today)
    make_participant(start=today + timedelta(days=UPCOMING_DAYS))
    make_participant(start=today + timedelta(days=UPCOMING_DAYS + 1))  # not on Today yet
    make_participant(start=today - timedelta(days=20))  # her days are past: every one overdue
    make_participant(site=site_par)  # another site: her midwife's and the coordinator's
    left = make_participant(start=today - timedelta(days=2))
    Participant.objects.filter(pk=left.pk).update(status=ParticipantStatus.WITHDRAWN, status_date=today)
    Arm.objects.filter(pk=arm_massage.pk).update(label_en="")
    for username in ("midwife.srp1", "midwife.par", "coordinator"):
        user = cast[username]
        with translation.override(language):
            worklist = worklist_for(user, today)
            got = (
                [_shown(i) for i in worklist.due],
                [_shown(i) for i in worklist.overdue],
                [_shown(i) for i in worklist.upcoming],
            )
            assert got == _worklist_from_model_instances(user, today)
        assert any(got)
    srp1 = worklist_for(cast["midwife.srp1"], today)
    assert {i.participant.pk for i in srp1.due + srp1.overdue + srp1.upcoming}.isdisjoint({left.pk})
    assert [(i.day, i.status) for i in srp1.overdue if i.participant.pk == first.pk] == [(3, DayStatus.OVERDUE)]


def test_today_reads_its_rows_in_one_query_whatever_their_number(make_participant, today, cast):
    make_participant()
    worklist_for(cast["midwife.srp1"], today)  # her roles, read once per user
    with CaptureQueriesContext(connection) as one:
        worklist_for(cast["midwife.srp1"], today)
    for _ in range(5):
        make_participant()
    with CaptureQueriesContext(connection) as six:
        assert len(worklist_for(cast["midwife.srp1"], today).due) == 6
    assert len(one) == len(six) == 1
