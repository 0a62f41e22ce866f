"""The coordinator's page for a study's scoring thresholds and each arm's adherence kind."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from enrollment.access import get_study_for_user
from observations import setup
from observations.forms import InstrumentForm
from observations.models import instrument_for
from trialsite.decorators import capability_required
from trialsite.forms import add_errors
from trialsite.roles import Capability


@capability_required(Capability.SET_UP_STUDY)
def instrument(request):
    study = get_study_for_user(request.user, request.GET.get("study"), write=True)
    locked = setup.instrument_lock(study)
    arms = list(study.arms.all())
    form = InstrumentForm(request.POST or None, instance=instrument_for(study), arms=arms, locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            setup.set_up_instrument(by=request.user, study=study, thresholds=form.thresholds(),
                                    adherence=form.adherence(), reason=form.cleaned_data["reason"])  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('observations:setup_instrument')}?study={study.slug}")
    return render(request, "observations/setup_instrument.html", {"study": study, "form": form, "locked": locked})
