"""What a page shows of a participant-level record: every template asks ``enrollment.visibility``
through these tags, never a role or a capability of its own.

``{% shown_id participant %}``, ``{% shown_date participant value %}``, ``{% shown_text value %}``,
``{% shown_arm participant %}``; ``{% shown_view study as view %}`` for an ``{% if view.arms_hidden %}``.
"""

from django import template

from enrollment.models import Study
from enrollment.visibility import LEAST, WITHHELD, View, identified_for, view_for

register = template.Library()


def _view(context, study) -> View:
    """The viewer's View of ``study`` (a study or its pk; the page's own ``study`` is used when it is that one)."""
    request = context.get("request")
    if request is None or study is None:
        return LEAST
    page_study = context.get("study")
    if isinstance(page_study, Study) and page_study.pk == getattr(study, "pk", study):
        study = page_study
    return view_for(request.user, study)


@register.simple_tag(takes_context=True)
def shown_view(context, study) -> View:
    return _view(context, study)


@register.simple_tag(takes_context=True)
def shown_id(context, participant) -> str:
    """The participant ID, or her pseudonym."""
    if participant is None:
        return WITHHELD
    return _view(context, participant.study_id).participant_id(participant)


@register.simple_tag(takes_context=True)
def shown_date(context, participant, value) -> str:
    """A date of the participant's record, or its day relative to her day 1."""
    study = participant.study_id if participant is not None else None
    return _view(context, study).when_text(participant, value)


@register.simple_tag(takes_context=True)
def shown_text(context, value) -> str:
    """Free text, or a dash for a viewer who may not read it (it can name a person)."""
    request = context.get("request")
    if request is None or not identified_for(request.user):
        return WITHHELD
    return value or WITHHELD


@register.simple_tag(takes_context=True)
def shown_arm(context, participant) -> str:
    """The participant's arm, or a dash while it is hidden from the viewer."""
    arm = _view(context, participant.study_id).arm(participant)
    return arm.label if arm is not None else WITHHELD
