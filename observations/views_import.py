"""The coordinator's browser import: upload one or two files, see the errors or a preview, confirm.

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
from observations.interchange import (
    OBSERVATION_COLUMNS,
    OBSERVATION_REQUIRED,
    PARTICIPANT_COLUMNS,
    PARTICIPANT_REQUIRED,
)
from observations.services import local_today
from trialsite.decorators import capability_required
from trialsite.roles import Capability

TEMPLATES = {"participants": PARTICIPANT_COLUMNS, "observations": OBSERVATION_COLUMNS}
COLUMNS = {
    "participants": (PARTICIPANT_COLUMNS, PARTICIPANT_REQUIRED),
    "observations": (OBSERVATION_COLUMNS, OBSERVATION_REQUIRED),
}
FORMAT_DOC = Path(settings.BASE_DIR) / "docs" / "spec" / "interchange.md"


def _page(request, study, form, errors=(), **context):
    shown, more = capped(list(errors))
    context.update(study=study, form=form, errors=shown, more_errors=more, error_count=len(errors),
                   format_help=format_help(study), lock_notices=lock_notices(study))  # fmt: skip
    return render(request, "observations/import.html", context)


@capability_required(Capability.IMPORT_DATA)
def import_data(request):
    """GET: the upload form. POST files: check and preview. POST confirm: check again and import.

    Every checked upload is kept on the server (observations.staging), errors or not: after fixing
    one file the coordinator chooses only that one again.
    """
    study = get_study_for_user(request.user, request.GET.get("study"), write=True)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, study)
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    if not posted or not form.is_valid():
        return _page(request, study, form)
    kept = staging.staged(token=form.cleaned_data["upload"], user=request.user, study=study) or {}
    chosen, errors = decode_files(form.uploaded())
    files = {**kept, **chosen}
    if not files:
        form.add_error(None, _("Choose the observations file, and the participants file for new participants."))
        return _page(request, study, form)
    token = staging.stage(user=request.user, study=study, files=files)
    again = ImportForm(initial={"upload": token})
    if errors:
        return _page(request, study, again, errors, kept=files, confirm=None)
    try:
        plan = check_files(study=study, files=files, today=local_today())
    except StudyLocked:
        return _page(request, study, again, kept=files)  # the page shows the lock instead of a preview
    confirm = None if plan.errors else ImportConfirmForm(initial={"upload": token})
    return _page(request, study, again, plan.errors, plan=plan, confirm=confirm, kept=files)


def format_help(study) -> dict:
    """The columns of each file, required first, with a header and an example row built from the study's codes."""
    site = study.sites.order_by("code").first()
    arm = study.arms.order_by("order", "code").first()
    day_1 = local_today().isoformat()
    examples = {
        "participants": {"participant_id": f"{site.code if site else 'S1'}-101", "site": site.code if site else "S1",
                         "arm": arm.code if arm else "A", "enrolled_on": day_1, "intervention_start": day_1,
                         "status": "active"},
        "observations": {"participant_id": f"{site.code if site else 'S1'}-101", "day": "1", "observed_on": day_1,
                         "feeds_24h": "9", "wet_diapers_24h": "7", "sleep_after_feed_hours": "2.5",
                         "breast_full_then_soft": "yes"},
    }  # fmt: skip
    shown = {}
    for name, (columns, required) in COLUMNS.items():
        example = examples[name]
        shown[name] = {
            "required": required,
            "optional": [c for c in columns if c not in required],
            "example": ",".join(columns) + "\n" + ",".join(example.get(c, "") for c in columns),
        }
    return shown


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
