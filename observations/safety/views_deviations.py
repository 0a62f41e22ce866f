"""Pages: the protocol-deviation register (list with filters, CSV export, entry, change)."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.access import get_study_for_user
from enrollment.models import Participant, Site
from enrollment.visibility import View, shown_history, shown_row, view_for
from observations.safety import deviations
from observations.safety.access import get_deviation_for_user
from observations.safety.forms import DeviationFilterForm, DeviationForm
from observations.safety.models import ProtocolDeviation
from observations.safety.pages import error_dict, page_of
from observations.safety.serializers import DEVIATION_SHOWN_FIELDS
from trialsite import audit
from trialsite.decorators import capability_required
from trialsite.roles import Capability, can


def _csv_header() -> list[str]:
    return [
        _("Site"), _("Participant ID"), _("Category"), _("Major or minor"), _("Description"), _("Corrective action"),
        _("Preventive action"), _("Date of the deviation"), _("Date identified"), _("Date resolved"),
        _("Reported by"), _("Entered automatically"),
    ]  # fmt: skip


def _filtered(request, study):
    rows = ProtocolDeviation.objects.for_user(request.user).filter(study=study)
    form = DeviationFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        for name in ("category", "grade"):
            if data[name]:
                rows = rows.filter(**{name: data[name]})
        if data["site"]:
            rows = rows.filter(site__code=data["site"].upper())
        if data["automatic"]:
            rows = rows.filter(automatic=data["automatic"] == "yes")
    return form, rows.select_related("site", "participant", "reported_by")


@capability_required(Capability.READ_DEVIATION_REGISTER)
def deviation_list(request):
    study = get_study_for_user(request.user, request.GET.get("study"))
    form, rows = _filtered(request, study)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "safety/deviation_list.html", {
        "study": study, "form": form, "page": page_of(rows, request.GET.get("page")),
        "query": query.urlencode(), "can_write": can(request.user, Capability.RECORD_DEVIATIONS),
    })  # fmt: skip


def _csv_row(d: ProtocolDeviation, view: View) -> list:
    """One deviation as ``view`` may see it (de-identified: pseudonym, days from day 1, no free text)."""
    row = {name: getattr(d, name) for name in ("description", "corrective_action", "preventive_action",
                                               "occurred_on", "identified_on", "resolved_on")}  # fmt: skip
    row = shown_row(view, d.participant, {"participant_id": getattr(d.participant, "participant_id", None), **row},
                    DEVIATION_SHOWN_FIELDS)  # fmt: skip
    values = [("" if value is None else value) for value in row.values()]
    return [
        d.site.code, values[0], d.get_category_display(), d.get_grade_display(), *values[1:],
        d.reported_by.get_username() if d.reported_by else "", _("Yes") if d.automatic else _("No"),
    ]  # fmt: skip


@capability_required(Capability.READ_DEVIATION_REGISTER)
def deviation_export(request):
    """The filtered register as CSV (UTF-8 with BOM, so spreadsheet programs read it as UTF-8)."""
    study = get_study_for_user(request.user, request.GET.get("study"))
    _form, rows = _filtered(request, study)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{study.slug}-deviations-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(_csv_header())
    view = view_for(request.user, study)
    for deviation in rows:
        writer.writerow([_safe(v) for v in _csv_row(deviation, view)])
    return response


def _safe(value) -> str:
    """Free text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _participant(site: Site, code: str) -> Participant | None:
    if not code:
        return None
    participant = Participant.objects.filter(study=site.study, participant_id=code.strip().upper()).first()
    if participant is None:
        raise ValidationError({"participant_code": [_("No participant with this ID in the study.")]})
    return participant


def _save(request, form, deviation):
    site = form.cleaned_data["site"]
    values = {name: form.cleaned_data.get(name) for name in deviations.DEVIATION_FIELDS}
    if deviation is None:
        participant = _participant(site, form.cleaned_data["participant_code"])
        return deviations.record_deviation(site=site, values=values, by=request.user, participant=participant)
    return deviations.update_deviation(
        deviation=deviation, values=values, by=request.user, reason=form.cleaned_data["reason"]
    )


def _edit(request, deviation=None):
    study = get_study_for_user(request.user, request.GET.get("study"), write=True)
    sites = Site.objects.for_user(request.user).filter(study=study)
    form = DeviationForm(request.POST or None, instance=deviation, sites=sites)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(request, form, deviation)
        except ValidationError as exc:
            form.add_service_errors(error_dict(exc))
        else:
            messages.success(request, _("Deviation saved."))
            return redirect("safety:deviation_detail", pk=saved.pk)
    return render(request, "safety/deviation_form.html", {"form": form, "deviation": deviation})


@capability_required(Capability.RECORD_DEVIATIONS)
def deviation_new(request):
    return _edit(request)


@capability_required(Capability.RECORD_DEVIATIONS)
def deviation_edit(request, pk: int):
    return _edit(request, get_deviation_for_user(request.user, pk, write=True))


@capability_required(Capability.READ_DEVIATION_REGISTER)
def deviation_detail(request, pk: int):
    deviation = get_deviation_for_user(request.user, pk)
    return render(request, "safety/deviation_detail.html", {
        "deviation": deviation,
        "history": shown_history(
            request.user, deviation.study, deviation.participant, audit.history_for(deviation), DEVIATION_SHOWN_FIELDS
        ),
        "can_write": can(request.user, Capability.RECORD_DEVIATIONS),
    })  # fmt: skip
