from django import forms
from django.utils.translation import gettext_lazy as _

from enrollment.models import AdherenceKind, CriterionKind, Study
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
        fields = ["title_id", "title_en", "n_days", "pre_day", "post_day", "window_days", "allocation_method"]

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
    adherence = forms.ChoiceField(label=_("adherence recorded"), choices=AdherenceKind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class CriterionForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("Short, lower-case, e.g. lives_nearby."))
    kind = forms.ChoiceField(label=_("kind"), choices=CriterionKind.choices)
    text_id = forms.CharField(label=_("text (Indonesian)"), max_length=300)
    text_en = forms.CharField(label=_("text (English)"), max_length=300)
    reason = forms.CharField(label=_("Reason"), max_length=500)


ARM_FIELDS = ("code", "label_id", "label_en")


class NewStudyForm(forms.ModelForm):
    """A new study, its first site and its two arms on one page; the service checks everything at once."""

    site_code = forms.CharField(label=_("Site code"), max_length=10, required=False,
                                help_text=_("2–10 upper-case letters or digits, e.g. SRP2."))  # fmt: skip
    site_name = forms.CharField(label=_("Site name"), max_length=200, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    class Meta:
        model = Study
        fields = ["slug", "title_id", "title_en", "n_days", "pre_day", "post_day", "window_days", "allocation_method"]
        labels = {"slug": _("Study code")}
        help_texts = {"slug": _("Short, lower-case, e.g. moringa-2027; it names the study in links and exports.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("slug", "title_id", "title_en"):
            self.fields[name].required = False  # the service names what is missing, with everything else
        for number in (1, 2):
            self.fields[f"arm{number}_code"] = forms.CharField(
                label=_("Arm %(n)d: code") % {"n": number}, max_length=40, required=False
            )
            self.fields[f"arm{number}_label_id"] = forms.CharField(
                label=_("Arm %(n)d: label (Indonesian)") % {"n": number}, max_length=120, required=False
            )
            self.fields[f"arm{number}_label_en"] = forms.CharField(
                label=_("Arm %(n)d: label (English)") % {"n": number}, max_length=120, required=False
            )
            self.fields[f"arm{number}_adherence"] = forms.ChoiceField(
                label=_("Arm %(n)d: adherence recorded") % {"n": number}, choices=AdherenceKind.choices
            )

    def _post_clean(self):
        """Validation happens in the service; the form only parses."""

    def values(self) -> dict:
        return {name: self.cleaned_data[name] or "" if name in ("slug", "title_id", "title_en")
                else self.cleaned_data[name] for name in self._meta.fields}  # fmt: skip

    def site(self) -> dict:
        return {"code": self.cleaned_data["site_code"], "name": self.cleaned_data["site_name"]}

    def arms(self) -> list[dict]:
        """Every arm row in order, empty ones included (the service skips them and keeps the numbering)."""
        fields = (*ARM_FIELDS, "adherence")
        return [{f: self.cleaned_data[f"arm{n}_{f}"] for f in fields} for n in (1, 2)]

    def sections(self) -> list[tuple]:
        """(heading, bound fields) in the order the page shows them."""
        names = {
            _("Study"): ["slug", "title_id", "title_en"],
            _("Schedule and allocation"): ["n_days", "pre_day", "post_day", "window_days", "allocation_method"],
            _("First site"): ["site_code", "site_name"],
            _("Arm 1"): [f"arm1_{f}" for f in (*ARM_FIELDS, "adherence")],
            _("Arm 2"): [f"arm2_{f}" for f in (*ARM_FIELDS, "adherence")],
            "": ["reason"],
        }
        return [(heading, [self[name] for name in fields]) for heading, fields in names.items()]
