"""Pages: adverse events (list, alerts, entry, follow-up, acknowledge, report)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enrollment.access import get_participant_for_user
from enrollment.visibility import shown_history
from observations.safety import adverse_events, alerts
from observations.safety.access import can_enter_adverse_events, get_adverse_event_for_user, is_alerted
from observations.safety.forms import AdverseEventFilterForm, AdverseEventForm, ReportForm
from observations.safety.models import SERIOUSNESS_CRITERIA, AdverseEvent
from observations.safety.pages import acted, error_dict, page_of
from observations.safety.serializers import AE_SHOWN_FIELDS
from trialsite import audit
from trialsite.decorators import capability_required
from trialsite.roles import Capability


@capability_required(Capability.READ_SAFETY)
def ae_list(request):
    form = AdverseEventFilterForm(request.GET or None)
    events = AdverseEvent.objects.for_user(request.user).select_related("participant__site")
    if form.is_valid():
        if form.cleaned_data["open_alerts"]:
            events = alerts.open_alerts_for(request.user)
        if form.cleaned_data["serious"]:
            events = events.filter(serious=True)
        if form.cleaned_data["site"]:
            events = events.filter(participant__site__code=form.cleaned_data["site"].upper())
    page = page_of(events, request.GET.get("page"))
    return render(request, "safety/ae_list.html", {
        "form": form, "page": page, "alerts": alerts.open_alerts_for(request.user) if is_alerted(request.user) else [],
        "can_enter": can_enter_adverse_events(request.user),
    })  # fmt: skip


def _ae_form_page(request, participant, form, event=None):
    return render(request, "safety/ae_form.html", {
        "participant": participant, "form": form, "event": event, "criteria": [n for n, _l in SERIOUSNESS_CRITERIA],
    })  # fmt: skip


@capability_required(Capability.ENTER_ADVERSE_EVENTS)
def ae_new(request, pk: int):
    participant = get_participant_for_user(request.user, pk, write=True)
    form = AdverseEventForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return _ae_form_page(request, participant, form)
    try:
        event = adverse_events.record_adverse_event(participant=participant, values=form.values(), by=request.user)
    except ValidationError as exc:
        form.add_service_errors(error_dict(exc))
        return _ae_form_page(request, participant, form)
    messages.success(request, _("Adverse event saved."))
    if event.serious:
        messages.warning(request, _("Serious: the investigator and the coordinator have been alerted."))
    return redirect("safety:ae_detail", pk=event.pk)


@capability_required(Capability.ENTER_ADVERSE_EVENTS)
def ae_follow_up(request, pk: int):
    event = get_adverse_event_for_user(request.user, pk, write=True)
    form = AdverseEventForm(request.POST or None, instance=event, follow_up=True, initial={"version": event.version})
    if request.method != "POST" or not form.is_valid():
        return _ae_form_page(request, event.participant, form, event)
    try:
        adverse_events.follow_up_adverse_event(
            event=event, values=form.values(), by=request.user, reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"] or 0,
        )  # fmt: skip
    except ValidationError as exc:
        form.add_service_errors(error_dict(exc))
        return _ae_form_page(request, event.participant, form, event)
    messages.success(request, _("Follow-up saved as a new version."))
    return redirect("safety:ae_detail", pk=event.pk)


@capability_required(Capability.READ_SAFETY)
def ae_detail(request, pk: int):
    event = get_adverse_event_for_user(request.user, pk)
    return render(request, "safety/ae_detail.html", {
        "event": event, "versions": shown_history(
            request.user, event.participant.study, event.participant, audit.history_for(event), AE_SHOWN_FIELDS
        ), "can_follow_up": can_enter_adverse_events(request.user),
        "can_report": is_alerted(request.user), "report_form": ReportForm(),
    })  # fmt: skip


@require_POST
@capability_required(Capability.REPORT_ADVERSE_EVENTS)
def ae_acknowledge(request, pk: int):
    event = get_adverse_event_for_user(request.user, pk)
    acknowledge = partial(adverse_events.acknowledge_adverse_event, event=event, by=request.user)
    return acted(request, acknowledge, success=_("Acknowledged."), to="safety:ae_detail", pk=event.pk)


@require_POST
@capability_required(Capability.REPORT_ADVERSE_EVENTS)
def ae_report(request, pk: int):
    event = get_adverse_event_for_user(request.user, pk)
    form = ReportForm(request.POST)

    def report():
        if not form.is_valid():
            raise ValidationError(_("Give the reference of the report (e.g. the committee's number)."))
        adverse_events.report_adverse_event(event=event, by=request.user, reference=form.cleaned_data["reference"])

    return acted(request, report, success=_("Recorded as reported."), to="safety:ae_detail", pk=event.pk)
