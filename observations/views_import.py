"""The coordinator's browser import: upload two files, see the errors or a preview, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from enrollment.access import get_study_for_user
from observations.forms import ImportConfirmForm, ImportForm
from observations.importing import ImportFailed, check_files, import_files
from observations.services import local_today
from trialsite.decorators import capability_required
from trialsite.roles import Capability


def _files_from_confirm(form: ImportConfirmForm) -> dict:
    d = form.cleaned_data
    return {
        "participants": (d["participants_name"], d["participants_text"]),
        "observations": (d["observations_name"], d["observations_text"]),
    }


@capability_required(Capability.IMPORT_DATA)
def import_data(request):
    """GET: the upload form. POST files: check and preview. POST confirm: check again and import."""
    study = get_study_for_user(request.user, request.GET.get("study"), write=True)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, study)
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"study": study, "form": form}
    if request.method == "POST" and form.is_valid():
        files = form.uploaded()
        plan = check_files(study=study, files=files, today=local_today())
        context.update(plan=plan, errors=plan.errors, confirm=None if plan.errors else _confirm_form(files))
    return render(request, "observations/import.html", context)


def _confirm(request, study):
    confirm = ImportConfirmForm(request.POST)
    if not confirm.is_valid():
        return redirect("observations:import")
    try:
        plan = import_files(study=study, files=_files_from_confirm(confirm), by=request.user, today=local_today())
    except ImportFailed as failed:
        context = {"study": study, "form": ImportForm(), "errors": failed.errors}
        return render(request, "observations/import.html", context)
    messages.success(request, _("Imported %(p)d participants and %(o)d observations.")
                     % {"p": len(plan.participants), "o": len(plan.observations)})  # fmt: skip
    return redirect("observations:completeness")


def _confirm_form(files: dict) -> ImportConfirmForm:
    return ImportConfirmForm(initial={
        "participants_name": files["participants"][0], "participants_text": files["participants"][1],
        "observations_name": files["observations"][0], "observations_text": files["observations"][1],
    })  # fmt: skip
