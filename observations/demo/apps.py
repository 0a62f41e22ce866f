from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data seeding: uses enrollment and observations; no domain app imports it."""

    name = "observations.demo"
    label = "demo"
    verbose_name = _("Demo data")
