"""Coordinator pages to set up a study: a new study, its titles, schedule, arms, criteria and sites.

Every page works on the study named by ``?study=<code>`` (the first one when none is named) and
comes back to it after a change.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enrollment.access import get_study_for_user, studies_for_user
from enrollment.models import Site, Study
from enrollment.setup import services
from enrollment.setup.forms import ArmForm, CriterionForm, NewStudyForm, SiteForm, StudyForm
from trialsite.decorators import capability_required
from trialsite.forms import add_errors
from trialsite.roles import Capability


def _back(url_name: str, study: Study):
    """Redirect to ``url_name`` for ``study``."""
    return redirect(f"{reverse(url_name)}?study={study.slug}")


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
            return _back("enrollment:setup_sites", study)
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
            return _back("enrollment:setup_sites", study)
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
                return _back("enrollment:setup_study", study)
    elif request.method == "POST" and form.is_valid():
        try:
            services.change_study(
                by=request.user, study=study, values=form.values(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return _back("enrollment:setup_study", study)
    return render(request, "enrollment/setup/study.html", _study_context(request, study, form=form, arm_form=arm_form))


def _study_context(request, study, **forms) -> dict:
    locked = services.design_lock(study)
    return {
        "study": study,
        "studies": studies_for_user(request.user),
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
            return _back("enrollment:setup_study", study)
    return render(
        request, "enrollment/setup/study.html", _study_context(request, study, criterion_form=form), status=200
    )


@capability_required(Capability.SET_UP_STUDY)
def study_new(request):
    """The next trial of the same shape: study, schedule, first site and arms; then criteria and thresholds."""
    form = NewStudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            study = services.create_study(by=request.user, values=form.values(), site=form.site(), arms=form.arms(),
                                          reason=form.cleaned_data["reason"])  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Study created. Add its criteria and check its scoring next."))
            return _back("enrollment:setup_study", study)
    return render(request, "enrollment/setup/study_new.html", {"form": form})
