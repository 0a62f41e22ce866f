"""The daily form. Field types and ranges come from the model; every rule runs in the service."""

from __future__ import annotations

import uuid

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from enrollment.models import AdherenceKind
from observations.importing import FileTooLarge, check_size
from observations.models import Adherence, InstrumentSettings, MissingReason, Observation

LABELS = {
    "observed_on": _("Observation date"),
    "feeds_24h": _("Breastfeeds in 24 hours"),
    "wet_diapers_24h": _("Infant wet diapers (urinations) in 24 hours"),
    "sleep_after_feed_hours": _("Hours the infant sleeps/settles after a feed"),
    "breast_full_then_soft": _("Breast feels full before feeding and soft after"),
    "expressed_volume_ml": _("Expressed breast-milk volume (ml)"),
    "infant_weight_g": _("Infant weight (grams)"),
    "notes": _("Notes"),
    "missing_reason": _("Observation not done? Reason"),
    "deviation_reason": _("Deviation reason (date outside the window)"),
}
NUMBER_ATTRS = {
    "feeds_24h": {"inputmode": "numeric"},
    "wet_diapers_24h": {"inputmode": "numeric"},
    "sleep_after_feed_hours": {"step": "0.5", "inputmode": "decimal"},
    "expressed_volume_ml": {"inputmode": "numeric"},
    "infant_weight_g": {"inputmode": "numeric"},
    "massage_minutes": {"inputmode": "numeric"},
}
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _limits(model_field) -> dict:
    """min/max attributes for the browser, from the validators declared on the model field."""
    lows = [v.limit_value for v in model_field.validators if isinstance(v, MinValueValidator)]
    highs = [v.limit_value for v in model_field.validators if isinstance(v, MaxValueValidator)]
    return {**({"min": max(lows)} if lows else {}), **({"max": min(highs)} if highs else {})}


def _model_field(name: str) -> forms.Field:
    model_field = Observation._meta.get_field(name)
    field = model_field.formfield(required=False)
    field.label = LABELS.get(name, field.label)
    if name in NUMBER_ATTRS:
        field.widget.attrs.update({**_limits(model_field), **NUMBER_ATTRS[name]})
    return field


class ObservationForm(forms.Form):
    """Form for one day. ``adherence`` (``Arm.adherence``) picks the question; ``editing`` asks for a reason."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, adherence: str, editing: bool, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        for name in ("observed_on", "feeds_24h", "wet_diapers_24h", "sleep_after_feed_hours"):
            self.fields[name] = _model_field(name)
        self.fields["observed_on"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["breast_full_then_soft"] = forms.TypedChoiceField(
            label=LABELS["breast_full_then_soft"],
            choices=YES_NO,
            widget=forms.RadioSelect,
            required=False,
            coerce=lambda v: v == "yes",
            empty_value=None,
        )
        for name in ("expressed_volume_ml", "infant_weight_g", "notes"):
            self.fields[name] = _model_field(name)
        self.fields["notes"].widget.attrs["rows"] = 2
        self._add_adherence(adherence)
        self.fields["missing_reason"] = forms.ChoiceField(
            label=LABELS["missing_reason"],
            required=False,
            choices=[("", _("— observed (not missing) —")), *MissingReason.choices],
        )
        self.fields["deviation_reason"] = _model_field("deviation_reason")
        self.fields["deviation_reason"].widget.attrs["rows"] = 2
        if editing:
            self.fields["reason"] = forms.CharField(
                label=_("Reason for change"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500
            )

    def _add_adherence(self, adherence: str) -> None:
        if adherence == AdherenceKind.MASSAGE:
            choices, label = YES_NO, _("Oxytocin massage given today?")
            self.fields["massage_minutes"] = _model_field("massage_minutes")
            self.fields["massage_minutes"].label = _("Massage duration (minutes)")
        else:
            choices, label = Adherence.choices, _("Moringa powder taken as prescribed today?")
        self.fields["adherence"] = forms.ChoiceField(
            label=label, choices=choices, widget=forms.RadioSelect, required=False
        )

    def values(self) -> dict:
        """The recorded values, as the service takes them."""
        skip = {"idempotency_key", "version", "reason"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Attach a service ValidationError's messages to their fields (others to the form)."""
        for field, messages in errors.items():
            for message in messages:
                visible = field in self.fields and not self.fields[field].widget.is_hidden
                self.add_error(field if visible else None, message)


def initial_from(observation: Observation) -> dict:
    """Form initial values from a stored observation (for corrections)."""
    initial = {name: getattr(observation, name) for name in LABELS}
    initial["adherence"] = observation.adherence
    initial["massage_minutes"] = observation.massage_minutes
    if observation.breast_full_then_soft is not None:
        initial["breast_full_then_soft"] = "yes" if observation.breast_full_then_soft else "no"
    initial["version"] = observation.version
    return initial


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    participants_file = forms.FileField(label=_("participants.csv"))
    observations_file = forms.FileField(label=_("observations.csv"))

    def _read(self, name: str) -> tuple[str, bytes]:
        upload = self.cleaned_data[name]
        try:
            check_size(upload.name, upload.size)
        except FileTooLarge as error:
            raise forms.ValidationError(str(error)) from None
        return upload.name, upload.read()

    def clean_participants_file(self) -> tuple[str, bytes]:
        return self._read("participants_file")

    def clean_observations_file(self) -> tuple[str, bytes]:
        return self._read("observations_file")

    def uploaded(self) -> dict:
        """{"participants": (name, bytes), "observations": (name, bytes)}, each within the size cap."""
        return {
            "participants": self.cleaned_data["participants_file"],
            "observations": self.cleaned_data["observations_file"],
        }


class ImportConfirmForm(forms.Form):
    """Only the token of the upload kept on the server (observations.staging), never the files."""

    upload = forms.CharField(widget=forms.HiddenInput, max_length=64)


def _shown(value):
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return None if value == "" else value


def conflict_rows(current: Observation, submitted: dict) -> list[dict]:
    """Field by field: the stored version next to the one the user tried to save."""
    rows = []
    for name in (*LABELS, "adherence", "massage_minutes", "score"):
        if name not in submitted:
            continue
        label = LABELS.get(name) or Observation._meta.get_field(name).verbose_name
        stored, mine = getattr(current, name), submitted[name]
        rows.append({"label": label, "current": _shown(stored), "submitted": _shown(mine), "differs": stored != mine})
    return rows


class InstrumentForm(forms.ModelForm):
    """The study's scoring thresholds and what each arm records; the service checks them and the lock."""

    reason = forms.CharField(label=_("Reason"), max_length=500)

    class Meta:
        model = InstrumentSettings
        fields = ["feeds_min", "feeds_max", "wet_diapers_min", "sleep_hours_min", "breast_met_when"]

    def __init__(self, *args, arms=(), locked: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.arms = list(arms)
        for arm in self.arms:
            self.fields[f"adherence_{arm.pk}"] = forms.ChoiceField(
                label=_("Adherence recorded: %(arm)s") % {"arm": arm.label},
                choices=AdherenceKind.choices,
                initial=arm.adherence,
            )
        if locked:
            for name, field in self.fields.items():
                field.disabled = name != "reason"
                field.help_text = locked if name != "reason" else field.help_text

    def _post_clean(self):
        """Validation happens in the service (it knows the lock); the form only parses."""

    def thresholds(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def adherence(self) -> dict[int, str]:
        return {arm.pk: self.cleaned_data[f"adherence_{arm.pk}"] for arm in self.arms}
