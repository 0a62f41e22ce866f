import pghistory
from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """Per-user preferences that follow the user from device to device."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.language or '-'})"


class Account(models.Model):
    """Sign-in state of a user that Django's user model has no field for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account")
    must_change_password = models.BooleanField(_("must choose a new password"), default=False)
    deactivation_reason = models.TextField(_("reason for deactivation"), blank=True)

    def __str__(self) -> str:
        return str(self.user)


class OneTimeCodeQuerySet(models.QuerySet):
    def usable(self) -> "OneTimeCodeQuerySet":
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class OneTimeCode(models.Model):
    """A sign-in code the coordinator hands over (WhatsApp, paper): shown once, single use, expires.

    Only its SHA-256 is stored; it signs its user in once, after which she must choose a password.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="one_time_codes")
    code_sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = OneTimeCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("one-time sign-in code")

    def __str__(self) -> str:
        return f"{self.user} until {self.expires_at:%Y-%m-%d %H:%M}"


class TrackedUser(User):
    """Proxy of the user model so that its audit triggers and events live in this app's migrations."""

    class Meta:
        proxy = True
        verbose_name = _("user")


pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.ManualEvent("one_time_code.issued"),
    pghistory.ManualEvent("second_factor.reset"),
    pghistory.ManualEvent("password.changed"),
    exclude=["password", "last_login"],
    model_name="UserEvent",
)(TrackedUser)


class TrackedUserRole(User.groups.through):
    """Proxy of the user–group link (roles are groups): adding or removing a role is in the audit trail."""

    class Meta:
        proxy = True


pghistory.track(
    pghistory.InsertEvent("role.add"),
    pghistory.DeleteEvent("role.remove"),
    obj_field=None,
    model_name="UserRoleEvent",
)(TrackedUserRole)
