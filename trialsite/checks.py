"""Deployment checks of our own (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.database, Tags.security, deploy=True)
def app_role_owns_nothing(app_configs, **kwargs):
    """Without an owner role the app connects as the owner of the tables: the audit trail is then only a promise."""
    database = settings.DATABASES["default"]
    owner = database.get("OWNER")
    if owner and owner["USER"] != database["USER"]:
        return []
    return [
        Warning(
            "The app connects as the owner of its tables.",
            hint="Set MIGRATION_DATABASE_URL to the owner role and DATABASE_URL to a role that owns nothing "
            "(see docs/database.md).",
            id="trialsite.W001",
        )
    ]
