"""The export page's form. Both identification choices are accepted here: the role check is the service's."""

from django import forms
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

    def __init__(self, *args, study, identified_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", _("All sites")), *((s.code, str(s)) for s in study.sites.all())]
        if not identified_allowed:
            # Hidden from investigators; a forged POST is still refused (403) by the service.
            self.fields["identification"].widget.choices = self.fields["identification"].choices[:1]

    def options(self) -> ExportOptions:
        data = self.cleaned_data
        return ExportOptions(
            file_format=data["file_format"],
            layout=data["layout"],
            deidentified=data["identification"] == DEIDENTIFIED,
            site_code=data["site"],
            language=data["language"],
        )
