"""The coordinator's browser import: upload two files, see the errors or a preview, confirm.

The checked files stay on the server (observations.staging) between preview and confirm.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from enrollment.access import get_study_for_user
from enrollment.control import StudyLocked, lock_notices
from observations import staging
from observations.forms import ImportConfirmForm, ImportForm
from observations.importing import ImportFailed, capped, check_files, decode_files, import_files
from observations.interchange import OBSERVATION_COLUMNS, PARTICIPANT_COLUMNS
from observations.services import local_today
from trialsite.decorators import capability_required
from trialsite.roles import Capability

TEMPLATES = {"participants": PARTICIPANT_COLUMNS, "observations": OBSERVATION_COLUMNS}
FORMAT_DOC = Path(settings.BASE_DIR) / "docs" / "spec" / "interchange.md"


def _page(request, study, form, errors=(), **context):
    shown, more = capped(list(errors))
    context.update(study=study, form=form, errors=shown, more_errors=more, error_count=len(errors))
    context.update(lock_notices=lock_notices(study))
    return render(request, "observations/import.html", context)


@capability_required(Capability.IMPORT_DATA)
def import_data(request):
    """GET: the upload form. POST files: check and preview. POST confirm: check again and import."""
    study = get_study_for_user(request.user, request.GET.get("study"), write=True)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, study)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _page(request, study, form)
    files, errors = decode_files(form.uploaded())
    if errors:
        return _page(request, study, form, errors, confirm=None)
    try:
        plan = check_files(study=study, files=files, today=local_today())
    except StudyLocked:
        return _page(request, study, form)  # the page shows the lock instead of a preview
    confirm = None
    if not plan.errors:
        confirm = ImportConfirmForm(initial={"upload": staging.stage(user=request.user, study=study, files=files)})
    return _page(request, study, form, plan.errors, plan=plan, confirm=confirm)


def _confirm(request, study):
    confirm = ImportConfirmForm(request.POST)
    files = staging.staged(token=confirm.data.get("upload", ""), user=request.user, study=study)
    if not confirm.is_valid() or files is None:
        messages.error(request, _("This upload is no longer available; choose the files again."))
        return redirect("observations:import")
    try:
        plan = import_files(study=study, files=files, by=request.user, today=local_today())
    except ImportFailed as failed:
        return _page(request, study, ImportForm(), failed.errors)
    except StudyLocked:
        return _page(request, study, ImportForm())
    staging.discard(confirm.cleaned_data["upload"])
    messages.success(request, _("Imported %(p)d participants and %(o)d observations.")
                     % {"p": len(plan.participants), "o": len(plan.observations)})  # fmt: skip
    return redirect("observations:completeness")


@capability_required(Capability.IMPORT_DATA)
def import_template(request, name: str):
    """An empty file in the interchange format: just the header row, to fill in from the paper forms."""
    if name not in TEMPLATES:
        raise Http404
    response = HttpResponse(",".join(TEMPLATES[name]) + "\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@capability_required(Capability.IMPORT_DATA)
def import_format(request):
    """The interchange format as specified (docs/spec/interchange.md), readable from the import page."""
    return render(request, "observations/import_format.html", {"spec": FORMAT_DOC.read_text(encoding="utf-8")})
