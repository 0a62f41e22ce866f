"""Forms of the enrolment pages; they validate input and hand it to one service."""

import csv
import io

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment import rules
from enrollment.models import AllocationMethod, Criterion, CriterionKind, DeliveryMode, ParticipantStatus, Site, Study
from enrollment.services import ConsentDetails, MotherDetails, UploadedSlot
from trialsite.textfiles import NotText, decode_text

YES_NO = (("yes", _("Yes")), ("no", _("No")))


def add_service_error(form: forms.Form, error: forms.ValidationError) -> None:
    """Attach a service error's messages to their fields; those of fields the form lacks go on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ScreeningForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    screened_on = forms.DateField(label=_("Screening date"), widget=DateInput())
    full_name = forms.CharField(label=_("Mother's full name"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput())
    delivery_date = forms.DateField(label=_("Delivery date"), widget=DateInput())
    delivery_mode = forms.ChoiceField(label=_("Delivery mode"), choices=DeliveryMode.choices)
    parity = forms.IntegerField(label=_("Parity"), min_value=1, max_value=20)
    infant_birth_weight_g = forms.IntegerField(label=_("Infant birth weight (g)"), min_value=500, max_value=6000)

    def __init__(self, *args, study: Study, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.study = study
        self.fields["site"].queryset = sites
        if len(sites) == 1:
            self.fields["site"].initial = sites[0].pk
        self.fields["screened_on"].initial = timezone.localdate()
        self.criteria = list(Criterion.objects.filter(study=study))
        for criterion in self.criteria:
            self.fields[f"c_{criterion.code}"] = forms.ChoiceField(
                label=criterion.text, choices=YES_NO, widget=forms.RadioSelect
            )

    @property
    def inclusion_fields(self):
        return [self[f"c_{c.code}"] for c in self.criteria if c.kind == CriterionKind.INCLUSION]

    @property
    def exclusion_fields(self):
        return [self[f"c_{c.code}"] for c in self.criteria if c.kind == CriterionKind.EXCLUSION]

    def clean(self):
        """The service's date rules too, so that every problem shows in one round (the service checks again)."""
        data = super().clean()
        if data.get("screened_on"):
            errors = rules.screening_errors(
                screened_on=data["screened_on"], date_of_birth=data.get("date_of_birth"),
                delivery_date=data.get("delivery_date"), today=timezone.localdate(), study_start=self.study.start_date,
            )  # fmt: skip
            add_service_error(self, forms.ValidationError(errors))
        return data

    def mother(self) -> MotherDetails:
        fields = MotherDetails.__dataclass_fields__
        return MotherDetails(**{name: self.cleaned_data[name] for name in fields})

    def answers(self) -> dict[str, bool]:
        return {c.code: self.cleaned_data[f"c_{c.code}"] == "yes" for c in self.criteria}


class EnrollForm(forms.Form):
    consented_on = forms.DateField(label=_("Consent date"), widget=DateInput())
    consent_form_version = forms.CharField(label=_("Consent form version"), max_length=40, required=False)
    enrolled_on = forms.DateField(label=_("Enrolment date"), widget=DateInput())
    intervention_start = forms.DateField(
        label=_("Day 1 (intervention start)"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty to start on the enrolment date."),
    )
    arm = forms.ModelChoiceField(label=_("Arm"), queryset=None, required=False)
    rationale = forms.CharField(label=_("Why this arm?"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, study: Study, has_consent: bool, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["consented_on"].initial = self.fields["enrolled_on"].initial = today
        self.current_version = study.consent_form_version
        self.fields["consent_form_version"].initial = self.current_version
        self.fields["consent_form_version"].required = not self.current_version
        if self.current_version:
            self.fields["consent_form_version"].help_text = _(
                "The study's current form. Change it only if she signed another version."
            )
        self.fields["arm"].queryset = study.arms.order_by("order", "code")
        if study.allocation_method == AllocationMethod.RANDOMIZED:
            del self.fields["arm"], self.fields["rationale"]
        else:
            self.fields["arm"].required = self.fields["rationale"].required = True
        if has_consent:
            del self.fields["consented_on"], self.fields["consent_form_version"]

    def consent(self) -> ConsentDetails | None:
        if "consented_on" not in self.cleaned_data:
            return None
        return ConsentDetails(self.cleaned_data["consented_on"], self.cleaned_data["consent_form_version"])


class WithdrawForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in (ParticipantStatus.WITHDRAWN, ParticipantStatus.LOST_TO_FOLLOW_UP)],
    )
    on = forms.DateField(label=_("Date"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class ParticipantFilterForm(forms.Form):
    q = forms.CharField(label=_("Search ID or name"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *ParticipantStatus.choices])
    arm = forms.ChoiceField(label=_("Arm"), required=False)

    def __init__(self, *args, study: Study, arms_hidden: bool = False, identified: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["arm"].choices = [("", _("All"))] + [(a.code, a.label) for a in study.arms.order_by("order")]
        if arms_hidden:  # enrollment.visibility: no filter by arm while the arms are hidden from the viewer
            del self.fields["arm"]
        if not identified:
            self.fields["q"].label = _("Search pseudonym")
        for name in ("status", "arm"):
            if name in self.fields:
                self.fields[name].widget.attrs.update({"class": "form-select", "data-autosubmit": ""})

    def arm_refused(self) -> bool:
        """An arm was asked for while the arm filter is not offered."""
        return "arm" not in self.fields and bool(self.data.get("arm"))


class GenerateListForm(forms.Form):
    seed = forms.CharField(
        label=_("Secret seed"),
        max_length=100,
        help_text=_("Keep it secret: anyone with the seed can rebuild the list."),
    )
    per_site = forms.IntegerField(label=_("Slots to add per site"), min_value=2, max_value=1000)


class UploadListForm(forms.Form):
    file = forms.FileField(label=_("Allocation list (CSV: site,block,arm)"))

    MAX_BLOCK = 100_000

    def slots(self) -> list[UploadedSlot]:
        """The rows of the CSV file; every row that cannot be read is a form error naming its line."""
        try:
            text = decode_text(self.cleaned_data["file"].read())
        except NotText as problem:
            raise forms.ValidationError(str(problem)) from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        slots, errors = [], []
        try:
            if reader.fieldnames is None or not {"site", "block", "arm"} <= set(reader.fieldnames):
                raise forms.ValidationError(_("Use the columns site, block and arm, one slot per row."))
            for row in reader:
                slot, problem = self._slot(row)
                if problem:
                    errors.append(_("line %(line)d: %(problem)s") % {"line": reader.line_num, "problem": problem})
                else:
                    slots.append(slot)
        except csv.Error as problem:  # e.g. an unterminated quote running past the field size limit
            errors.append(_("line %(line)d: %(problem)s") % {"line": reader.line_num, "problem": problem})
        if errors:
            raise forms.ValidationError(errors)
        return slots

    def _slot(self, row: dict) -> tuple[UploadedSlot | None, str]:
        site, block, arm = ((row.get(k) or "").strip() for k in ("site", "block", "arm"))
        if None in row or not (site and block and arm):
            return None, _("give exactly a site, a block and an arm.")
        if not (block.isascii() and block.isdigit()) or not 1 <= int(block) <= self.MAX_BLOCK:
            return None, _("the block must be a whole number from 1 to %(max)d.") % {"max": self.MAX_BLOCK}
        return UploadedSlot(site, int(block), arm), ""
