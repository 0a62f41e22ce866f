"""The export page's form. Both identification choices are accepted here: the role check is the service's."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from analysis.exports.models import ExportFormat, ExportLayout
from analysis.exports.services import ExportOptions

IDENTIFIED, DEIDENTIFIED = "identified", "deidentified"
LANGUAGE_CHOICES = (("id", "Bahasa Indonesia"), ("en", "English"))


class ExportForm(forms.Form):
    file_format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices, initial=ExportFormat.CSV)
    layout = forms.ChoiceField(label=_("Layout"), choices=ExportLayout.choices, initial=ExportLayout.LONG)
    identification = forms.ChoiceField(
        label=_("Identifiers"),
        choices=(
            (DEIDENTIFIED, _("De-identified: pseudonyms, study days, no names, phones or dates")),
            (IDENTIFIED, _("Identified: participant IDs, dates, names and phones")),
        ),
        initial=DEIDENTIFIED,
        widget=forms.RadioSelect,
    )
    site = forms.ChoiceField(label=_("Site"), required=False)
    language = forms.ChoiceField(label=_("Language of labels and codebook"), choices=LANGUAGE_CHOICES)
    excel = forms.BooleanField(
        label=_("CSV for Excel"),
        required=False,
        help_text=_("Adds a byte-order mark so that Excel shows Indonesian letters right; other programs ignore it."),
    )
    single_file = forms.BooleanField(
        label=_("One file instead of a zip"),
        required=False,
        help_text=_("XLSX only: the workbook alone (every table and the codebook as sheets), without results "
                    "and manifest."),
    )  # fmt: skip

    def __init__(self, *args, study, identified_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.study = study
        self.fields["site"].choices = [("", _("All sites")), *((s.code, str(s)) for s in study.sites.all())]
        if not identified_allowed:
            # Hidden from investigators; a forged POST is still refused (403) by the service.
            self.fields["identification"].widget.choices = self.fields["identification"].choices[:1]

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                self.options().check(self.study)
            except ValidationError as exc:
                self.add_error(None, exc)
        return data

    def options(self) -> ExportOptions:
        data = self.cleaned_data
        return ExportOptions(
            file_format=data["file_format"],
            layout=data["layout"],
            deidentified=data["identification"] == DEIDENTIFIED,
            site_code=data["site"],
            language=data["language"],
            excel=data["excel"],
            single_file=data["single_file"],
        )
