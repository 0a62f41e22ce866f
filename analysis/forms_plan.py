"""The analysis plan page's form: a role per analysis, the populations, multiplicity, notes, a reason."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from analysis.plans import PlanFields
from analysis.sap import AnalysisRole, Multiplicity, PlannedAnalysis, PlanPopulation

ROLE_CHOICES = [
    (AnalysisRole.PRIMARY, AnalysisRole.PRIMARY.label),
    (AnalysisRole.SECONDARY, AnalysisRole.SECONDARY.label),
    (AnalysisRole.SENSITIVITY, AnalysisRole.SENSITIVITY.label),
    (AnalysisRole.EXPLORATORY, _("Not planned (exploratory)")),
]


class PlanAction(models.TextChoices):
    SAVE = "save", _("Save the draft")
    LOCK = "lock", _("Lock the plan")
    AMEND = "amend", _("Amend the plan")


class PlanForm(forms.Form):
    """One field per analysis of the catalogue (``role_<key>``), then the plan-wide choices."""

    population = forms.ChoiceField(label=_("Primary population"), choices=PlanPopulation.choices)
    sensitivity_population = forms.ChoiceField(
        label=_("Sensitivity population"),
        choices=[("", _("None")), *PlanPopulation.choices],
        required=False,
    )
    multiplicity = forms.ChoiceField(label=_("Multiplicity of secondary outcomes"), choices=Multiplicity.choices)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea({"rows": 3}))
    reason = forms.CharField(label=_("Reason for change"), required=False, max_length=2000, strip=True)
    action = forms.ChoiceField(choices=PlanAction.choices, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in PlannedAnalysis.choices:
            self.fields[f"role_{key}"] = forms.ChoiceField(label=label, choices=ROLE_CHOICES)

    @classmethod
    def initial_from(cls, plan) -> dict:
        roles = {f"role_{key}": plan.roles.get(key, AnalysisRole.EXPLORATORY) for key in PlannedAnalysis.values}
        return roles | {
            "population": plan.population,
            "sensitivity_population": plan.sensitivity_population,
            "multiplicity": plan.multiplicity,
            "notes": plan.notes,
        }

    def role_fields(self):
        return [self[f"role_{key}"] for key in PlannedAnalysis.values]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") in (PlanAction.LOCK, PlanAction.AMEND) and not cleaned.get("reason"):
            self.add_error("reason", _("Give the reason for this change."))
        return cleaned

    def plan_fields(self) -> PlanFields:
        data = self.cleaned_data
        return PlanFields(
            roles={key: data[f"role_{key}"] for key in PlannedAnalysis.values},
            population=data["population"],
            sensitivity_population=data["sensitivity_population"],
            multiplicity=data["multiplicity"],
            notes=data["notes"],
        )
