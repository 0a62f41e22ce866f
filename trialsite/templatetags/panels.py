"""``{% panels "slot" arg… %}``: the panels other apps contributed to a slot of this page (trialsite.panels)."""

from django import template
from django.utils.safestring import mark_safe

from trialsite.panels import panels_in

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, slot: str, *args):
    """Render each panel of ``slot`` as an inclusion tag would: a new context, the page's CSRF token."""
    parts = []
    for panel in panels_in(slot):
        if panel.write is not None:
            parts.append(panel.write(context, *args))
            continue
        panel_context = context.new(panel.context(context, *args))
        if context.get("csrf_token") is not None:
            panel_context["csrf_token"] = context["csrf_token"]
        parts.append(context.template.engine.get_template(panel.template_name).render(panel_context))
    return mark_safe("".join(parts))  # each part was escaped as it was rendered or written
