"""One error summary for every page: the base template lists the errors of each bound form on the page
at the top, and ``static/js/trialsite.js`` focuses it, so no error sits unseen below the fold."""

from dataclasses import dataclass

from django import template
from django.forms import BaseForm

register = template.Library()


@dataclass(frozen=True)
class Problem:
    message: str
    label: str = ""
    field: str = ""  # the field's HTML name: the summary links to it
    anchor: str = ""  # the id of the field's input, when it has one


def _forms_in(context) -> list[BaseForm]:
    forms, seen = [], set()
    for value in context.flatten().values():
        if isinstance(value, BaseForm) and value.is_bound and id(value) not in seen:
            seen.add(id(value))
            forms.append(value)
    return forms


def problems_of(form: BaseForm) -> list[Problem]:
    """The form's errors in page order: those of the whole form first, then field by field."""
    problems = [Problem(str(message)) for message in form.non_field_errors()]
    for bound in form:
        for message in bound.errors:
            if bound.is_hidden:
                problems.append(Problem(str(message)))
            else:
                anchor = bound.auto_id or ""
                problems.append(Problem(str(message), str(bound.label), bound.html_name, anchor))
    return problems


@register.inclusion_tag("_error_summary.html", takes_context=True)
def error_summary(context):
    return {"problems": [problem for form in _forms_in(context) for problem in problems_of(form)]}
