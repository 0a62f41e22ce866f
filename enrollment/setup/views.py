"""Coordinator pages to set up the study's sites."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enrollment.access import get_study_for_user
from enrollment.models import Site, Study
from enrollment.setup import services
from enrollment.setup.forms import ArmForm, CriterionForm, SiteForm, StudyForm
from trialsite.decorators import capability_required
from trialsite.forms import add_errors
from trialsite.roles import Capability


@capability_required(Capability.SET_UP_STUDY)
def sites(request):
    study = get_study_for_user(request.user, request.GET.get("study"), write=True)
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_site(by=request.user, study=study, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Site added."))
            return redirect("enrollment:setup_sites")
    rows = [(site, services.site_code_lock(site)) for site in study.sites.all()]
    return render(request, "enrollment/setup/sites.html", {"study": study, "rows": rows, "form": form})


@capability_required(Capability.SET_UP_STUDY)
def site_edit(request, pk: int):
    study = get_study_for_user(request.user, request.GET.get("study"), write=True)
    site = Site.objects.filter(study=study, pk=pk).first()
    if site is None:
        raise Http404
    locked = services.site_code_lock(site)
    form = SiteForm(request.POST or None, initial={"code": site.code, "name": site.name}, locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_site(by=request.user, site=site, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("enrollment:setup_sites")
    return render(request, "enrollment/setup/site_form.html", {"site": site, "form": form, "locked": locked})


@capability_required(Capability.SET_UP_STUDY)
def study(request):
    study = get_study_for_user(request.user, request.GET.get("study"), write=True)
    locked = services.design_lock(study)
    form = StudyForm(request.POST or None, instance=Study.objects.get(pk=study.pk), locked=locked)
    arm_form = ArmForm(None if "add_arm" not in request.POST else request.POST)
    if request.method == "POST" and "add_arm" in request.POST:
        form = StudyForm(instance=study, locked=locked)
        if arm_form.is_valid():
            try:
                services.add_arm(by=request.user, study=study, **arm_form.cleaned_data)
            except ValidationError as exc:
                add_errors(arm_form, exc)
            else:
                messages.success(request, _("Arm added."))
                return redirect("enrollment:setup_study")
    elif request.method == "POST" and form.is_valid():
        try:
            services.change_study(
                by=request.user, study=study, values=form.values(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("enrollment:setup_study")
    return render(request, "enrollment/setup/study.html", _study_context(request, study, form=form, arm_form=arm_form))


def _study_context(request, study, **forms) -> dict:
    locked = services.design_lock(study)
    return {
        "study": study,
        "locked": locked,
        "arms": study.arms.all(),
        "criteria": study.criteria.all(),
        "criteria_locked": services.criteria_lock(study),
        "form": forms.get("form") or StudyForm(instance=study, locked=locked),
        "arm_form": forms.get("arm_form") or ArmForm(),
        "criterion_form": forms.get("criterion_form") or CriterionForm(),
    }


@require_POST
@capability_required(Capability.SET_UP_STUDY)
def criterion_add(request):
    study = get_study_for_user(request.user, request.GET.get("study"), write=True)
    form = CriterionForm(request.POST)
    if form.is_valid():
        try:
            services.add_criterion(by=request.user, study=study, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Criterion added."))
            return redirect("enrollment:setup_study")
    return render(
        request, "enrollment/setup/study.html", _study_context(request, study, criterion_form=form), status=200
    )
