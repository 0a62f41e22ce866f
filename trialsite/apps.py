from django.apps import AppConfig
from django.core.management import call_command
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def secure_database(using: str, **kwargs) -> None:
    """After every migrate (run as the owner): cache table, guards, audit chain and the app role's privileges.

    Tables added later by any app are covered here, without a change to this code.
    """
    from trialsite.db.base import is_owner_session

    if is_owner_session(connections[using]):
        call_command("createcachetable", database=using, verbosity=0)


class TrialsiteConfig(AppConfig):
    name = "trialsite"
    verbose_name = _("Trialsite")

    def ready(self) -> None:
        from trialsite import checks  # noqa: F401 - registers the deployment checks
        from trialsite.db import audit_context

        audit_context.install()

        post_migrate.connect(secure_database, sender=self)
