"""What the safety app shows on the pages of the apps below it (trialsite.panels), registered in SafetyConfig.ready.

Open data queries on Today and the daily form; adverse events, queries and source verification on a
participant's page, her timeline and each of its days; open queries by site and age on the home page.
"""

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
        found = found.filter(day=day) | found.filter(day__isnull=True)
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


def day_actions(context, participant, item) -> dict:
    """Per day of the timeline: the source-verified mark, and for monitors and coordinators SDV and query buttons.

    The participant's verifications are read once per page render (kept in the render context).
    """
    key = ("safety.source_verifications", participant.pk)
    if key not in context.render_context:
        context.render_context[key] = source_verifications(participant)
    user = context["request"].user
    return {
        "participant": participant, "item": item, "sdv": context.render_context[key].get(item.day),
        "can_sdv": can(user, Capability.VERIFY_SOURCE), "can_query": can(user, Capability.RAISE_QUERIES),
    }  # fmt: skip


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
    panels.contribute("timeline_day", "safety/_day_actions.html", day_actions)
