from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from enrollment.models import Site
from enrollment.people.services import PersonDetails
from trialsite.roles import Role


class SiteChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


class PersonForm(forms.Form):
    """Name, roles and sites of a person; the username only when the account is created."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role."), "invalid_choice": _("Unknown role %(value)s.")},
    )  # fmt: skip
    sites = SiteChoiceField(
        label=_("Sites"), queryset=Site.objects.select_related("study"), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A midwife sees and enters data only at these sites; coordinators and investigators see all."),
        error_messages={"invalid_choice": _("Unknown site %(value)s."), "invalid_pk_value": _("Unknown site %(pk)s.")},
    )  # fmt: skip

    def details(self) -> PersonDetails:
        data = self.cleaned_data
        return PersonDetails(data["first_name"], data["last_name"], list(data["roles"]), list(data["sites"]))


class NewPersonForm(PersonForm):
    username = forms.CharField(
        label=_("Username"), max_length=150, validators=[UnicodeUsernameValidator()],
        help_text=_("What she types to sign in, e.g. bidan.par2. Letters, digits and . _ - only."),
    )  # fmt: skip
    field_order = ["username", "first_name", "last_name", "roles", "sites"]


class ChangePersonForm(PersonForm):
    reason = forms.CharField(label=_("Reason for the change"), max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
