from django import template

from trialsite.audit import event_label as _event_label

register = template.Library()


@register.filter
def event_label(code: str) -> str:
    """``{{ event.pgh_label|event_label }}``: "insert" reads "created" (in the reader's language)."""
    return _event_label(code)
