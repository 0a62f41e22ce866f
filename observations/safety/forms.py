"""Forms of the safety pages. Types and choices here; every rule runs in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from observations.safety.adverse_events import AE_FIELDS
from observations.safety.models import AdverseEvent, DeviationCategory, DeviationGrade, ProtocolDeviation, QueryStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceErrorsMixin:
    def add_service_errors(self, errors: dict) -> None:
        """Show a service's ValidationError on the fields it names (the rest above the form)."""
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class AdverseEventForm(ServiceErrorsMixin, forms.ModelForm):
    """A new adverse event, or (``follow_up=True``) its next version with a reason."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AdverseEvent
        fields = list(AE_FIELDS)
        widgets = {
            "onset_date": DATE,
            "resolution_date": DATE,
            "subject": forms.RadioSelect,
            "severity": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, follow_up: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = self.fields["subject"].choices[1:]  # no empty radio
        self.fields["severity"].choices = self.fields["severity"].choices[1:]
        if follow_up:
            self.fields["reason"] = forms.CharField(
                label=_("Reason for the follow-up (what changed)"), max_length=500, widget=forms.Textarea({"rows": 2})
            )

    def _post_clean(self):
        """The service validates and writes: skip the model's own full_clean here."""

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in AE_FIELDS}


class AcknowledgeForm(forms.Form):
    pass


class ReportForm(forms.Form):
    reference = forms.CharField(label=_("Report reference (e.g. the ethics committee's number)"), max_length=100)


class AdverseEventFilterForm(forms.Form):
    serious = forms.BooleanField(label=_("Serious only"), required=False)
    open_alerts = forms.BooleanField(label=_("Waiting for acknowledgement or report"), required=False)
    site = forms.CharField(label=_("Site code"), required=False, max_length=10)


class QueryForm(ServiceErrorsMixin, forms.Form):
    day = forms.IntegerField(label=_("Day (empty: the whole participant)"), required=False, min_value=1)
    field_name = forms.ChoiceField(label=_("Field (empty: the whole day)"), required=False)
    text = forms.CharField(label=_("Question"), max_length=1000, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args, field_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field_name"].choices = [("", "—"), *field_choices]


class AnswerForm(ServiceErrorsMixin, forms.Form):
    answer = forms.CharField(label=_("Explanation"), max_length=1000, widget=forms.Textarea({"rows": 3}))


class ReopenForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Why re-open?"), max_length=500)


class QueryFilterForm(forms.Form):
    """The status filter of the query list."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.attrs["class"] = "form-select"

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Not closed")), *QueryStatus.choices, ("all", _("All"))]
    )


class DeviationForm(ServiceErrorsMixin, forms.ModelForm):
    participant_code = forms.CharField(label=_("Participant ID (if it concerns one)"), required=False, max_length=30)
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)

    class Meta:
        model = ProtocolDeviation
        fields = [
            "site", "category", "grade", "description", "corrective_action", "preventive_action",
            "occurred_on", "identified_on", "resolved_on",
        ]  # fmt: skip
        widgets = {
            "occurred_on": DATE, "identified_on": DATE, "resolved_on": DATE,
            "description": forms.Textarea({"rows": 3}), "corrective_action": forms.Textarea({"rows": 2}),
            "preventive_action": forms.Textarea({"rows": 2}),
        }  # fmt: skip

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites

    def _post_clean(self):
        """The service validates and writes."""


class StyledFilterMixin:
    """Bootstrap classes on the filter widgets (a plain select is as wide as its longest option)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class DeviationFilterForm(StyledFilterMixin, forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[("", "—"), *DeviationCategory.choices])
    grade = forms.ChoiceField(label=_("Major or minor"), required=False, choices=[("", "—"), *DeviationGrade.choices])
    site = forms.CharField(label=_("Site code"), required=False, max_length=10)
    automatic = forms.ChoiceField(
        label=_("Source"), required=False,
        choices=[("", "—"), ("yes", _("Entered automatically")), ("no", _("Entered by staff"))],
    )  # fmt: skip
