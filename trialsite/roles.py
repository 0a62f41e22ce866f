"""Roles are Django groups (made by a data migration); this module names them once."""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MIDWIFE = "midwife", _("Midwife")
    COORDINATOR = "coordinator", _("Coordinator")
    INVESTIGATOR = "investigator", _("Investigator")
    MONITOR = "monitor", _("Monitor")


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
    """True if ``user`` holds any of ``roles`` (Django staff status grants none: it is for the admin)."""
    return bool(roles_of(user).intersection(roles))


def require_role(user, *roles: str) -> None:
    """Raise PermissionDenied unless ``user`` holds one of ``roles``."""
    if not has_role(user, *roles):
        raise PermissionDenied
