"""The coordinator's masking and lock actions: one action, one reason for change."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _


class SettingsAction(models.TextChoices):
    MASK = "mask", _("Mask outcomes by arm")
    UNMASK = "unmask", _("Unmask outcomes")
    LOCK = "lock", _("Lock the database")
    UNLOCK = "unlock", _("Unlock the database")


class SettingsActionForm(forms.Form):
    action = forms.ChoiceField(choices=SettingsAction.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for change"), max_length=500, strip=True)
