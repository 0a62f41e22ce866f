from django import forms
from django.utils.translation import gettext_lazy as _

from enrollment.models import CriterionKind, Study
from enrollment.setup.services import DESIGN_FIELDS


class SiteForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=10, help_text=_("2–10 upper-case letters or digits, e.g. SRP2."))
    name = forms.CharField(label=_("Name"), max_length=200)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, locked: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if locked:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = locked


class StudyForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason"), max_length=500)

    class Meta:
        model = Study
        fields = [
            "title_id", "title_en", "n_days", "pre_day", "post_day", "window_days", "allocation_method",
            "consent_form_version",
        ]  # fmt: skip

    def __init__(self, *args, locked: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if locked:
            for name in DESIGN_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = locked

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def _post_clean(self):
        """Validation happens in the service (it knows the lock); the form only parses."""


class ArmForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("Short, lower-case, e.g. moringa."))
    label_id = forms.CharField(label=_("label (Indonesian)"), max_length=120)
    label_en = forms.CharField(label=_("label (English)"), max_length=120)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class CriterionForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("Short, lower-case, e.g. lives_nearby."))
    kind = forms.ChoiceField(label=_("kind"), choices=CriterionKind.choices)
    text_id = forms.CharField(label=_("text (Indonesian)"), max_length=300)
    text_en = forms.CharField(label=_("text (English)"), max_length=300)
    reason = forms.CharField(label=_("Reason"), max_length=500)
