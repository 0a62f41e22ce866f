"""What the safety app shows on the pages of the apps below it (trialsite.panels), registered in SafetyConfig.ready.

Open data queries on Today and the daily form; adverse events, queries and source verification on a
participant's page, her timeline and each of its days; open queries by site and age on the home page.
"""

from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from observations.safety import queries
from observations.safety.models import AdverseEvent, DataQuery, QueryStatus, SourceVerification
from trialsite import panels
from trialsite.roles import Capability, can


def open_queries(context, participant=None, day=None) -> dict:
    """Open queries of the user's sites (Today), or of one participant or one participant's day (the form)."""
    user = context["request"].user
    found = DataQuery.objects.for_user(user).filter(status=QueryStatus.OPEN).select_related("participant")
    if participant is not None:
        found = found.filter(participant=participant)
    if day is not None:
        found = found.filter(Q(day=day) | Q(day__isnull=True))
    return {"queries": list(found.order_by("raised_at")[:50]), "request": context["request"]}


def participant_actions(context, participant) -> dict:
    """On a participant's pages: enter an adverse event, raise a query, and her open queries and events."""
    user = context["request"].user
    return {
        "participant": participant, "request": context["request"],
        "can_enter_ae": can(user, Capability.ENTER_ADVERSE_EVENTS), "can_query": can(user, Capability.RAISE_QUERIES),
        "events": list(AdverseEvent.objects.for_user(user).filter(participant=participant).order_by("-onset_date")),
    }  # fmt: skip


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
    panels.contribute("today", "safety/_open_queries.html", open_queries)
    panels.contribute("day_form", "safety/_open_queries.html", open_queries)
    panels.contribute("participant", "safety/_participant_actions.html", participant_actions)
    panels.contribute_written("timeline_day", day_actions)
