"""Roles are Django groups (made by a data migration); this module names them once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MIDWIFE = "midwife", _("Midwife")
    COORDINATOR = "coordinator", _("Coordinator")
    INVESTIGATOR = "investigator", _("Investigator")


def roles_of(user) -> frozenset[str]:
    """The role codes of ``user`` (cached on the user object for the request)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_trialsite_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        user._trialsite_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    """True if ``user`` holds any of ``roles``; staff hold every role's read access via ``is_staff``."""
    return bool(roles_of(user).intersection(roles))
