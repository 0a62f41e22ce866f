"""What the safety app shows on the pages of the apps below it (trialsite.panels), registered in SafetyConfig.ready.

Open data queries on Today and the daily form; adverse events, queries and source verification on a
participant's page, her timeline and each of its days; open queries by site and age on the home page.

The panels of Today, the daily form and the participant's pages are written here, not by templates:
they are on the midwife's busiest pages. Each value is escaped with ``html.escape``, as Django's
``escape`` does; tests/safety/test_panels.py compares the bytes with what the templates wrote.
"""

from html import escape

from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext

from enrollment.models import at_sites, site_scope
from enrollment.visibility import view_for
from observations.safety import queries
from observations.safety.models import AdverseEvent, DataQuery, QueryStatus, SourceVerification
from observations.safety.templatetags.safety_tags import ae_term
from trialsite import panels
from trialsite.db.prepared import PreparedRead
from trialsite.roles import Capability, can

NOTHING = "\n"  # what the panels' templates wrote when there was nothing to show: the newline after {% endif %}
OPEN_QUERIES = (
    '\n<div class="alert alert-warning small" data-testid="open-queries">\n  <p class="fw-semibold mb-1">{}</p>\n'
    '  <ul class="mb-0 ps-3">\n    {}\n  </ul>\n</div>\n\n'
)
OPEN_QUERY = '<li data-testid="open-query"><a href="{}">{}{}</a>: {}</li>'
QUERY_DAY = " · {} {}"
ACTIONS = '<div class="d-flex flex-wrap gap-2 mb-2" data-testid="safety-actions">\n  {}\n  {}\n</div>\n{}\n{}\n'
AE_NEW = '<a class="btn btn-sm btn-outline-danger" href="{}" data-testid="ae-new">{}</a>'
QUERY_NEW = '<a class="btn btn-sm btn-outline-warning" href="{}" data-testid="query-new">{}</a>'
EVENTS = '<p class="small mb-2">{}:\n  {}</p>'
EVENT = '<a href="{}" class="badge {} text-decoration-none">{} {}</a> '
SERIOUS, NOT_SERIOUS = "text-bg-danger", "text-bg-light"
SHOWN_QUERIES = 50


def open_queries(context, participant=None, day=None) -> SafeString:
    """Open queries of the user's sites (Today), or of one participant or one participant's day (the form),
    for the roles that may read queries: their text can name a person.

    Written here rather than by a template, from values rather than instances: Today and the daily form
    show it on every request, mostly empty, and the template and the model instances were most of its cost.
    """
    user = context["request"].user
    if not can(user, Capability.READ_QUERIES):
        return mark_safe(NOTHING)
    about = {} if participant is None else {"participant": participant.pk}
    if day is not None:
        about["day"] = day
    rows = _OPEN_QUERIES.rows(**about, **site_scope(user))
    return mark_safe(_open_queries(rows) if rows else NOTHING)  # every value escaped by _open_queries


def _open_query_rows(participant: int | None = None, day: int | None = None, **scope):
    """The open queries at the sites of ``scope`` (enrollment.models.site_scope), of one participant and one of
    her days (or about no day) when given: built once per shape (trialsite.db.prepared)."""
    condition = Q(status=QueryStatus.OPEN)
    if participant is not None:
        condition &= Q(participant=participant)
    if day is not None:
        condition &= Q(day=day) | Q(day__isnull=True)
    found = at_sites(DataQuery.objects.filter(condition), "participant__site", **scope).order_by("raised_at", "pk")
    return found.values_list("pk", "participant__participant_id", "day", "text")[:SHOWN_QUERIES]


_OPEN_QUERIES = PreparedRead(_open_query_rows)


def _open_queries(rows: list[tuple]) -> str:
    """The list: (pk, participant ID, day or None, text) a query, the text cut at 80 as ``truncatechars`` does."""
    day = escape(gettext("day"))
    items = "".join(
        OPEN_QUERY.format(
            escape(reverse("safety:query_detail", args=[pk])), escape(participant_id),
            QUERY_DAY.format(day, query_day) if query_day else "", escape(Truncator(text).chars(80)),
        )
        for pk, participant_id, query_day, text in rows
    )  # fmt: skip
    heading = ngettext("%(n)s open data query", "%(n)s open data queries", len(rows)) % {"n": len(rows)}
    return OPEN_QUERIES.format(escape(heading), items)


