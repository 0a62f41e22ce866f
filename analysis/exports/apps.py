from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """Dataset exports: sits above the analysis app and reads the domain apps; nothing imports it."""

    name = "analysis.exports"
    label = "exports"
    verbose_name = _("Exports")
