"""Template filters for analysis numbers; every one delegates to analysis.presentation."""

from django import template

from analysis import presentation

register = template.Library()

register.filter("p_value", presentation.format_p)
register.filter("stat", presentation.format_stat)
register.filter("value", presentation.format_value)
register.filter("count", presentation.format_count)
register.filter("ci", presentation.format_ci)
register.filter("short_sha", presentation.short_sha)
register.filter("local_time", presentation.local_time)


@register.filter
def lookup(mapping, key):
    """``mapping[key]`` in a template (None when absent)."""
    return mapping.get(key) if mapping else None


@register.filter
def exclusion_label(code):
    return presentation.label_of(presentation.EXCLUSION_LABELS, code)


@register.filter
def direction_label(code):
    return presentation.label_of(presentation.DIRECTION_LABELS, code)


@register.filter
def comparison_label(code):
    return presentation.label_of(presentation.COMPARISON_LABELS, code)
