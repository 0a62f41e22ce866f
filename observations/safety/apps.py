from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "observations.safety"
    label = "safety"
    verbose_name = _("Safety and data management")

    def ready(self) -> None:
        from observations.safety import panels

        panels.register()  # open queries, adverse events and source verification on the lower apps' pages
