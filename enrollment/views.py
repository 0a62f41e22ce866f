from django.shortcuts import render

from enrollment.access import get_study_for_user
from enrollment.models import Site
from trialsite.decorators import role_required
from trialsite.roles import Role


@role_required(Role.COORDINATOR, Role.INVESTIGATOR, Role.MIDWIFE)
def study_detail(request):
    """The study set-up: days, window, allocation, arms and the sites the user can see."""
    study = get_study_for_user(request.user, request.GET.get("study"))
    sites = Site.objects.for_user(request.user).filter(study=study).prefetch_related("memberships__user")
    return render(request, "enrollment/study_detail.html", {"study": study, "sites": sites, "arms": study.arms.all()})
