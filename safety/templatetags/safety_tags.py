"""Template helpers of the safety pages: the 24-hour reporting clock and the open data queries."""

from django import template
from django.utils import timezone

from enrollment.visibility import identified_for
from safety import queries
from safety.models import AdverseEvent, DataQuery, QueryStatus, SourceVerification
from trialsite.roles import Capability, can

register = template.Library()


@register.inclusion_tag("safety/_clock.html", takes_context=True)
def reporting_clock(context, event):
    """The serious event's reporting deadline and the hours left (negative once overdue)."""
    due, request = event.report_due_at, context.get("request")
    if due is None:
        return {"event": event, "due": None, "request": request}
    seconds = (due - timezone.now()).total_seconds()
    hours, minutes = divmod(int(abs(seconds)) // 60, 60)
    return {"event": event, "due": due, "overdue": seconds < 0 and event.reported_at is None,
            "hours": hours, "minutes": minutes, "request": request}  # fmt: skip


@register.inclusion_tag("safety/_open_queries.html", takes_context=True)
def open_queries(context, participant=None, day=None):
    """Open queries of the user's sites (Today), or of one participant or one participant's day (the form)."""
    user = context["request"].user
    queries = DataQuery.objects.for_user(user).filter(status=QueryStatus.OPEN).select_related("participant")
    if participant is not None:
        queries = queries.filter(participant=participant)
    if day is not None:
        queries = queries.filter(day=day) | queries.filter(day__isnull=True)
    return {"queries": list(queries.order_by("raised_at")[:50]), "request": context["request"]}


@register.simple_tag
def source_verifications(participant) -> dict:
    """{day: SourceVerification} of the participant's days (one query for the whole timeline)."""
    rows = SourceVerification.objects.filter(observation__participant=participant).select_related("observation")
    return {row.observation.day: row for row in rows}


@register.inclusion_tag("safety/_day_actions.html", takes_context=True)
def safety_day_actions(context, participant, item, verifications):
    """Per day of the timeline: the source-verified mark, and for monitors and coordinators SDV and query buttons."""
    user = context["request"].user
    return {
        "participant": participant, "item": item, "sdv": verifications.get(item.day),
        "can_sdv": can(user, Capability.VERIFY_SOURCE), "can_query": can(user, Capability.RAISE_QUERIES),
    }  # fmt: skip


@register.inclusion_tag("safety/_participant_actions.html", takes_context=True)
def safety_participant_actions(context, participant):
    """On a participant's pages: enter an adverse event, raise a query, and her open queries and events."""
    user = context["request"].user
    return {
        "participant": participant, "request": context["request"],
        "can_enter_ae": can(user, Capability.ENTER_ADVERSE_EVENTS), "can_query": can(user, Capability.RAISE_QUERIES),
        "events": list(AdverseEvent.objects.for_user(user).filter(participant=participant).order_by("-onset_date")),
    }  # fmt: skip


@register.inclusion_tag("safety/_query_counts.html", takes_context=True)
def open_query_counts(context):
    """Open queries by site and age, for the roles that raise them (coordinator's and monitor's home page)."""
    user = context["request"].user
    if not can(user, Capability.RAISE_QUERIES):
        return {"hidden": True}
    return {"counts": queries.open_counts_by_site_and_age(user), "bands": [b[2] for b in queries.AGE_BANDS]}


@register.simple_tag(takes_context=True)
def ae_term(context, event) -> str:
    """The event's term; "Other" without its free-text description for a de-identified viewer."""
    request = context.get("request")
    if request is not None and identified_for(request.user):
        return event.term_label
    return str(event.get_term_display())
