"""The statistical analysis plan page: read by coordinators and investigators, who also write, lock and amend it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from analysis import plans
from analysis.forms_plan import PlanAction, PlanForm
from enrollment.access import get_study_for_user
from trialsite.decorators import capability_required
from trialsite.roles import Capability, can

SERVICES = {
    PlanAction.SAVE: lambda form, **kw: plans.save_plan_draft(fields=form.plan_fields(), **kw),
    PlanAction.LOCK: lambda form, **kw: plans.lock_plan(fields=form.plan_fields(), **kw),
    PlanAction.AMEND: lambda form, **kw: plans.amend_plan(fields=form.plan_fields(), **kw),
}


@require_http_methods(["GET", "POST"])
@capability_required(Capability.READ_ANALYSIS_PLAN)
def plan_page(request):
    study = get_study_for_user(request.user, request.GET.get("study"))
    plan = plans.current_plan(study)
    form = PlanForm(request.POST or None, initial=PlanForm.initial_from(plan))
    if request.method == "POST" and form.is_valid():
        action = PlanAction(form.cleaned_data["action"])
        try:
            SERVICES[action](form, study=study, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, _("Saved: %(action)s.") % {"action": action.label})
            return redirect(f"{reverse('analysis:plan')}?{urlencode({'study': study.slug})}")
    context = {
        "study": study,
        "plan": plan,
        "form": form,
        "versions": plans.plan_versions(study),
        "can_see_history": can(request.user, Capability.SEE_PLAN_HISTORY),
    }
    return render(request, "analysis/plan.html", context, status=400 if form.errors else 200)


def _errors_onto(form: PlanForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)