def participant_actions(context, participant) -> SafeString:
    """On a participant's pages: enter an adverse event, raise a query, and her adverse events and open queries."""
    user = context["request"].user
    ae_new = query_new = ""
    if can(user, Capability.ENTER_ADVERSE_EVENTS):
        url = escape(reverse("safety:ae_new", args=[participant.pk]))
        ae_new = AE_NEW.format(url, escape(gettext("Adverse event")))
    if can(user, Capability.RAISE_QUERIES):
        url = escape(reverse("safety:query_new", args=[participant.pk]))
        query_new = QUERY_NEW.format(url, escape(gettext("Raise a query")))
    written = ACTIONS.format(ae_new, query_new, _events(context, participant), open_queries(context, participant))
    return mark_safe(written)  # every value escaped


def _events(context, participant) -> str:
    """Her adverse events, newest first: the onset as the viewer may see it (enrollment.visibility), and the term."""
    user = context["request"].user
    found = AdverseEvent.objects.for_user(user).filter(participant=participant).order_by("-onset_date", "-pk")
    events = list(found.only("pk", "serious", "onset_date", "term", "term_other"))
    if not events:
        return ""
    view = view_for(user, participant.study_id)
    links = "".join(
        EVENT.format(
            escape(reverse("safety:ae_detail", args=[event.pk])), SERIOUS if event.serious else NOT_SERIOUS,
            escape(view.when_text(participant, event.onset_date)), escape(ae_term(context, event)),
        )
        for event in events
    )  # fmt: skip
    return EVENTS.format(escape(gettext("Adverse events")), links)


def source_verifications(participant) -> dict:
    """{day: SourceVerification} of the participant's days (one query for the whole timeline)."""
    rows = SourceVerification.objects.filter(observation__participant=participant).select_related("observation")
    return {row.observation.day: row for row in rows}


SDV_MARK = '<span class="badge text-bg-info" data-testid="sdv-{}">{}</span>'
SDV_BUTTON = (
    '<form method="post" action="{}" class="d-inline"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
    '<button class="btn btn-sm btn-outline-info" type="submit" data-testid="source-verify-{}">{}</button></form>'
)
QUERY_LINK = '<a class="btn btn-sm btn-outline-warning" href="{}?day={}" data-testid="query-{}">{}</a>'


def day_actions(context, participant, item) -> SafeString:
    """Per day of the timeline: the source-verified mark, and for monitors and coordinators SDV and query buttons.

    Written here rather than by a template: the timeline shows it on every day. What the page asks once
    (the participant's verifications, the user's capabilities, the label) is kept in the render context.
    """
    page = _day_actions_page(context, participant)
    observation, sdv = item.observation, page["sdv"].get(item.day)
    parts = [format_html(SDV_MARK, item.day, page["label"])] if sdv else []
    if page["can_sdv"] and observation and not observation.is_missing and not sdv:
        action = reverse("safety:source_verify", args=[observation.pk])
        parts.append(format_html(SDV_BUTTON, action, context.get("csrf_token", ""), item.day, page["label"]))
    if page["can_query"] and observation:
        parts.append(format_html(QUERY_LINK, page["query_url"], item.day, item.day, gettext("Query")))
    return mark_safe("\n".join(parts))  # each part escaped by format_html


def _day_actions_page(context, participant) -> dict:
    key = ("safety.day_actions", participant.pk)
    if key not in context.render_context:
        user = context["request"].user
        context.render_context[key] = {
            "sdv": source_verifications(participant), "label": gettext("Source-verified"),
            "can_sdv": can(user, Capability.VERIFY_SOURCE), "can_query": can(user, Capability.RAISE_QUERIES),
            "query_url": reverse("safety:query_new", args=[participant.pk]),
        }  # fmt: skip
    return context.render_context[key]


def open_query_counts(context) -> dict:
    """Open queries by site and age, for the roles that raise them (coordinator's and monitor's home page)."""
    user = context["request"].user
    if not can(user, Capability.RAISE_QUERIES):
        return {"hidden": True}
    return {"counts": queries.open_counts_by_site_and_age(user), "bands": [b[2] for b in queries.AGE_BANDS]}


def register() -> None:
    panels.contribute("home", "safety/_query_counts.html", open_query_counts)
    panels.contribute_written("today", open_queries)
    panels.contribute_written("day_form", open_queries)
    panels.contribute_written("participant", participant_actions)
    panels.contribute_written("timeline_day", day_actions)
