"""Page: exclude a participant from an analysis population, or lift the exclusion (coordinators, with a reason)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrollment.access import get_participant_for_user
from enrollment.control import lock_notices
from enrollment.exclusion import ExclusionScope, current_scope, exclude_from_population, lift_exclusion
from trialsite.decorators import capability_required
from trialsite.roles import Capability

LIFT = "lift"


class ExclusionForm(forms.Form):
    scope = forms.ChoiceField(
        label=gettext_lazy("Population"), widget=forms.RadioSelect,
        choices=[*ExclusionScope.choices, (LIFT, gettext_lazy("None: back into every population"))],
    )  # fmt: skip
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500, widget=forms.Textarea({"rows": 2}))


def _apply(participant, form, user):
    scope, reason = form.cleaned_data["scope"], form.cleaned_data["reason"]
    if scope == LIFT:
        return lift_exclusion(participant=participant, reason=reason, by=user)
    return exclude_from_population(participant=participant, scope=scope, reason=reason, by=user)


@capability_required(Capability.EXCLUDE_FROM_ANALYSIS)
def exclusion(request, pk: int):
    participant = get_participant_for_user(request.user, pk, write=True)
    form = ExclusionForm(request.POST or None, initial={"scope": current_scope(participant) or LIFT})
    if request.method == "POST" and form.is_valid():
        try:
            _apply(participant, form, request.user)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved; the change and its reason are in the audit trail."))
            return redirect("enrollment:participant_detail", pk=participant.pk)
    context = {"participant": participant, "form": form, "lock_notices": lock_notices(participant.study)}
    return render(request, "enrollment/exclusion.html", context)
