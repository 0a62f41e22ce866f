from django import forms
from django.utils.translation import gettext_lazy as _


class SiteForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=10, help_text=_("2–10 upper-case letters or digits, e.g. SRP2."))
    name = forms.CharField(label=_("Name"), max_length=200)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, locked: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if locked:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = locked
