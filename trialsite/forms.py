"""Sign-in forms: the login form that explains a spent one-time code, password change, second factor."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from trialsite.accounts import code_state


class LoginForm(AuthenticationForm):
    """Django's login form; a one-time code that has expired or was used gets its own message.

    Django's own wrong-password sentence is replaced: its Indonesian catalog repeats the field name
    ("Masukkan nama pengguna nama pengguna…").
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong user name or password. Capital and small letters count."),
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            state = code_state(self.cleaned_data.get("username") or "", self.cleaned_data.get("password") or "")
            if state == "expired":
                raise ValidationError(
                    _("This one-time code has expired. Ask your coordinator for a new one."), code="code_expired"
                ) from None
            if state == "used":
                raise ValidationError(
                    _("This one-time code has already been used. Ask your coordinator for a new one."),
                    code="code_used",
                ) from None
            raise


class NewPasswordForm(SetPasswordForm):
    """First sign-in with a one-time code: choose a password (no old password to give)."""


class OwnPasswordForm(PasswordChangeForm):
    """Change one's own password: the old one, then the new one twice."""


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
    )


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on ``form``: under its field when it names one, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
