"""Template helpers of the safety app's own pages: the 24-hour reporting clock and an event's term.

Pages of the apps below safety show its panels through ``{% panels %}`` (safety/panels.py), not these tags.
"""

from django import template
from django.utils import timezone

from enrollment.visibility import identified_for

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


@register.simple_tag(takes_context=True)
def ae_term(context, event) -> str:
    """The event's term; "Other" without its free-text description for a de-identified viewer."""
    request = context.get("request")
    if request is not None and identified_for(request.user):
        return event.term_label
    return str(event.get_term_display())
