from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = _("Enrollment")

    def ready(self):
        from enrollment.models import MEMBER_SITE_IDS, member_site_ids_sql
        from trialsite.accounts import read_with_the_user

        # Site visibility (enrollment.models.visible_sites) reads the user's sites with her, not once per query.
        read_with_the_user(MEMBER_SITE_IDS, member_site_ids_sql)
