"""Coordinator pages to set up the study's sites."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from enrollment.access import get_study_for_user
from enrollment.models import Site
from enrollment.setup import services
from enrollment.setup.forms import SiteForm
from trialsite.decorators import role_required
from trialsite.forms import add_errors


@role_required(*services.SETUP_ROLES)
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


@role_required(*services.SETUP_ROLES)
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
