"""The export page (coordinators and investigators) and the bundle download."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.http import FileResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from analysis.exports.forms import ExportForm
from analysis.exports.models import ExportRecord
from analysis.exports.services import check_export_allowed, export_bundle
from enrollment.access import get_study_for_user
from trialsite.decorators import capability_required
from trialsite.roles import Capability, can

PAST_EXPORTS_SHOWN = 50
CONTENT_TYPES = {
    ".zip": "application/zip",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _page(request, study, form, status=200):
    coordinator = can(request.user, Capability.EXPORT_IDENTIFIED)
    past = ExportRecord.objects.for_study(study)[:PAST_EXPORTS_SHOWN] if coordinator else []
    context = {"study": study, "form": form, "past_exports": past, "show_log": coordinator}
    return render(request, "exports/export.html", context, status=status)


def _form(request, study, data=None) -> ExportForm:
    language = (get_language() or "id")[:2]
    identified = can(request.user, Capability.EXPORT_IDENTIFIED)
    return ExportForm(data, study=study, identified_allowed=identified, initial={"language": language})


@require_GET
@capability_required(Capability.EXPORT_DEIDENTIFIED)
def export_page(request):
    study = get_study_for_user(request.user, request.GET.get("study"))
    return _page(request, study, _form(request, study))


@require_POST
@capability_required(Capability.EXPORT_DEIDENTIFIED)
def export_download(request):
    study = get_study_for_user(request.user, request.GET.get("study"))
    form = _form(request, study, request.POST)
    if not form.is_valid():
        return _page(request, study, form, status=400)
    options = form.options()
    check_export_allowed(request.user, deidentified=options.deidentified)
    folder = tempfile.TemporaryDirectory(prefix="trialsite-export-")
    try:
        _record, path = export_bundle(study=study, by=request.user, options=options, folder=Path(folder.name))
        bundle = path.open("rb")
    finally:
        folder.cleanup()  # an open handle keeps the zip readable until the response is sent
    return FileResponse(bundle, as_attachment=True, filename=path.name, content_type=CONTENT_TYPES[path.suffix])
